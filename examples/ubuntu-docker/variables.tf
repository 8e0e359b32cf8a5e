variable "aws_region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "vpc_id" {
  description = "VPC the runners run in."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (with a NAT route: the runners pull images and packages) the runners launch in."
  type        = list(string)
}

variable "github_app" {
  description = "The GitHub App: id, base64 of its private key (`base64 -w0 key.pem`), webhook secret."
  type = object({
    id             = string
    key_base64     = string
    webhook_secret = string
  })
  sensitive = true
  # Ephemeral: never written to a plan file or the state (the module stores them write-only).
  ephemeral = true
}

variable "organization" {
  description = "The GitHub organization whose jobs these runners take."
  type        = string
}
