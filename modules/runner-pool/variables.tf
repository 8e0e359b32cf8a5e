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
    image_profile               = optional(string, "al2023")
    root_device_name            = optional(string)
    volume_type                 = optional(string, "gp3")
    volume_iops                 = optional(number)
    volume_throughput           = optional(number)
    ebs_kms_key_arn             = optional(string)
    install_docker              = optional(bool, true)
    install_git                 = optional(bool, true)
    runner_version              = string # a release (2.329.0) or "latest" (the cache's newest; needs artifacts.runner_cache)
    runner_sha256               = string # of runner_version, or for "latest" of the pinned release user data falls back to
    runner_fallback_version     = optional(string)
    runner_run_as               = string
    enable_ssm_on_runners       = bool
    userdata_pre_install        = string
    userdata_post_install       = string
    key_name                    = optional(string)
    metadata_hop_limit          = optional(number, 1)
    security_group_ids          = optional(list(string), [])
    associate_public_ip_address = optional(bool, false)
    enable_detailed_monitoring  = optional(bool, false)
    userdata_template           = optional(string)
  })

  validation {
    condition     = contains(["x64", "arm64"], var.pool.runner_architecture)
    error_message = "runner_architecture must be x64 or arm64 (the actions/runner builds for Linux)."
  }

  validation {
    condition     = contains(["al2023", "ubuntu", "prebuilt"], var.pool.image_profile) && (var.pool.image_profile != "prebuilt" || var.pool.ami_id != null || var.pool.ami_ssm_parameter_name != null)
    error_message = "image_profile must be al2023, ubuntu or prebuilt; a prebuilt pool names its AMI (ami_id or ami_ssm_parameter_name)."
  }

  validation {
    condition     = var.pool.metadata_hop_limit >= 1 && var.pool.metadata_hop_limit <= 64 && floor(var.pool.metadata_hop_limit) == var.pool.metadata_hop_limit
    error_message = "metadata_hop_limit must be a whole number from 1 to 64 (1: containers on the runner cannot reach the instance's credentials)."
  }

  validation {
    condition     = length(var.pool.security_group_ids) <= 4 && alltrue([for g in var.pool.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", g))])
    error_message = "security_group_ids lists at most 4 security group ids (sg-...), added to the pool's own group (EC2 allows 5 per network interface)."
  }

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.pool.runner_sha256))
    error_message = "runner_sha256 must be the lowercase hex SHA-256 of the runner tarball: user data refuses to unpack a tarball that does not match it."
  }
}

variable "artifacts" {
  description = "The module's artifact bucket (modules/artifacts): the agent and its unit user data fetches, and whether the bucket holds the runner binary cache."
  type = object({
    bucket        = string
    bucket_arn    = string
    script_key    = string
    script_sha256 = string
    unit_key      = string
    unit_sha256   = string
    runner_cache  = bool
  })

  validation {
    condition     = alltrue([for sum in [var.artifacts.script_sha256, var.artifacts.unit_sha256] : can(regex("^[0-9a-f]{64}$", sum))])
    error_message = "artifacts.script_sha256 and unit_sha256 are the lowercase hex SHA-256 of the agent files: user data refuses files that do not match."
  }
}

variable "vpc_id" {
  description = "VPC of the pool's security group."
  type        = string
}

variable "recycle_queue" {
  description = "Reusable pools: the pool's recycle queue (`arn`, `url`), the one queue its runners may send to (their recycle requests; the agent gets the URL as GHR_QUEUE_URL). null for an ephemeral pool, whose runners send nothing and get no sqs:SendMessage."
  type = object({
    arn = string
    url = string
  })
  default = null

  validation {
    condition     = (var.recycle_queue == null) == var.pool.enable_ephemeral_runners
    error_message = "recycle_queue must be set for a reusable pool (its runners ask it for their next registration) and null for an ephemeral pool (its runners may send no message at all)."
  }

  validation {
    condition     = var.recycle_queue == null || try(can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", var.recycle_queue.arn)) && can(regex("^https://", var.recycle_queue.url)), false)
    error_message = "recycle_queue needs an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME), the runner role's only SendMessage resource, and the queue's https URL."
  }
}

variable "queue_kms_key_arn" {
  description = "Customer-managed KMS key of the pool's queues, if any: a reusable pool's runner encrypts its recycle request with it (through SQS only)."
  type        = string
  default     = null
}

variable "runner_config_path" {
  description = "SSM path of the runner configs; this pool's are `<path>/<pool>/<instance-id>`, and a runner may read and delete only its own."
  type        = string

  validation {
    condition     = can(regex("^/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.runner_config_path))
    error_message = "runner_config_path must be an SSM path starting with \"/\", without a trailing \"/\": the pool and instance id are appended."
  }
}

variable "fleet_parameter_path" {
  description = "SSM path of everything this deployment stores (`/<root>/<prefix>`): the runner's role is denied every read and listing under it but its own registration."
  type        = string

  validation {
    condition     = can(regex("^/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.fleet_parameter_path))
    error_message = "fleet_parameter_path must be an SSM path starting with \"/\", without a trailing \"/\"."
  }
}

variable "github_parameter_arns" {
  description = "ARNs of the GitHub App parameters (id, key, webhook secret), wherever they live: the runner's role is denied reading them, whatever else is attached to it."
  type        = list(string)

  validation {
    condition     = length(var.github_parameter_arns) > 0
    error_message = "github_parameter_arns must list the GitHub App parameters: the deny that keeps them from jobs needs at least one ARN."
  }
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

variable "logs" {
  description = "Instance logs: when enabled, a log group `/github-runners/<prefix>_<pool>` (retention in days, optional KMS key) that the instances' CloudWatch agent ships user data, agent and runner logs to."
  type = object({
    enabled           = bool
    retention_in_days = number
    kms_key_arn       = optional(string)
  })
  default = { enabled = false, retention_in_days = 30 }
}
