variable "prefix" {
  description = "Deployment prefix; names the function, the schedule and the scheduler role."
  type        = string
}

variable "environment" {
  description = "Value of the `ghr:environment` tag; scale-down may only tag and terminate instances carrying it."
  type        = string
}

variable "schedule_expression" {
  description = "When scale-down runs (EventBridge Scheduler rate() or cron() expression)."
  type        = string
  default     = "rate(5 minutes)"

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.schedule_expression))
    error_message = "schedule_expression must be rate(N minutes|hours|days) or cron(...) as EventBridge Scheduler expects."
  }
}

variable "schedule_timezone" {
  description = "Time zone of a cron() schedule expression."
  type        = string
  default     = "UTC"
}

variable "lambda" {
  description = "Settings of the shared lambda-function module for this function. Reserved concurrency is always 1 (one writer)."
  type = object({
    runtime                   = string
    architecture              = string
    log_retention_in_days     = number
    log_kms_key_arn           = optional(string)
    vpc                       = optional(object({ subnet_ids = list(string), security_group_ids = list(string) }))
    role_path                 = optional(string, "/")
    role_permissions_boundary = optional(string)
    timeout                   = optional(number, 300)
    memory_size               = optional(number, 512)
  })
}

variable "zip" {
  description = "Deployment package of the scale-down function (see lambda-function's `zip`)."
  type = object({
    path              = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
    source_code_hash  = optional(string)
  })
}

variable "config_json" {
  description = "FLEET_CONFIG of the scale-down function, rendered by modules/lambda-config."
  type        = string
}

variable "github_parameter_arns" {
  description = "ARNs of the GitHub App id and private key parameters."
  type        = list(string)
}

variable "runner_config_path" {
  description = "SSM path of the per-instance runner configs; scale-down deletes those their instances left behind."
  type        = string
}

variable "lease_parameter_name" {
  description = "SSM parameter scale-down creates (without overwrite, with an expiry) as its lease, so two runs never act at once."
  type        = string

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./-]+$", var.lease_parameter_name))
    error_message = "lease_parameter_name must be an SSM parameter name starting with \"/\"."
  }
}

variable "queue_arns" {
  description = "ARNs of the pools' job queues (never their recycle queues); scale-down reads their depth (GetQueueAttributes) to return quarantined runners to pools with waiting jobs."
  type        = list(string)
  default     = []
}

variable "ssm_kms_key_arns" {
  description = "Customer-managed KMS keys of the GitHub App parameters (null entries are ignored)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource of this module."
  type        = map(string)
  default     = {}
}
