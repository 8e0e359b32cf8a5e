variable "aws_region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "vpc_id" {
  description = "Existing VPC the runners run in."
  type        = string
}

variable "subnet_ids" {
  description = "Existing private subnets the runners launch in."
  type        = list(string)
}

variable "lambda_subnet_ids" {
  description = "Existing subnets for the Lambdas (they need a route to GitHub and the AWS APIs)."
  type        = list(string)
}

variable "lambda_security_group_ids" {
  description = "Existing security groups for the Lambdas (egress to HTTPS)."
  type        = list(string)
}

variable "github_app_parameters" {
  description = "Existing SecureString parameters holding the GitHub App id, base64 private key and webhook secret (managed outside Terraform)."
  type = object({
    id             = object({ name = string, arn = string })
    key_base64     = object({ name = string, arn = string })
    webhook_secret = object({ name = string, arn = string })
  })
}

variable "parameters_kms_key_arn" {
  description = "Customer-managed KMS key of those parameters; null if they use aws/ssm."
  type        = string
  default     = null
}

variable "organization" {
  description = "GitHub organization the runners serve."
  type        = string
}

variable "installation_id" {
  description = "Installation id of the GitHub App in the organization (saves a lookup per cold start)."
  type        = number
}
