data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  ssm_arn_prefix = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter"
  runner_configs = "${local.ssm_arn_prefix}${var.runner_config_path}"
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

  # Housekeeping (architecture.md §4, S2): list the runner configs without their values
  # (GetParametersByPath, WithDecryption false) and delete those whose instance is gone.
  statement {
    sid       = "ListRunnerConfigs"
    actions   = ["ssm:GetParametersByPath"]
    resources = [local.runner_configs, "${local.runner_configs}/*"]
  }

  statement {
    sid       = "DeleteRunnerConfigs"
    actions   = ["ssm:DeleteParameter"]
    resources = ["${local.runner_configs}/*"]
  }

  # Listing a path could also return the values (WithDecryption true, which IAM cannot condition),
  # and runner configs use aws/ssm, whose key policy lets any principal of the account decrypt
  # through SSM. So deny the decryption itself: Parameter Store encrypts every SecureString with
  # the encryption context PARAMETER_ARN = the parameter's ARN (Systems Manager user guide, "AWS KMS
  # encryption for Parameter Store SecureString parameters"), and an explicit deny in the caller's
  # own policy beats the key policy's allow.
  statement {
    sid       = "NeverDecryptRunnerConfigs"
    effect    = "Deny"
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:PARAMETER_ARN"
      values   = ["${local.runner_configs}/*"]
    }
  }

  # Queue depth per pool: a pool with waiting jobs gets its quarantined runners back instead of
  # losing them (lambdas/src/core/scale-down/observe.ts). The job queues only: a recycle queue's
  # requests come from warm runners, not from jobs, so they are no demand.
  statement {
    sid       = "ReadQueueDepth"
    actions   = ["sqs:GetQueueAttributes"]
    resources = var.queue_arns
  }

  dynamic "statement" {
    for_each = length(local.ssm_kms_keys) > 0 ? [1] : []

    content {
      sid       = "DecryptGitHubAppParameters"
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
