variable "prefix" {
  description = "Deployment prefix; names the function and the queues."
  type        = string
}

variable "environment" {
  description = "Value of the `ghr:environment` tag; the webhook may only tag instances carrying it."
  type        = string
}

variable "pool_names" {
  description = "Names of the runner pools; each gets a queue and a dead-letter queue."
  type        = set(string)
}

variable "ingress" {
  description = "How GitHub reaches the webhook: `function_url` (a Lambda function URL, default) or `http_api` (API Gateway HTTP API, route POST /webhook)."
  type        = string
  default     = "function_url"

  validation {
    condition     = contains(["function_url", "http_api"], var.ingress)
    error_message = "ingress must be function_url or http_api."
  }
}

variable "queue" {
  description = "Queue settings shared by every pool's queue and dead-letter queue."
  type = object({
    kms_key_arn                   = optional(string)
    message_retention_seconds     = optional(number, 86400)
    visibility_timeout_seconds    = optional(number, 180)
    dlq_max_receive_count         = optional(number, 3)
    dlq_message_retention_seconds = optional(number, 1209600)
  })
  default = {}
}

variable "lambda" {
  description = "Settings of the shared lambda-function module (runtime, architecture, logs, VPC, role) for this function."
  type = object({
    runtime                   = string
    architecture              = string
    log_retention_in_days     = number
    log_kms_key_arn           = optional(string)
    vpc                       = optional(object({ subnet_ids = list(string), security_group_ids = list(string) }))
    role_path                 = optional(string, "/")
    role_permissions_boundary = optional(string)
    timeout                   = optional(number, 10)
    memory_size               = optional(number, 256)
  })
}

variable "zip" {
  description = "Deployment package of the webhook function (see lambda-function's `zip`)."
  type = object({
    path              = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
    source_code_hash  = optional(string)
  })
}

variable "config_json" {
  description = "FLEET_CONFIG of the webhook function, rendered by modules/lambda-config."
  type        = string
}

variable "github_parameter_arns" {
  description = "ARNs of the SSM parameters the function reads (GitHub App id, key, webhook secret)."
  type        = list(string)
}

variable "ssm_kms_key_arns" {
  description = "Customer-managed KMS keys of those parameters (null entries are ignored; AWS-managed keys need no grant)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource of this module."
  type        = map(string)
  default     = {}
}
