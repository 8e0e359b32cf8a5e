# Repository runners, ephemeral: one job per instance, one JIT registration per instance.
module "runners" {
  source = "../../"

  prefix     = "ghr-ephemeral"
  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids

  github_app_secrets = var.github_app

  # One pool per repository; pool names must be lowercase letters, digits and dashes.
  runner_pools = { for repo in var.repositories : substr(replace(lower(repo), "/[^a-z0-9]+/", "-"), 0, 24) => {
    owner                       = repo
    enable_organization_runners = false
    enable_ephemeral_runners    = true
    runner_labels               = ["ephemeral"]
    runners_maximum_count       = 5
    runner_architecture         = "arm64"
    instance_types              = ["m7g.large", "m6g.large"]
    # Ephemeral instances end themselves after the job; a short minimum keeps surplus low.
    minimum_running_time_in_minutes = 2
  } }

  scale_up = {
    registration = "jit"
  }

  scale_down = {
    schedule_expression = "rate(2 minutes)"
  }
}
