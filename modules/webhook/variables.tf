variable "prefix" {
  description = "Deployment prefix; names the function and the queues."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]{1,32}$", var.prefix))
    error_message = "prefix must be 1-32 lowercase letters, digits and dashes: no \"_\" keeps `<prefix>_<pool>[_<kind>]` queue names from colliding, and the length keeps them within SQS's 80 characters."
  }
}

variable "environment" {
  description = "Value of the `ghr:environment` tag; the webhook may only tag instances carrying it."
  type        = string
}

variable "pool_names" {
  description = "Names of the runner pools; each gets a job queue and a dead-letter queue."
  type        = set(string)

  validation {
    condition     = alltrue([for name in var.pool_names : can(regex("^[a-z0-9-]{1,32}$", name))])
    error_message = "Pool names must be 1-32 lowercase letters, digits and dashes: no \"_\" keeps `<prefix>_<pool>[_<kind>]` queue names from colliding, and the length keeps them within SQS's 80 characters."
  }
}

variable "reusable_pool_names" {
  description = "The pools of pool_names whose runners are reusable (not ephemeral): each also gets a recycle queue, `<prefix>_<pool>_recycle`, the only queue its runners may send to."
  type        = set(string)
  default     = []

  validation {
    condition     = length(setsubtract(var.reusable_pool_names, var.pool_names)) == 0
    error_message = "reusable_pool_names must be a subset of pool_names: a recycle queue belongs to a pool, and dead-letters into that pool's DLQ."
  }
}

variable "ingress" {
  description = "How GitHub reaches the webhook: `http_api` (API Gateway HTTP API, route POST /webhook), the only ingress with no public invoke permission under hashicorp/aws 5.x (see ingress.tf)."
  type        = string
  default     = "http_api"

  validation {
    condition     = var.ingress == "http_api"
    error_message = "ingress must be http_api: a public function URL needs lambda:InvokeFunction for \"*\", which hashicorp/aws 5.x cannot limit to URL calls (lambda:InvokedViaFunctionUrl needs provider >= 6.28)."
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
    reserved_concurrency      = optional(number, -1)
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

variable "webhook_secret_parameter_arn" {
  description = "ARN of the webhook secret's SSM parameter: the only parameter the internet-facing function may read."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/", var.webhook_secret_parameter_arn))
    error_message = "webhook_secret_parameter_arn must be an SSM parameter ARN: IAM grants the read on exactly that ARN."
  }
}

variable "ssm_kms_key_arns" {
  description = "Customer-managed KMS keys of the webhook secret parameter (null entries are ignored; AWS-managed keys need no grant)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource of this module."
  type        = map(string)
  default     = {}
}
