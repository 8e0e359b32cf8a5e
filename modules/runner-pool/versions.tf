terraform {
  # 1.9: a validation may refer to another variable (recycle_queue is set exactly for reusable pools).
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The one version CI validates and tests these modules with (5.50 lacked, e.g., `tags` on
      # aws_lambda_event_source_mapping): claim no older provider than is checked.
      version = ">= 5.100, < 7.0"
    }
  }
}
