variable "parameter_path" {
  description = "SSM path under which this module creates the GitHub App parameters (e.g. /ghr/app)."
  type        = string

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./-]+[^/]$", var.parameter_path))
    error_message = "parameter_path must start with \"/\", not end with \"/\", and hold only letters, digits and _ . - /."
  }
}

variable "secrets" {
  description = "Values of the parameters this module creates: `id`, `key_base64` (base64 of the PEM private key), `webhook_secret`. Leave one null when it references an existing parameter instead. Ephemeral: written to SSM as write-only values, kept in neither plan nor state."
  type = object({
    id             = optional(string)
    key_base64     = optional(string)
    webhook_secret = optional(string)
  })
  default   = {}
  sensitive = true
  ephemeral = true
}

variable "secrets_version" {
  description = "Version of the write-only values in `secrets`: Terraform writes them when a parameter is created or this number changes (it cannot compare values it never stores)."
  type        = number
  default     = 1

  validation {
    condition     = var.secrets_version >= 1 && floor(var.secrets_version) == var.secrets_version
    error_message = "secrets_version must be a whole number >= 1; raise it to write rotated values, since Terraform cannot see a change in a write-only value."
  }
}

variable "existing" {
  description = "Existing SecureString parameters to use instead of creating them: `id_ssm`, `key_base64_ssm`, `webhook_secret_ssm`, each `{ name, arn }`."
  type = object({
    id_ssm             = optional(object({ name = string, arn = string }))
    key_base64_ssm     = optional(object({ name = string, arn = string }))
    webhook_secret_ssm = optional(object({ name = string, arn = string }))
  })
  default = {}

  validation {
    condition = alltrue([for ref in [var.existing.id_ssm, var.existing.key_base64_ssm, var.existing.webhook_secret_ssm] :
    ref == null || try(can(regex("^/[A-Za-z0-9_./-]+$", ref.name)) && can(regex("^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/", ref.arn)) && endswith(ref.arn, ref.name), false)])
    error_message = "Each existing parameter needs a name starting with \"/\" and the ARN of that same parameter (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME)."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the parameters this module creates; null uses the AWS-managed key aws/ssm."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the parameters this module creates."
  type        = map(string)
  default     = {}
}
