variable "prefix" {
  description = "Deployment prefix: names the bucket (`<prefix>-<account id>-<region>`), the function and its schedule."
  type        = string
}

variable "environment" {
  description = "Value of the `ghr:environment` tag; in the function's configuration."
  type        = string
}

variable "log_level" {
  description = "Log level of the runner-cache function (debug, info, warn, error); null: the function's default."
  type        = string
  default     = null
}

variable "runner_cache" {
  description = "The runner binary cache; null: none (pools download actions/runner from GitHub). `latest`: architectures of pools on the newest release; `pinned`: exact versions with their SHA-256."
  type = object({
    latest              = list(string)
    pinned              = list(object({ version = string, arch = string, sha256 = string }))
    schedule_expression = string
    timeout             = number
    memory_size         = number
  })
  default = null

  validation {
    condition     = var.runner_cache == null || can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.runner_cache.schedule_expression))
    error_message = "runner_cache.schedule_expression must be rate(N minutes|hours|days) or cron(...) as EventBridge Scheduler expects."
  }
}

variable "lambda" {
  description = "Settings of the shared lambda-function module for the runner-cache function."
  type = object({
    runtime                   = string
    architecture              = string
    log_retention_in_days     = number
    log_kms_key_arn           = optional(string)
    vpc                       = optional(object({ subnet_ids = list(string), security_group_ids = list(string) }))
    role_path                 = optional(string, "/")
    role_permissions_boundary = optional(string)
  })
}

variable "zip" {
  description = "Deployment package of the runner-cache function (see lambda-function's `zip`)."
  type = object({
    path              = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
    source_code_hash  = optional(string)
  })
  default = {}
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
