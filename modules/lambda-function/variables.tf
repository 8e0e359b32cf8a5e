variable "name" {
  description = "Function name; also names the role (`<name>-lambda`) and the log group (`/aws/lambda/<name>`)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,57}$", var.name))
    error_message = "name must be 1-57 letters, digits, dashes or underscores: Lambda allows 64 characters and the role name appends \"-lambda\"."
  }
}

variable "description" {
  description = "Function description shown in the console."
  type        = string
  default     = ""
}

variable "policy_json" {
  description = "IAM policy (JSON) with the function's own permissions. Logging and, with `vpc`, network-interface permissions are added by this module."
  type        = string
}

variable "config_json" {
  description = "The function's configuration, passed as the single environment variable FLEET_CONFIG (parsed by the Lambda's zod schema at cold start)."
  type        = string

  validation {
    condition     = can(jsondecode(var.config_json))
    error_message = "config_json must be valid JSON: the Lambda parses it at cold start and refuses to start otherwise."
  }
}

variable "zip" {
  description = "Deployment package: a local zip `path`, or an S3 object (`s3_bucket`, `s3_key`, optional `s3_object_version` and `source_code_hash`)."
  type = object({
    path              = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
    source_code_hash  = optional(string)
  })

  validation {
    condition     = (var.zip.path != null) != (var.zip.s3_bucket != null && var.zip.s3_key != null)
    error_message = "zip needs exactly one source: a local `path`, or both `s3_bucket` and `s3_key`."
  }
}

variable "handler" {
  description = "Entry point inside the zip; the build writes index.mjs exporting `handler`."
  type        = string
  default     = "index.handler"
}

variable "runtime" {
  description = "Lambda runtime. The bundles target Node.js 20+; nodejs22.x is the newest runtime AWS provider 5.x accepts."
  type        = string
  default     = "nodejs22.x"

  validation {
    condition     = contains(["nodejs20.x", "nodejs22.x"], var.runtime)
    error_message = "runtime must be nodejs20.x or nodejs22.x: the bundles need Node.js 20+ and nodejs24.x is unknown to AWS provider 5.x."
  }
}

variable "architecture" {
  description = "Instruction set of the function: arm64 (cheaper per GB-second) or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64, the two Lambda supports."
  }
}

variable "timeout" {
  description = "Timeout in seconds."
  type        = number
  default     = 30

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 1 to 900 (Lambda's maximum)."
  }
}

variable "memory_size" {
  description = "Memory in MB (CPU scales with it)."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240 (Lambda's limits)."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency; -1 leaves the function unreserved. Scale-down uses 1 so two runs never overlap."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions >= -1 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions
    error_message = "reserved_concurrent_executions must be -1 (unreserved) or a whole number >= 0."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key ARN that encrypts the log group; null uses CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "vpc" {
  description = "Run the function in a VPC: subnets and security groups. null runs it outside any VPC."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition     = var.vpc == null || try(length(var.vpc.subnet_ids) > 0 && length(var.vpc.security_group_ids) > 0, false)
    error_message = "vpc needs at least one subnet id and one security group id; use null to run outside a VPC."
  }
}

variable "role_path" {
  description = "Path of the function's IAM role."
  type        = string
  default     = "/"
}

variable "role_permissions_boundary" {
  description = "ARN of a permissions boundary for the function's role, if your account requires one."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource of this module."
  type        = map(string)
  default     = {}
}
