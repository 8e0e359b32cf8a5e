# Inputs are grouped per concern. Names follow the upstream module
# (github-aws-runners/terraform-aws-github-runner) where they mean the same; docs/migration.md maps them.
# Lambda behaviour left null uses the default defined once in lambdas/src/config/schema.ts.

variable "prefix" {
  description = "Names every resource and is the value of the `ghr:environment` tag: the fleet's identity in a shared account."
  type        = string
  default     = "github-actions"

  # No "_": pool-level names are `<prefix>_<pool>`, and only a separator that neither part may
  # contain keeps prefix "ghr" + pool "prod-x" apart from prefix "ghr-prod" + pool "x".
  validation {
    condition     = can(regex("^[a-z0-9-]{1,32}$", var.prefix))
    error_message = "prefix names IAM roles, functions, queues and SSM paths; 1-32 lowercase letters, digits and dashes keep every derived name within AWS limits, and no \"_\" keeps `<prefix>_<pool>` names from colliding."
  }
}

variable "tags" {
  description = "Tags for every resource, runner instances included. Keys must be legal in instance metadata: letters, digits and `+ - = . , _ : @`."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.tags) : can(regex("^[A-Za-z0-9+=.,_:@-]{1,128}$", k))])
    error_message = "Tag keys may hold only letters, digits and + - = . , _ : @ (no \"/\" or spaces): runners read their tags through instance metadata, and EC2 refuses to launch an instance with such a key."
  }

  validation {
    condition     = alltrue([for k, v in var.tags : !startswith(lower(k), "aws:") && !startswith(k, "ghr:") && length(v) <= 256])
    error_message = "Tag keys starting with aws: are reserved by AWS, ghr:* keys are set by this module, and values are at most 256 characters."
  }
}

variable "vpc_id" {
  description = "VPC the runners run in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC id (vpc-...)."
  }
}

variable "subnet_ids" {
  description = "Subnets the runners launch in (private subnets with a route to the internet; a pool may override them)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "subnet_ids needs at least one subnet id (subnet-...): scale-up spreads launches over them."
  }
}

variable "ghes_url" {
  description = "Base URL of GitHub Enterprise Server (e.g. https://github.example.com; its API is HOST/api/v3) or of a GHE.com data-residency enterprise (https://SUBDOMAIN.ghe.com; its API is https://api.SUBDOMAIN.ghe.com); null for github.com."
  type        = string
  default     = null

  validation {
    condition     = var.ghes_url == null || can(regex("^https://[^\\s/]+/?$", coalesce(var.ghes_url, "-")))
    error_message = "ghes_url must be the server's https base URL (https://HOST, or https://SUBDOMAIN.ghe.com), without /api/v3 or api. (the module derives the API URL): the Lambdas send the App's tokens there, which plain http would expose."
  }
}

variable "github_app" {
  description = "GitHub App settings that are not secret: existing SSM parameters to use (`id_ssm`, `key_base64_ssm`, `webhook_secret_ssm`, each `{ name, arn }`) instead of creating them, installation ids per owner, how long Lambdas cache the credentials, and `secrets_version` (raise it to write new `github_app_secrets` values)."
  type = object({
    id_ssm                  = optional(object({ name = string, arn = string }))
    key_base64_ssm          = optional(object({ name = string, arn = string }))
    webhook_secret_ssm      = optional(object({ name = string, arn = string }))
    installation_ids        = optional(map(number))
    secret_cache_in_seconds = optional(number)
    kms_key_arn             = optional(string)
    secrets_version         = optional(number, 1)
  })
  default = {}

  validation {
    condition = alltrue([for ref in [var.github_app.id_ssm, var.github_app.key_base64_ssm, var.github_app.webhook_secret_ssm] :
    ref == null || try(can(regex("^/[A-Za-z0-9_./-]+$", ref.name)) && can(regex("^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/", ref.arn)) && endswith(ref.arn, ref.name), false)])
    error_message = "Each existing parameter needs a name starting with \"/\" and the ARN of that same parameter (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME): IAM grants read access by ARN."
  }

  validation {
    condition     = alltrue([for owner, id in coalesce(var.github_app.installation_ids, {}) : can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}(/[A-Za-z0-9._-]{1,100})?$", owner)) && id >= 1 && floor(id) == id])
    error_message = "github_app.installation_ids maps an organization or \"owner/repo\" to a positive whole installation id."
  }

  validation {
    condition     = var.github_app.secret_cache_in_seconds == null || try(var.github_app.secret_cache_in_seconds >= local.limits["github.secretCacheSeconds"].min && var.github_app.secret_cache_in_seconds <= local.limits["github.secretCacheSeconds"].max, false)
    error_message = "github_app.secret_cache_in_seconds must be ${local.limits["github.secretCacheSeconds"].min}-${local.limits["github.secretCacheSeconds"].max}: a rotated key must be picked up within the hour."
  }

  validation {
    condition     = var.github_app.secrets_version >= 1 && floor(var.github_app.secrets_version) == var.github_app.secrets_version
    error_message = "github_app.secrets_version must be a whole number >= 1: the secrets are write-only, so Terraform writes new values only when this number changes."
  }
}

variable "github_app_secrets" {
  description = "GitHub App secrets stored by the module as SecureString parameters: `id`, `key_base64` (base64 of the PEM private key), `webhook_secret`. Written as write-only values: kept in neither plan nor state (ephemeral; pass them again when applying a saved plan). Leave a field null when github_app references an existing parameter for it."
  type = object({
    id             = optional(string)
    key_base64     = optional(string)
    webhook_secret = optional(string)
  })
  default   = {}
  sensitive = true
  ephemeral = true

  validation {
    condition     = var.github_app_secrets.key_base64 == null || can(base64decode(coalesce(var.github_app_secrets.key_base64, "-")))
    error_message = "github_app_secrets.key_base64 must be base64 (e.g. `base64 -w0 app.private-key.pem`): the Lambdas decode it before use."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the GitHub App parameters the module creates; null uses the AWS-managed key aws/ssm."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", coalesce(var.kms_key_arn, "-")))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:...); IAM grants decrypt by ARN."
  }
}

variable "ssm_paths" {
  description = "SSM parameter paths: `/<root>/<prefix>/<app|runners|scale_down>`. Every Lambda's SSM access is limited to these paths."
  type = object({
    root       = optional(string, "github-action-runners")
    app        = optional(string, "app")
    runners    = optional(string, "runners")
    scale_down = optional(string, "scale-down")
  })
  default = {}

  validation {
    condition     = alltrue([for p in [var.ssm_paths.root, var.ssm_paths.app, var.ssm_paths.runners, var.ssm_paths.scale_down] : can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", p))])
    error_message = "ssm_paths parts hold letters, digits, _ . - and inner \"/\", with no leading or trailing \"/\": the module joins them."
  }
}

variable "log_level" {
  description = "Log level of the Lambdas: debug, info, warn or error. null uses the Lambdas' default (info)."
  type        = string
  default     = null

  validation {
    condition     = var.log_level == null || contains(local.limits["logLevel"].values, upper(coalesce(var.log_level, "info")))
    error_message = "log_level must be one of ${join(", ", [for v in local.limits["logLevel"].values : lower(v)])}."
  }
}

variable "lambda" {
  description = "Settings shared by the Lambdas: runtime, architecture, log retention and encryption, VPC placement, IAM role path and permissions boundary."
  type = object({
    runtime                   = optional(string, "nodejs22.x")
    architecture              = optional(string, "arm64")
    log_retention_in_days     = optional(number, 30)
    log_kms_key_arn           = optional(string)
    subnet_ids                = optional(list(string), [])
    security_group_ids        = optional(list(string), [])
    role_path                 = optional(string, "/")
    role_permissions_boundary = optional(string)
  })
  default = {}

  validation {
    condition     = contains(["nodejs20.x", "nodejs22.x"], var.lambda.runtime)
    error_message = "lambda.runtime must be nodejs20.x or nodejs22.x: the bundles need Node.js 20+, and nodejs24.x is unknown to AWS provider 5.x."
  }

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda.architecture)
    error_message = "lambda.architecture must be arm64 or x86_64; the bundles are plain JavaScript and run on both."
  }

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.lambda.log_retention_in_days)
    error_message = "lambda.log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ... 3653)."
  }

  validation {
    condition     = (length(var.lambda.subnet_ids) == 0) == (length(var.lambda.security_group_ids) == 0)
    error_message = "lambda.subnet_ids and lambda.security_group_ids go together: a Lambda in a VPC needs both, one outside needs neither."
  }
}

variable "lambda_zips" {
  description = "Where each Lambda's package comes from: a local zip `path` or an S3 object (`s3_bucket`, `s3_key`, optional `s3_object_version`, `source_code_hash`). Unset: the module's own `npm run build` output, `<module>/dist/lambdas/<function>.zip`."
  type = object({
    webhook = optional(object({
      path              = optional(string)
      s3_bucket         = optional(string)
      s3_key            = optional(string)
      s3_object_version = optional(string)
      source_code_hash  = optional(string)
    }), {})
    scale_up = optional(object({
      path              = optional(string)
      s3_bucket         = optional(string)
      s3_key            = optional(string)
      s3_object_version = optional(string)
      source_code_hash  = optional(string)
    }), {})
    scale_down = optional(object({
      path              = optional(string)
      s3_bucket         = optional(string)
      s3_key            = optional(string)
      s3_object_version = optional(string)
      source_code_hash  = optional(string)
    }), {})
    runner_cache = optional(object({
      path              = optional(string)
      s3_bucket         = optional(string)
      s3_key            = optional(string)
      s3_object_version = optional(string)
      source_code_hash  = optional(string)
    }), {})
  })
  default = {}

  validation {
    condition     = alltrue([for z in [var.lambda_zips.webhook, var.lambda_zips.scale_up, var.lambda_zips.scale_down, var.lambda_zips.runner_cache] : !(z.path != null && z.s3_bucket != null) && (z.s3_bucket == null) == (z.s3_key == null)])
    error_message = "Each Lambda package is a local path or an S3 object, not both; an S3 object needs both s3_bucket and s3_key."
  }
}

variable "webhook" {
  description = "Webhook: `ingress` (http_api: API Gateway HTTP API), function timeout and memory, reserved concurrency (default 20, -1 unreserved; caps what a webhook flood can take from the account and the bill), largest accepted body."
  type = object({
    ingress              = optional(string, "http_api")
    timeout              = optional(number, 10)
    memory_size          = optional(number, 256)
    reserved_concurrency = optional(number, 20)
    max_body_bytes       = optional(number)
  })
  default = {}

  validation {
    condition     = var.webhook.ingress == "http_api"
    error_message = "webhook.ingress must be http_api: a public Lambda function URL needs lambda:InvokeFunction for \"*\", which hashicorp/aws 5.x cannot limit to URL calls (lambda:InvokedViaFunctionUrl needs provider >= 6.28)."
  }

  # Anyone on the internet can post to the endpoint; an unauthenticated flood costs one short
  # invocation each. A cap keeps the flood from taking the account's concurrency (and scale-up's,
  # scale-down's) and bounds what it costs; GitHub's real rate is far below 20 × 1/duration.
  validation {
    condition     = var.webhook.reserved_concurrency == -1 || (var.webhook.reserved_concurrency >= 1 && floor(var.webhook.reserved_concurrency) == var.webhook.reserved_concurrency)
    error_message = "webhook.reserved_concurrency must be -1 (unreserved) or a whole number >= 1: 0 would refuse every webhook."
  }

  validation {
    condition     = var.webhook.max_body_bytes == null || try(var.webhook.max_body_bytes >= local.limits["maxBodyBytes"].min && var.webhook.max_body_bytes <= local.limits["maxBodyBytes"].max, false)
    error_message = "webhook.max_body_bytes must be ${local.limits["maxBodyBytes"].min}-${local.limits["maxBodyBytes"].max}: GitHub caps webhook payloads at 25 MB."
  }
}

variable "queues" {
  description = "Per-pool queues: encryption key (null: SQS-managed SSE) of every queue, the job queues' retention, and after how many failed receives a message (a job, or a reusable pool's recycle request) moves to the pool's dead-letter queue."
  type = object({
    kms_key_arn                   = optional(string)
    message_retention_seconds     = optional(number, 86400)
    dlq_max_receive_count         = optional(number, 3)
    dlq_message_retention_seconds = optional(number, 1209600)
  })
  default = {}

  validation {
    condition     = var.queues.message_retention_seconds >= 60 && var.queues.message_retention_seconds <= 1209600 && var.queues.dlq_message_retention_seconds >= 60 && var.queues.dlq_message_retention_seconds <= 1209600
    error_message = "Queue retention must be 60-1209600 seconds (SQS limits)."
  }

  validation {
    condition     = var.queues.dlq_max_receive_count >= 1 && var.queues.dlq_max_receive_count <= 1000
    error_message = "queues.dlq_max_receive_count must be 1-1000 (SQS redrive limit)."
  }
}

variable "scale_up" {
  description = "Scale-up: function timeout, memory and reserved concurrency (null: max(10, 2 × queue triggers), -1 unreserved; one trigger per pool's job queue plus one per reusable pool's recycle queue), queue batch and per-trigger maximum concurrency (null: the reserved concurrency shared by the triggers), registration kind (`jit`, or `token` for GHES without JIT), whether to check a job is still queued before launching, and `job_retry` (upstream's shape: `enable`, `delay_in_seconds`, `max_attempts`; on by default here, 2 re-checks 180 s apart, for ephemeral pools with the queued-job check)."
  type = object({
    timeout                            = optional(number, 60)
    memory_size                        = optional(number, 512)
    reserved_concurrency               = optional(number)
    batch_size                         = optional(number, 10)
    maximum_batching_window_in_seconds = optional(number, 0)
    maximum_concurrency                = optional(number)
    registration                       = optional(string)
    enable_job_queued_check            = optional(bool)
    job_retry = optional(object({
      enable           = optional(bool)
      delay_in_seconds = optional(number)
      max_attempts     = optional(number)
    }))
  })
  default = {}

  # Upstream's job_retry, same shape: after a launch, the job is checked again after the delay, and
  # launched for again if still queued (GitHub may have given the new runner an older job).
  validation {
    condition = var.scale_up.job_retry == null || try(
      (var.scale_up.job_retry.delay_in_seconds == null || try(var.scale_up.job_retry.delay_in_seconds >= local.limits["jobRecheck.delaySeconds"].min && var.scale_up.job_retry.delay_in_seconds <= local.limits["jobRecheck.delaySeconds"].max && floor(var.scale_up.job_retry.delay_in_seconds) == var.scale_up.job_retry.delay_in_seconds, false)) &&
      (var.scale_up.job_retry.max_attempts == null || try(var.scale_up.job_retry.max_attempts >= local.limits["jobRecheck.maxRechecks"].min && var.scale_up.job_retry.max_attempts <= local.limits["jobRecheck.maxRechecks"].max && floor(var.scale_up.job_retry.max_attempts) == var.scale_up.job_retry.max_attempts, false)),
    false)
    error_message = "scale_up.job_retry.delay_in_seconds must be whole seconds ${local.limits["jobRecheck.delaySeconds"].min}-${local.limits["jobRecheck.delaySeconds"].max} (at least a runner's boot-to-online) and max_attempts ${local.limits["jobRecheck.maxRechecks"].min}-${local.limits["jobRecheck.maxRechecks"].max}."
  }

  validation {
    condition     = var.scale_up.registration == null || contains(local.limits["registration"].values, coalesce(var.scale_up.registration, "jit"))
    error_message = "scale_up.registration must be jit, or token only for GitHub Enterprise Server versions without JIT: JIT registrations are what makes retirement safe."
  }

  validation {
    condition     = var.scale_up.timeout >= 10 && var.scale_up.timeout <= 900
    error_message = "scale_up.timeout must be 10-900 seconds; the queue's visibility timeout is set to six times it."
  }

  # Reserved concurrency guarantees scale-up capacity whatever else runs in the account (a webhook
  # flood included) and bounds its launch rate. The queue triggers (job and recycle queues) share
  # it, at least 2 each (the SQS minimum); modules/scale-up refuses a reservation they would exceed.
  validation {
    condition = var.scale_up.reserved_concurrency == null || try(var.scale_up.reserved_concurrency == -1 || (
      floor(var.scale_up.reserved_concurrency) == var.scale_up.reserved_concurrency && var.scale_up.reserved_concurrency >= 2 &&
      (var.scale_up.maximum_concurrency == null || try(var.scale_up.maximum_concurrency <= var.scale_up.reserved_concurrency, false))
    ), false)
    error_message = "scale_up.reserved_concurrency must be -1 (unreserved) or a whole number >= 2 and >= maximum_concurrency: a queue trigger needs 2, and triggers polling past the reservation get throttled batches that dead-letter jobs."
  }
}

variable "scale_down" {
  description = "Scale-down: schedule, function timeout and memory, settle time, quarantine runner group (org pools), GitHub API concurrency, lease TTL. Unset values take the Lambdas' defaults (modules/lambda-config/limits.json)."
  type = object({
    schedule_expression   = optional(string, "rate(5 minutes)")
    timeout               = optional(number, 300)
    memory_size           = optional(number, 512)
    settle_seconds        = optional(number)
    quarantine_group_name = optional(string)
    concurrency_global    = optional(number)
    concurrency_per_owner = optional(number)
    lease_ttl_seconds     = optional(number)
  })
  default = {}

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.scale_down.schedule_expression))
    error_message = "scale_down.schedule_expression must be rate(N minutes|hours|days) or cron(...), as EventBridge Scheduler expects."
  }

  validation {
    condition     = var.scale_down.settle_seconds == null || try(var.scale_down.settle_seconds >= local.limits["settleSeconds"].min && var.scale_down.settle_seconds <= local.limits["settleSeconds"].max, false)
    error_message = "scale_down.settle_seconds must be ${local.limits["settleSeconds"].min}-${local.limits["settleSeconds"].max}."
  }

  # The run waits out the settle period itself (architecture.md §3 step 4), so it must outlast it.
  validation {
    condition     = var.scale_down.timeout <= 900 && var.scale_down.timeout >= coalesce(var.scale_down.settle_seconds, local.limits["settleSeconds"].default) + 60
    error_message = "scale_down.timeout must be at most 900 and at least settle_seconds (default ${local.limits["settleSeconds"].default}) + 60: a run waits out the settle period before its re-check."
  }

  validation {
    condition     = var.scale_down.lease_ttl_seconds == null || try(var.scale_down.lease_ttl_seconds >= local.limits["lease.ttlSeconds"].min && var.scale_down.lease_ttl_seconds <= local.limits["lease.ttlSeconds"].max, false)
    error_message = "scale_down.lease_ttl_seconds must be ${local.limits["lease.ttlSeconds"].min}-${local.limits["lease.ttlSeconds"].max}."
  }

  # Guarantee 4 of docs/safety.md: the Lambda's timeout ends a run before its lease can expire, with
  # the margin in which a run stops acting (lambdas/src/config/run-budget.ts).
  validation {
    condition     = coalesce(var.scale_down.lease_ttl_seconds, local.limits["lease.ttlSeconds"].default) >= var.scale_down.timeout + local.limits["constant.leaseMarginSeconds"].default
    error_message = "scale_down.lease_ttl_seconds (default ${local.limits["lease.ttlSeconds"].default}) must be at least scale_down.timeout + ${local.limits["constant.leaseMarginSeconds"].default}, so a run's lease cannot expire while it may still act."
  }
}

variable "alarms" {
  description = "CloudWatch alarms: Lambda errors and throttles, dead-letter queue depth, and spikes of scale-down's \"skipped because busy\" metric (dimensions `skipped_busy_dimensions` plus `environment` = prefix, always added so another deployment's metrics never trip it). `actions` are notified (e.g. SNS topic ARNs)."
  type = object({
    enabled                  = optional(bool, true)
    actions                  = optional(list(string), [])
    period_seconds           = optional(number, 300)
    lambda_errors_threshold  = optional(number, 1)
    dlq_messages_threshold   = optional(number, 1)
    skipped_busy_threshold   = optional(number, 20)
    metrics_namespace        = optional(string, "GitHubRunnerFleet")
    skipped_busy_metric_name = optional(string, "skippedBusy")
    skipped_busy_dimensions  = optional(map(string), { service = "scale-down" })
  })
  default = {}

  validation {
    condition     = var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0
    error_message = "alarms.period_seconds must be a multiple of 60 (CloudWatch standard-resolution metrics)."
  }

  validation {
    condition     = !contains(keys(var.alarms.skipped_busy_dimensions), "environment")
    error_message = "alarms.skipped_busy_dimensions must not set environment: the module sets it to the prefix, so the alarm only ever counts this deployment's runs."
  }
}
