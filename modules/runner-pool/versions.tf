terraform {
  # 1.9: a validation may refer to another variable (recycle_queue is set exactly for reusable pools).
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.50, < 7.0"
    }
  }
}
