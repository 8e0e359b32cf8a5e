variable "prefix" {
  description = "Deployment prefix; names the pool's launch template, role and security group."
  type        = string
}

variable "environment" {
  description = "Value of the `ghr:environment` tag; the runner role may only touch instances carrying it."
  type        = string
}

variable "pool_name" {
  description = "Name of the pool (the key in runner_pools)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]{1,32}$", var.pool_name))
    error_message = "pool_name must be 1-32 lowercase letters, digits and dashes: it names queues, roles and launch templates."
  }
}

variable "pool" {
  description = "The pool's settings, as in the root module's runner_pools (defaults applied there)."
  type = object({
    owner                       = string
    enable_organization_runners = bool
    enable_ephemeral_runners    = bool
    runner_architecture         = string
    ami_id                      = optional(string)
    ami_ssm_parameter_name      = optional(string)
    volume_size_in_gb           = number
    runner_version              = string
    runner_run_as               = string
    enable_ssm_on_runners       = bool
    userdata_pre_install        = string
    userdata_post_install       = string
    key_name                    = optional(string)
  })

  validation {
    condition     = contains(["x64", "arm64"], var.pool.runner_architecture)
    error_message = "runner_architecture must be x64 or arm64 (the actions/runner builds for Linux)."
  }
}

variable "vpc_id" {
  description = "VPC of the pool's security group."
  type        = string
}

variable "queue_arn" {
  description = "ARN of the pool's queue; reusable runners send their recycle request to it."
  type        = string
}

variable "queue_url" {
  description = "URL of the pool's queue, handed to the agent."
  type        = string
}

variable "kms_key_arns" {
  description = "KMS keys the runner must use: the key of its runner config parameter and of its queue (null entries are ignored)."
  type        = list(string)
  default     = []
}

variable "runner_config_path" {
  description = "SSM path under which scale-up writes each instance's runner config (`<path>/<instance-id>`)."
  type        = string
}

variable "role_path" {
  description = "Path of the runner's IAM role."
  type        = string
  default     = "/"
}

variable "role_permissions_boundary" {
  description = "Permissions boundary for the runner's role, if required."
  type        = string
  default     = null
}

variable "instance_tags" {
  description = "Tags put on every instance and volume of the pool (the ghr:* identity tags plus user tags); keys must be legal in instance metadata."
  type        = map(string)
}

variable "tags" {
  description = "Tags for the pool's AWS resources other than instances."
  type        = map(string)
  default     = {}
}
