# Inputs mirror lambdas/src/config/schema.ts in snake_case. A null field is left out of the JSON
# so the schema's default applies: every default of the Lambdas is defined once, in the schema.

variable "environment" {
  description = "Value of the `ghr:environment` tag: the fleet's identity in a shared account."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.:@+=-]{1,64}$", var.environment))
    error_message = "environment must be 1-64 letters, digits or _ . : @ + = -: it is a tag value the agent reads through instance metadata."
  }
}

variable "log_level" {
  description = "Log level of the Lambdas (DEBUG, INFO, WARN, ERROR; case-insensitive). null: the schema's default (INFO)."
  type        = string
  default     = null

  validation {
    condition     = var.log_level == null || contains(local.limits["logLevel"].values, upper(coalesce(var.log_level, "INFO")))
    error_message = "log_level must be one of debug, info, warn, error."
  }
}

variable "github" {
  description = "GitHub App access: API URL, SSM parameter names of the app id and base64 private key, installation ids per owner, secret cache time."
  type = object({
    api_url                 = optional(string)
    app_id_parameter        = string
    private_key_parameter   = string
    installation_ids        = optional(map(number))
    secret_cache_in_seconds = optional(number)
  })

  validation {
    condition     = var.github.api_url == null || can(regex("^https?://[^\\s/]+", coalesce(var.github.api_url, "-")))
    error_message = "github.api_url must be an http(s) URL: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server."
  }

  validation {
    condition     = alltrue([for p in [var.github.app_id_parameter, var.github.private_key_parameter] : can(regex("^/[A-Za-z0-9_./-]+$", p))])
    error_message = "github.app_id_parameter and github.private_key_parameter must be SSM parameter names starting with \"/\" (letters, digits, _ . - /)."
  }

  validation {
    condition     = alltrue([for owner, id in coalesce(var.github.installation_ids, {}) : can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}(/[A-Za-z0-9._-]{1,100})?$", owner)) && id >= 1 && floor(id) == id])
    error_message = "github.installation_ids maps an organization or \"owner/repo\" to a positive whole installation id."
  }

  validation {
    condition     = (var.github.secret_cache_in_seconds == null || try(var.github.secret_cache_in_seconds >= local.limits["github.secretCacheSeconds"].min && var.github.secret_cache_in_seconds <= local.limits["github.secretCacheSeconds"].max, false))
    error_message = "github.secret_cache_in_seconds must be ${local.limits["github.secretCacheSeconds"].min}-${local.limits["github.secretCacheSeconds"].max}: credentials read from SSM are reused at most an hour."
  }
}

variable "pools" {
  description = "Runner pools keyed by pool name, with the resources Terraform created for them (queue URLs and ARNs, launch template name). A reusable pool (ephemeral = false) has a recycle queue; an ephemeral pool has none."
  type = map(object({
    owner                           = string
    owner_type                      = string
    labels                          = list(string)
    ephemeral                       = optional(bool)
    queue_url                       = string
    queue_arn                       = string
    dead_letter_queue_url           = string
    recycle_queue_url               = optional(string)
    recycle_queue_arn               = optional(string)
    runner_group_id                 = optional(number)
    max_runners                     = number
    minimum_running_time_in_minutes = optional(number)
    runner_boot_time_in_minutes     = optional(number)
    max_job_duration_in_minutes     = optional(number)
    maximum_lifetime_in_hours       = optional(number)
    launch_template_name            = string
    instance_types                  = list(string)
    subnet_ids                      = list(string)
    capacity_type                   = optional(string)
    on_demand_fallback              = optional(bool)
    spot_allocation_strategy        = optional(string)
    instance_tags                   = optional(map(string))
    label_matchers                  = optional(list(list(string)))
    exact_match                     = optional(bool)
    priority                        = optional(number)
    idle_config = optional(list(object({
      cron             = string
      timeZone         = optional(string)
      idleCount        = number
      evictionStrategy = optional(string)
    })))
    rerun_on_spot_interruption = optional(bool)
    drain_on_rebalance         = optional(bool)
    warm_pool = optional(list(object({
      cron      = string
      time_zone = optional(string)
      size      = number
    })))
  }))

  validation {
    condition     = alltrue([for p in values(var.pools) : p.spot_allocation_strategy == null || contains(local.limits["pools.*.spotAllocationStrategy"].values, coalesce(p.spot_allocation_strategy, "-"))])
    error_message = "A pool's spot_allocation_strategy must be one of ${join(", ", local.limits["pools.*.spotAllocationStrategy"].values)}."
  }

  validation {
    condition = alltrue([for p in values(var.pools) : (
      (p.priority == null || try(p.priority >= local.limits["pools.*.priority"].min && p.priority <= local.limits["pools.*.priority"].max && floor(p.priority) == p.priority, false)) &&
      (p.label_matchers == null || try(length(p.label_matchers) > 0 && alltrue([for m in p.label_matchers : length(m) > 0]), false))
    )])
    error_message = "A pool's priority must be a whole number from ${local.limits["pools.*.priority"].min} to ${local.limits["pools.*.priority"].max}, and label_matchers, when set, a non-empty list of non-empty label lists."
  }

  validation {
    condition     = alltrue([for name in keys(var.pools) : can(regex("^[a-z0-9-]{1,32}$", name))])
    error_message = "Pool names must be 1-32 lowercase letters, digits and dashes: they name queues, roles and launch templates."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : contains(["org", "repo"], p.owner_type) && (p.owner_type == "org" ? can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}$", p.owner)) : can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", p.owner)))])
    error_message = "Each pool's owner_type must be org or repo, with owner an organization name (org) or \"owner/repo\" (repo)."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : length(p.labels) > 0 && alltrue([for l in p.labels : can(regex("^[^,\\s]{1,100}$", l))])])
    error_message = "Each pool needs at least one custom label, each 1-100 characters without spaces or commas: jobs must target a pool by a custom label."
  }

  # The queue ARN is how scale-up knows a message's pool (the event source, never the body a runner
  # can write), and the dead-letter queue is where it sends the jobs it cannot launch.
  validation {
    condition = alltrue([for p in values(var.pools) : (
      can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", p.queue_arn)) &&
      can(regex("^https://", p.queue_url)) && can(regex("^https://", p.dead_letter_queue_url)) && p.queue_url != p.dead_letter_queue_url
    )])
    error_message = "Each pool needs its queue's ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) and https URLs of its queue and of a distinct dead-letter queue."
  }

  # Scale-up takes a message's kind from its queue too: a reusable pool's recycle queue holds only
  # recycle requests (its runners may send nowhere else), so it must be a queue of its own, and
  # an ephemeral pool, whose runners send nothing, has none. `ephemeral` unset is the schema's
  # default, true.
  validation {
    condition = alltrue([for p in values(var.pools) : (
      coalesce(p.ephemeral, true) ? (p.recycle_queue_url == null && p.recycle_queue_arn == null) : try(
        can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", p.recycle_queue_arn)) && can(regex("^https://", p.recycle_queue_url)) &&
        !contains([p.queue_url, p.dead_letter_queue_url], p.recycle_queue_url) && p.recycle_queue_arn != p.queue_arn,
      false)
    )])
    error_message = "A reusable pool (ephemeral = false) needs its recycle queue's ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) and https URL, distinct from its job and dead-letter queues; an ephemeral pool has no recycle queue."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.max_runners >= local.limits["pools.*.maxRunners"].min && p.max_runners <= local.limits["pools.*.maxRunners"].max && floor(p.max_runners) == p.max_runners])
    error_message = "Each pool's max_runners must be a whole number from ${local.limits["pools.*.maxRunners"].min} to ${local.limits["pools.*.maxRunners"].max}."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.runner_group_id == null || try(p.runner_group_id >= 1 && floor(p.runner_group_id) == p.runner_group_id, false)])
    error_message = "runner_group_id must be a positive whole number (1 is the Default group)."
  }

  validation {
    condition = alltrue([for p in values(var.pools) : (
      (p.minimum_running_time_in_minutes == null || try(p.minimum_running_time_in_minutes >= local.limits["pools.*.minimumRunningTimeMinutes"].min && p.minimum_running_time_in_minutes <= local.limits["pools.*.minimumRunningTimeMinutes"].max, false)) &&
      (p.runner_boot_time_in_minutes == null || try(p.runner_boot_time_in_minutes >= local.limits["pools.*.bootTimeoutMinutes"].min && p.runner_boot_time_in_minutes <= local.limits["pools.*.bootTimeoutMinutes"].max, false)) &&
      (p.max_job_duration_in_minutes == null || try(p.max_job_duration_in_minutes >= local.limits["pools.*.maxJobDurationMinutes"].min && p.max_job_duration_in_minutes <= local.limits["pools.*.maxJobDurationMinutes"].max, false))
    )])
    error_message = "minimum_running_time_in_minutes must be ${local.limits["pools.*.minimumRunningTimeMinutes"].min}-${local.limits["pools.*.minimumRunningTimeMinutes"].max}, runner_boot_time_in_minutes ${local.limits["pools.*.bootTimeoutMinutes"].min}-${local.limits["pools.*.bootTimeoutMinutes"].max} and max_job_duration_in_minutes ${local.limits["pools.*.maxJobDurationMinutes"].min}-${local.limits["pools.*.maxJobDurationMinutes"].max}."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.maximum_lifetime_in_hours == null || try(p.maximum_lifetime_in_hours >= local.limits["pools.*.maximumLifetimeHours"].min && p.maximum_lifetime_in_hours <= local.limits["pools.*.maximumLifetimeHours"].max && floor(p.maximum_lifetime_in_hours) == p.maximum_lifetime_in_hours, false)])
    error_message = "maximum_lifetime_in_hours must be a whole number ${local.limits["pools.*.maximumLifetimeHours"].min}-${local.limits["pools.*.maximumLifetimeHours"].max}."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : length(p.instance_types) > 0 && length(p.subnet_ids) > 0 && alltrue([for s in p.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])])
    error_message = "Each pool needs at least one instance type and at least one subnet id (subnet-...)."
  }

  validation {
    condition     = alltrue([for p in values(var.pools) : p.capacity_type == null || contains(local.limits["pools.*.capacityType"].values, coalesce(p.capacity_type, "spot"))])
    error_message = "capacity_type must be spot or on-demand."
  }

  validation {
    condition = alltrue(flatten([for p in values(var.pools) : [for r in coalesce(p.idle_config, []) : (
      contains([5, 6], length(regexall("[^ ]+", r.cron))) && r.idleCount >= 0 && floor(r.idleCount) == r.idleCount &&
      (r.evictionStrategy == null || contains(["oldest_first", "newest_first"], coalesce(r.evictionStrategy, "oldest_first")))
    )]]))
    error_message = "idle_config entries need a five-field cron (or upstream's six, seconds first), a whole idleCount >= 0 and evictionStrategy oldest_first or newest_first."
  }

  validation {
    condition = alltrue(flatten([for p in values(var.pools) : [for r in coalesce(p.warm_pool, []) : (
      (contains([5, 6], length(regexall("[^ ]+", r.cron))) || can(regex("^(cron|rate)\\(.+\\)$", r.cron))) &&
      r.size >= local.limits["pools.*.warmPool[].size"].min && r.size <= p.max_runners && floor(r.size) == r.size
    )]]))
    error_message = "warm_pool entries need a cron (five fields, upstream's six with seconds first, or an EventBridge cron(...) or rate(...)) and a whole size from 0 to the pool's max_runners."
  }
}

variable "webhook" {
  description = "Webhook settings: SSM parameter name of the webhook secret and the largest accepted body."
  type = object({
    secret_parameter = string
    max_body_bytes   = optional(number)
  })

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./-]+$", var.webhook.secret_parameter))
    error_message = "webhook.secret_parameter must be an SSM parameter name starting with \"/\"."
  }

  validation {
    condition     = (var.webhook.max_body_bytes == null || try(var.webhook.max_body_bytes >= local.limits["maxBodyBytes"].min && var.webhook.max_body_bytes <= local.limits["maxBodyBytes"].max, false))
    error_message = "webhook.max_body_bytes must be ${local.limits["maxBodyBytes"].min}-${local.limits["maxBodyBytes"].max}: GitHub caps payloads at 25 MB."
  }
}

variable "scale_up" {
  description = "Scale-up settings: registration kind, queued-job check, extra instance tags, held jobs at the maximum, job re-checks."
  type = object({
    registration     = optional(string)
    check_job_queued = optional(bool)
    extra_tags       = optional(map(string))
    # A job at the pool maximum is re-sent delayed: initial delay, doubled per hold up to the cap; dropped after max attempts.
    held_job_initial_delay_seconds = optional(number)
    held_job_max_delay_seconds     = optional(number)
    held_job_max_attempts          = optional(number)
    # After a launch, re-check the job after this delay (>= boot-to-online), at most this many times (0: off).
    job_recheck_delay_seconds = optional(number)
    job_recheck_max_rechecks  = optional(number)
  })
  default = {}

  validation {
    condition     = var.scale_up.registration == null || contains(local.limits["registration"].values, coalesce(var.scale_up.registration, "jit"))
    error_message = "scale_up.registration must be jit, or token only for GitHub Enterprise Server versions without JIT."
  }

  validation {
    condition = alltrue([
      (var.scale_up.held_job_initial_delay_seconds == null || try(var.scale_up.held_job_initial_delay_seconds >= local.limits["heldJobs.initialDelaySeconds"].min && var.scale_up.held_job_initial_delay_seconds <= local.limits["heldJobs.initialDelaySeconds"].max && floor(var.scale_up.held_job_initial_delay_seconds) == var.scale_up.held_job_initial_delay_seconds, false)),
      (var.scale_up.held_job_max_delay_seconds == null || try(var.scale_up.held_job_max_delay_seconds >= local.limits["heldJobs.maxDelaySeconds"].min && var.scale_up.held_job_max_delay_seconds <= local.limits["heldJobs.maxDelaySeconds"].max && floor(var.scale_up.held_job_max_delay_seconds) == var.scale_up.held_job_max_delay_seconds, false)),
    ])
    error_message = "scale_up.held_job_initial_delay_seconds must be whole seconds ${local.limits["heldJobs.initialDelaySeconds"].min}-${local.limits["heldJobs.initialDelaySeconds"].max} and held_job_max_delay_seconds ${local.limits["heldJobs.maxDelaySeconds"].min}-${local.limits["heldJobs.maxDelaySeconds"].max} (SQS DelaySeconds)."
  }

  validation {
    condition     = (var.scale_up.held_job_max_attempts == null || try(var.scale_up.held_job_max_attempts >= local.limits["heldJobs.maxAttempts"].min && var.scale_up.held_job_max_attempts <= local.limits["heldJobs.maxAttempts"].max && floor(var.scale_up.held_job_max_attempts) == var.scale_up.held_job_max_attempts, false))
    error_message = "scale_up.held_job_max_attempts must be a whole number ${local.limits["heldJobs.maxAttempts"].min}-${local.limits["heldJobs.maxAttempts"].max}."
  }

  validation {
    condition = (
      (var.scale_up.job_recheck_delay_seconds == null || try(var.scale_up.job_recheck_delay_seconds >= local.limits["jobRecheck.delaySeconds"].min && var.scale_up.job_recheck_delay_seconds <= local.limits["jobRecheck.delaySeconds"].max && floor(var.scale_up.job_recheck_delay_seconds) == var.scale_up.job_recheck_delay_seconds, false)) &&
      (var.scale_up.job_recheck_max_rechecks == null || try(var.scale_up.job_recheck_max_rechecks >= local.limits["jobRecheck.maxRechecks"].min && var.scale_up.job_recheck_max_rechecks <= local.limits["jobRecheck.maxRechecks"].max && floor(var.scale_up.job_recheck_max_rechecks) == var.scale_up.job_recheck_max_rechecks, false))
    )
    error_message = "scale_up.job_recheck_delay_seconds must be whole seconds ${local.limits["jobRecheck.delaySeconds"].min}-${local.limits["jobRecheck.delaySeconds"].max} and job_recheck_max_rechecks ${local.limits["jobRecheck.maxRechecks"].min}-${local.limits["jobRecheck.maxRechecks"].max}."
  }

  validation {
    condition     = alltrue([for k, v in coalesce(var.scale_up.extra_tags, {}) : can(regex("^[A-Za-z0-9+=._:@-]{1,128}$", k)) && !startswith(lower(k), "aws:") && !startswith(k, "ghr:") && length(v) <= 256])
    error_message = "scale_up.extra_tags keys must be legal in instance metadata (letters, digits and + - = . , _ : @; no \"/\" or spaces), not start with aws: or ghr: (the module's own), and values at most 256 characters."
  }
}

variable "scale_down" {
  description = "Scale-down settings: settle time, quarantine group, concurrency, lease parameter."
  type = object({
    settle_seconds        = optional(number)
    quarantine_group_name = optional(string)
    concurrency_global    = optional(number)
    concurrency_per_owner = optional(number)
    lease_parameter       = string
    lease_ttl_seconds     = optional(number)
  })

  validation {
    condition     = (var.scale_down.settle_seconds == null || try(var.scale_down.settle_seconds >= local.limits["settleSeconds"].min && var.scale_down.settle_seconds <= local.limits["settleSeconds"].max, false))
    error_message = "scale_down.settle_seconds must be ${local.limits["settleSeconds"].min}-${local.limits["settleSeconds"].max}."
  }

  validation {
    condition = (
      (var.scale_down.concurrency_global == null || try(var.scale_down.concurrency_global >= local.limits["concurrency.global"].min && var.scale_down.concurrency_global <= local.limits["concurrency.global"].max, false)) &&
      (var.scale_down.concurrency_per_owner == null || try(var.scale_down.concurrency_per_owner >= local.limits["concurrency.perOwner"].min && var.scale_down.concurrency_per_owner <= local.limits["concurrency.perOwner"].max, false))
    )
    error_message = "scale_down.concurrency_global must be ${local.limits["concurrency.global"].min}-${local.limits["concurrency.global"].max} and concurrency_per_owner ${local.limits["concurrency.perOwner"].min}-${local.limits["concurrency.perOwner"].max}."
  }

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./-]+$", var.scale_down.lease_parameter)) && (var.scale_down.lease_ttl_seconds == null || try(var.scale_down.lease_ttl_seconds >= local.limits["lease.ttlSeconds"].min && var.scale_down.lease_ttl_seconds <= local.limits["lease.ttlSeconds"].max, false))
    error_message = "scale_down.lease_parameter must be an SSM parameter name starting with \"/\" and lease_ttl_seconds ${local.limits["lease.ttlSeconds"].min}-${local.limits["lease.ttlSeconds"].max}."
  }
}

variable "instance_arn_prefix" {
  description = "`arn:<partition>:ec2:<region>:<account>:instance/`: scale-up tags each runner config with this + the instance id, the one instance whose role may read it."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ec2:[a-z0-9-]+:[0-9]{12}:instance/$", var.instance_arn_prefix))
    error_message = "instance_arn_prefix must be arn:<partition>:ec2:<region>:<account>:instance/ (it must equal what AWS puts in ec2:SourceInstanceARN, or no runner can read its registration)."
  }
}

variable "runner_config_path" {
  description = "SSM path under which scale-up writes per-instance runner configs."
  type        = string

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./-]+$", var.runner_config_path))
    error_message = "runner_config_path must be an SSM path starting with \"/\"."
  }
}
