terraform {
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The one version CI validates and tests these modules with (5.50 lacked, e.g., `tags` on
      # aws_lambda_event_source_mapping): claim no older provider than is checked.
      version = ">= 5.100, < 7.0"
    }
  }
}
