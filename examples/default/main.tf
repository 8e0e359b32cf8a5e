# Organization runners, reusable (warm instance, fresh JIT registration per job), on spot.
module "runners" {
  source = "../../"

  prefix     = "ghr-default"
  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids

  github_app_secrets = var.github_app

  runner_pools = {
    linux-x64 = {
      owner                       = var.organization
      enable_organization_runners = true
      enable_ephemeral_runners    = false
      runner_labels               = ["linux-x64"]
      runners_maximum_count       = 20
      instance_types              = ["m7i.large", "m6i.large", "m5.large"]
      # Spot, falling back to on-demand when spot has no capacity.
      instance_target_capacity_type = "spot"
      enable_on_demand_fallback     = true
      # Keep two warm runners during office hours.
      idle_config = [{
        cron      = "* 8-18 * * 1-5"
        timeZone  = "Europe/Amsterdam"
        idleCount = 2
      }]
    }
  }

  tags = {
    Team = "platform"
  }
}
