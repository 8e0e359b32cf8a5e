data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  instance_arns = "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:instance/*"
  ssm_kms_keys  = compact(var.ssm_kms_key_arns)
}

# The webhook is the internet-facing function: it holds the webhook secret and nothing that could
# act on GitHub (no App id or key), can enqueue jobs and write one evidence tag (architecture.md §4).
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ReadWebhookSecret"
    actions   = ["ssm:GetParameter"]
    resources = [var.webhook_secret_parameter_arn]
  }

  # The pools' job queues only: never a dead-letter queue (the DLQs hold what scale-up gave up on),
  # never a recycle queue (recycle requests come from runners, not from GitHub).
  statement {
    sid       = "EnqueueJobs"
    actions   = ["sqs:SendMessage"]
    resources = [for q in aws_sqs_queue.this : q.arn]
  }

  # Job evidence (`ghr:job` = in_progress/completed) goes on this fleet's instances only.
  statement {
    sid       = "TagJobEvidenceOnFleetInstances"
    actions   = ["ec2:CreateTags"]
    resources = [local.instance_arns]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/ghr:environment"
      values   = [var.environment]
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["ghr:job", "ghr:job-repo"]
    }
  }

  # Describe* cannot be scoped to resources (EC2 service authorization reference).
  statement {
    sid       = "FindRunnerInstances"
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = length(local.ssm_kms_keys) > 0 ? [1] : []

    content {
      sid       = "DecryptWebhookSecret"
      actions   = ["kms:Decrypt"]
      resources = local.ssm_kms_keys

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }

  # SendMessage to a KMS-encrypted queue needs GenerateDataKey and Decrypt (SQS developer guide,
  # "Key management"); only through SQS.
  dynamic "statement" {
    for_each = var.queue.kms_key_arn == null ? [] : [var.queue.kms_key_arn]

    content {
      sid       = "EncryptQueueMessages"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sqs.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }
}

module "function" {
  source = "../lambda-function"

  name        = "${var.prefix}-webhook"
  description = "Receives GitHub workflow_job webhooks and queues jobs per runner pool"
  policy_json = data.aws_iam_policy_document.this.json
  config_json = var.config_json
  zip         = var.zip

  runtime                        = var.lambda.runtime
  architecture                   = var.lambda.architecture
  timeout                        = var.lambda.timeout
  memory_size                    = var.lambda.memory_size
  reserved_concurrent_executions = var.lambda.reserved_concurrency
  log_retention_in_days          = var.lambda.log_retention_in_days
  log_kms_key_arn                = var.lambda.log_kms_key_arn
  vpc                            = var.lambda.vpc
  role_path                      = var.lambda.role_path
  role_permissions_boundary      = var.lambda.role_permissions_boundary
  tags                           = var.tags
}
