# Renders lambdas/src/config/schema.ts: camelCase keys, strict objects (no unknown keys), and
# null fields left out so zod applies its defaults (one default, defined once, in the schema).
# Each `{ for k, v in {...} : k => v if v != null }` below drops the fields the caller left unset.

locals {
  # Every range, allowed value and default of lambdas/src/config/schema.ts, generated from it
  # (`npm run config:limits`; a jest test fails when stale): the validations read them from here.
  limits = jsondecode(file("${path.module}/limits.json"))

  github = { for k, v in {
    apiUrl              = var.github.api_url
    appIdParameter      = var.github.app_id_parameter
    privateKeyParameter = var.github.private_key_parameter
    installationIds     = var.github.installation_ids
    secretCacheSeconds  = var.github.secret_cache_in_seconds
  } : k => v if v != null }

  pools = { for name, p in var.pools : name => { for k, v in {
    owner                     = p.owner
    ownerType                 = p.owner_type
    labels                    = p.labels
    ephemeral                 = p.ephemeral
    queueUrl                  = p.queue_url
    queueArn                  = p.queue_arn
    deadLetterQueueUrl        = p.dead_letter_queue_url
    recycleQueueUrl           = p.recycle_queue_url
    recycleQueueArn           = p.recycle_queue_arn
    runnerGroupId             = p.runner_group_id
    maxRunners                = p.max_runners
    minimumRunningTimeMinutes = p.minimum_running_time_in_minutes
    bootTimeoutMinutes        = p.runner_boot_time_in_minutes
    maxJobDurationMinutes     = p.max_job_duration_in_minutes
    maximumLifetimeHours      = p.maximum_lifetime_in_hours
    launchTemplateName        = p.launch_template_name
    instanceTypes             = p.instance_types
    subnetIds                 = p.subnet_ids
    capacityType              = p.capacity_type
    onDemandFallback          = p.on_demand_fallback
    spotAllocationStrategy    = p.spot_allocation_strategy
    instanceTags              = p.instance_tags == null ? null : (length(p.instance_tags) == 0 ? null : p.instance_tags)
    labelMatchers             = p.label_matchers
    exactMatch                = p.exact_match
    priority                  = p.priority
    idleConfig = p.idle_config == null ? null : [for rule in p.idle_config : { for k, v in {
      cron             = rule.cron
      timeZone         = rule.timeZone
      idleCount        = rule.idleCount
      evictionStrategy = rule.evictionStrategy
    } : k => v if v != null }]
    rerunOnSpotInterruption        = p.rerun_on_spot_interruption
    drainOnRebalanceRecommendation = p.drain_on_rebalance
    warmPool = p.warm_pool == null ? null : [for rule in p.warm_pool : { for k, v in {
      cron     = rule.cron
      timeZone = rule.time_zone
      size     = rule.size
    } : k => v if v != null }]
  } : k => v if v != null } }

  common = { for k, v in {
    environment = var.environment
    logLevel    = var.log_level == null ? null : upper(var.log_level)
    github      = local.github
    pools       = local.pools
  } : k => v if v != null }

  concurrency = { for k, v in {
    global   = var.scale_down.concurrency_global
    perOwner = var.scale_down.concurrency_per_owner
  } : k => v if v != null }

  held_jobs = { for k, v in {
    initialDelaySeconds = var.scale_up.held_job_initial_delay_seconds
    maxDelaySeconds     = var.scale_up.held_job_max_delay_seconds
    maxAttempts         = var.scale_up.held_job_max_attempts
  } : k => v if v != null }

  job_recheck = { for k, v in {
    delaySeconds = var.scale_up.job_recheck_delay_seconds
    maxRechecks  = var.scale_up.job_recheck_max_rechecks
  } : k => v if v != null }

  webhook = merge(local.common, { for k, v in {
    webhookSecretParameter = var.webhook.secret_parameter
    maxBodyBytes           = var.webhook.max_body_bytes
  } : k => v if v != null })

  scale_up = merge(local.common, { for k, v in {
    registration      = var.scale_up.registration
    checkJobQueued    = var.scale_up.check_job_queued
    runnerConfigPath  = var.runner_config_path
    instanceArnPrefix = var.instance_arn_prefix
    extraTags         = var.scale_up.extra_tags
    heldJobs          = length(local.held_jobs) == 0 ? null : local.held_jobs
    jobRecheck        = length(local.job_recheck) == 0 ? null : local.job_recheck
    # Scale-up quarantines a runner EC2 warned of a spot reclaim into the same group (core/scale-up/spot.ts).
    quarantineGroupName = var.scale_down.quarantine_group_name
  } : k => v if v != null })

  scale_down = merge(local.common, { for k, v in {
    settleSeconds       = var.scale_down.settle_seconds
    quarantineGroupName = var.scale_down.quarantine_group_name
    concurrency         = length(local.concurrency) == 0 ? null : local.concurrency
    lease               = { for k, v in { parameterName = var.scale_down.lease_parameter, ttlSeconds = var.scale_down.lease_ttl_seconds } : k => v if v != null }
    runnerConfigPath    = var.runner_config_path
  } : k => v if v != null })
}
