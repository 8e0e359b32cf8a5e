variable "prefix" {
  description = "Deployment prefix; names the function."
  type        = string
}

variable "environment" {
  description = "Value of the `ghr:environment` tag; scale-up may only launch, tag and terminate instances carrying it."
  type        = string
}

variable "queue_arns" {
  description = "ARN of each pool's job queue, by pool name; each gets an event source mapping."
  type        = map(string)
}

variable "recycle_queue_arns" {
  description = "ARN of each reusable pool's recycle queue, by pool name; each gets an event source mapping too. Scale-up receives from them but never sends to them."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(values(var.recycle_queue_arns), values(var.queue_arns))) == 0
    error_message = "A recycle queue must not be a job queue: scale-up tells a job from a recycle request by the queue it came from."
  }
}

variable "dlq_arns" {
  description = "ARN of each pool's dead-letter queue, by pool name; scale-up sends the jobs it cannot launch there."
  type        = map(string)
}

variable "queue_kms_key_arn" {
  description = "Customer-managed KMS key of the queues, if any."
  type        = string
  default     = null
}

variable "batch" {
  description = "Event source mapping settings: messages per invocation and how long to gather them."
  type = object({
    size                               = optional(number, 10)
    maximum_batching_window_in_seconds = optional(number, 0)
    maximum_concurrency                = optional(number)
  })
  default = {}

  validation {
    condition     = var.batch.size >= 1 && var.batch.size <= 10000 && var.batch.maximum_batching_window_in_seconds >= 0 && var.batch.maximum_batching_window_in_seconds <= 300
    error_message = "batch.size must be 1-10000 and maximum_batching_window_in_seconds 0-300 (SQS event source limits)."
  }

  validation {
    condition     = var.batch.maximum_concurrency == null || try(var.batch.maximum_concurrency >= 2 && var.batch.maximum_concurrency <= 1000, false)
    error_message = "batch.maximum_concurrency must be 2-1000 (SQS event source limit) or null."
  }
}

variable "lambda" {
  description = "Settings of the shared lambda-function module for this function."
  type = object({
    runtime                   = string
    architecture              = string
    log_retention_in_days     = number
    log_kms_key_arn           = optional(string)
    vpc                       = optional(object({ subnet_ids = list(string), security_group_ids = list(string) }))
    role_path                 = optional(string, "/")
    role_permissions_boundary = optional(string)
    timeout                   = optional(number, 60)
    memory_size               = optional(number, 512)
    reserved_concurrency      = optional(number, -1)
  })
}

variable "zip" {
  description = "Deployment package of the scale-up function (see lambda-function's `zip`)."
  type = object({
    path              = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
    source_code_hash  = optional(string)
  })
}

variable "config_json" {
  description = "FLEET_CONFIG of the scale-up function, rendered by modules/lambda-config."
  type        = string
}

variable "github_parameter_arns" {
  description = "ARNs of the GitHub App id and private key parameters."
  type        = list(string)
}

variable "runner_config_path" {
  description = "SSM path under which scale-up writes each instance's runner config."
  type        = string
}

variable "ssm_kms_key_arns" {
  description = "Customer-managed KMS keys of the GitHub App parameters (null entries are ignored)."
  type        = list(string)
  default     = []
}

variable "launch_template_arns" {
  description = "ARNs of the pools' launch templates, the only templates scale-up may launch from."
  type        = list(string)
}

variable "ami_parameter_names" {
  description = "SSM parameters the pools' launch templates resolve their AMI from (`resolve:ssm:`): EC2 reads them as the launching principal, so scale-up needs ssm:GetParameters on each (EC2 Auto Scaling user guide, \"Use AWS Systems Manager parameters instead of AMI IDs\")."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.ami_parameter_names : can(regex("^/?[A-Za-z0-9_./-]+$", n)) && length(n) <= 1011])
    error_message = "ami_parameter_names must be SSM parameter names (letters, digits, _ . - /), not ARNs or resolve:ssm: strings."
  }
}

variable "key_pair_names" {
  description = "EC2 key pairs the pools' launch templates name: RunInstances authorizes the key pair as a resource of the launch."
  type        = list(string)
  default     = []
}

variable "ebs_kms_key_arns" {
  description = "Customer-managed KMS keys the pools' root volumes are encrypted with: the launching principal needs them to create the volume (EBS user guide, \"Requirements for Amazon EBS encryption\")."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for k in var.ebs_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", k))])
    error_message = "ebs_kms_key_arns must be KMS key ARNs (arn:aws:kms:REGION:ACCOUNT:key/ID), not aliases: IAM authorizes the key itself."
  }
}

variable "runner_role_arns" {
  description = "ARNs of the runner instance roles scale-up passes to EC2."
  type        = list(string)
}

variable "tags" {
  description = "Tags for every resource of this module."
  type        = map(string)
  default     = {}
}

variable "warm_pools" {
  description = "Whether some pool has warm-pool rules: then a one-minute schedule invokes scale-up to top them up."
  type        = bool
  default     = false
}

variable "spot_warnings" {
  description = "Whether some pool runs spot: then EC2's spot interruption warnings are delivered to scale-up (an EventBridge rule)."
  type        = bool
  default     = false
}

variable "spot_rebalance" {
  description = "Whether some pool drains its spot instances at EC2's rebalance recommendation: then the spot rule delivers those too."
  type        = bool
  default     = false
}
