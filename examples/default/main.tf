# Organization runners, ephemeral (one job per instance, one JIT registration per instance), on spot.
#
# Ephemeral is the default here because a job on a runner runs as root: on a reusable instance
# the next job inherits whatever the previous one left behind (files, processes, credentials it
# planted), so every job of a reusable pool must be trusted like every other one (the pool is one
# trust domain, docs/threat-model.md). Choose enable_ephemeral_runners = false only for a pool whose
# jobs all come from the same trust level, for warm caches.
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
      enable_ephemeral_runners    = true
      runner_labels               = ["linux-x64"]
      runners_maximum_count       = 20
      instance_types              = ["m7i.large", "m6i.large", "m5.large"]
      # Spot, falling back to on-demand when spot has no capacity.
      instance_target_capacity_type = "spot"
      enable_on_demand_fallback     = true
      # Keep two runners booted and registered during office hours, so jobs start without a boot.
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
