# Organization runners on Ubuntu for Docker workloads: container jobs, service containers and
# Docker actions, on spot capacity with on-demand fallback, x64 and arm64 side by side.
module "runners" {
  source = "../../"

  prefix     = "ghr-ubuntu"
  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids

  github_app_secrets = var.github_app

  # The newest actions/runner from the module's artifact bucket, SHA-256 checked (the defaults, spelled out).
  runner_binary_cache = { enabled = true, schedule_expression = "rate(6 hours)" }

  runner_pools = {
    # Canonical's Ubuntu 24.04, resolved at each launch; user data installs git, docker.io and the
    # AWS CLI snap, and puts the `ubuntu` user (the runner's) in the docker group.
    ubuntu-x64 = {
      owner                         = var.organization
      runner_labels                 = ["ubuntu-docker"]
      image_profile                 = "ubuntu"
      instance_types                = ["m7i.large", "m6i.large", "m5.large"]
      instance_target_capacity_type = "spot"
      enable_on_demand_fallback     = true
      runners_maximum_count         = 20
      # Docker images fill a disk quickly.
      volume_size_in_gb = 100
    }
    ubuntu-arm64 = {
      owner                         = var.organization
      runner_labels                 = ["ubuntu-docker-arm64"]
      image_profile                 = "ubuntu"
      runner_architecture           = "arm64"
      instance_types                = ["m7g.large", "m6g.large"]
      instance_target_capacity_type = "spot"
      enable_on_demand_fallback     = true
      runners_maximum_count         = 10
      volume_size_in_gb             = 100
    }
  }
}
