terraform {
  # 1.11: write-only attributes (the GitHub App secrets never reach plan or state); the tests'
  # override_during needs it too.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # aws_ssm_parameter value_wo / value_wo_version (modules/github-app); checked against 5.100.0.
      version = ">= 5.100, < 7.0"
    }
  }
}
