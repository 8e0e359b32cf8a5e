data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  ssm_arn_prefix = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter"
  ssm_kms_keys   = compact(var.ssm_kms_key_arns)
}

data "aws_iam_policy_document" "this" {
  # Mark, quarantine bookkeeping and termination: only instances of this fleet.
  statement {
    sid       = "RetireFleetInstances"
    actions   = ["ec2:CreateTags", "ec2:DeleteTags", "ec2:TerminateInstances"]
    resources = ["arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/ghr:environment"
      values   = [var.environment]
    }
  }

  # Describe* cannot be scoped to resources (EC2 service authorization reference).
  statement {
    sid       = "Describe"
    actions   = ["ec2:DescribeInstances", "ec2:DescribeInstanceStatus"]
    resources = ["*"]
  }

  statement {
    sid       = "ReadGitHubAppParameters"
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = var.github_parameter_arns
  }

  # The lease: created without overwrite, read to check its expiry, deleted on release.
  statement {
    sid       = "Lease"
    actions   = ["ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"]
    resources = ["${local.ssm_arn_prefix}${var.lease_parameter_name}"]
  }

  # Housekeeping: runner configs whose instance is gone (architecture.md §4, S2).
  statement {
    sid       = "CleanUpRunnerConfigs"
    actions   = ["ssm:GetParametersByPath", "ssm:DeleteParameter", "ssm:DeleteParameters"]
    resources = ["${local.ssm_arn_prefix}${var.runner_config_path}", "${local.ssm_arn_prefix}${var.runner_config_path}/*"]
  }

  dynamic "statement" {
    for_each = length(local.ssm_kms_keys) > 0 ? [1] : []

    content {
      sid       = "DecryptParameters"
      actions   = ["kms:Decrypt"]
      resources = local.ssm_kms_keys

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }
}
