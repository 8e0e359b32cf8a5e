# The one contract between Terraform and the Lambdas: each function's FLEET_CONFIG, rendered
# from the inputs above by a pure module and parsed by lambdas/src/config/schema.ts.

# Every range, allowed value and default of that schema, generated from it (`npm run config:limits`;
# a test fails when stale): the input validations read them, so each is defined once, in the schema.
locals {
  limits = jsondecode(file("${path.module}/modules/lambda-config/limits.json"))
}
module "lambda_config" {
  source = "./modules/lambda-config"

  environment         = local.environment
  log_level           = var.log_level
  runner_config_path  = local.runner_config_path
  instance_arn_prefix = local.instance_arn_prefix

  github = {
    # GHES serves its API under /api/v3; GHE.com (data residency, https://SUBDOMAIN.ghe.com) on the api. host.
    api_url = var.ghes_url == null ? null : (
      can(regex("^https://[a-z0-9-]+\\.ghe\\.com/?$", var.ghes_url)) ? replace(trimsuffix(var.ghes_url, "/"), "https://", "https://api.") : "${trimsuffix(var.ghes_url, "/")}/api/v3"
    )
    app_id_parameter        = module.github_app.parameters.id.name
    private_key_parameter   = module.github_app.parameters.key_base64.name
    installation_ids        = var.github_app.installation_ids
    secret_cache_in_seconds = var.github_app.secret_cache_in_seconds
  }

  pools = { for name, p in var.runner_pools : name => {
    owner                           = p.owner
    owner_type                      = p.enable_organization_runners ? "org" : "repo"
    labels                          = p.runner_labels
    ephemeral                       = p.enable_ephemeral_runners
    queue_url                       = module.webhook.queue_urls[name]
    queue_arn                       = module.webhook.queue_arns[name]
    dead_letter_queue_url           = module.webhook.dlq_urls[name]
    recycle_queue_url               = lookup(module.webhook.recycle_queue_urls, name, null) # reusable pools only
    recycle_queue_arn               = lookup(module.webhook.recycle_queue_arns, name, null)
    runner_group_id                 = p.runner_group_id
    max_runners                     = p.runners_maximum_count
    idle_config                     = p.idle_config
    minimum_running_time_in_minutes = p.minimum_running_time_in_minutes
    runner_boot_time_in_minutes     = p.runner_boot_time_in_minutes
    max_job_duration_in_minutes     = p.max_job_duration_in_minutes
    maximum_lifetime_in_hours       = p.maximum_lifetime_in_hours
    launch_template_name            = module.runner_pool[name].launch_template_name
    # Several types widen spot capacity; the default matches the pool's architecture.
    instance_types     = coalesce(p.instance_types, p.runner_architecture == "arm64" ? ["m7g.large", "m6g.large"] : ["m7i.large", "m6i.large", "m5.large"])
    subnet_ids         = coalesce(p.subnet_ids, var.subnet_ids)
    capacity_type      = p.instance_target_capacity_type
    on_demand_fallback = p.enable_on_demand_fallback
    # Upstream's name; spot pools only.
    spot_allocation_strategy = p.instance_allocation_strategy
    instance_tags            = p.runner_ec2_tags
    # Upstream's matcherConfig, read the same way (docs/migration.md).
    label_matchers = try(p.matcherConfig.labelMatchers, null)
    exact_match    = try(p.matcherConfig.exactMatch, null)
    priority       = try(p.matcherConfig.priority, null)
    # Ours: re-run a job lost to a spot reclaim (lambdas/src/core/scale-up/spot.ts).
    rerun_on_spot_interruption = p.rerun_jobs_lost_to_spot
    drain_on_rebalance         = p.drain_on_rebalance
    # Upstream's pool_config, read as a warm pool (docs/migration.md): its schedule says when.
    warm_pool = p.pool_config == null ? null : [for r in p.pool_config : {
      cron      = r.schedule_expression
      time_zone = r.schedule_expression_timezone
      size      = r.size
    }]
  } }

  webhook = {
    secret_parameter = module.github_app.parameters.webhook_secret.name
    max_body_bytes   = var.webhook.max_body_bytes
  }

  scale_up = {
    registration     = var.scale_up.registration
    check_job_queued = var.scale_up.enable_job_queued_check
    # Upstream's job_retry: `enable = false` turns the re-check off; unset values keep the schema's defaults.
    job_recheck_delay_seconds = try(var.scale_up.job_retry.delay_in_seconds, null)
    job_recheck_max_rechecks  = var.scale_up.job_retry == null ? null : (var.scale_up.job_retry.enable == false ? 0 : var.scale_up.job_retry.max_attempts)
  }

  scale_down = {
    settle_seconds        = var.scale_down.settle_seconds
    quarantine_group_name = var.scale_down.quarantine_group_name
    concurrency_global    = var.scale_down.concurrency_global
    concurrency_per_owner = var.scale_down.concurrency_per_owner
    lease_parameter       = local.lease_parameter
    lease_ttl_seconds     = var.scale_down.lease_ttl_seconds
  }
}
