terraform {
  # Write-only attributes (value_wo) need Terraform 1.11; ephemeral input variables 1.10.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # aws_ssm_parameter.value_wo / value_wo_version: checked against 5.100.0 (the local mirror).
      version = ">= 5.100, < 7.0"
    }
  }
}
