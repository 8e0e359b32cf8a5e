data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "Ec2Assume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${local.name}-runner"
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  tags                 = var.tags
}

resource "aws_iam_instance_profile" "this" {
  name = "${local.name}-runner"
  path = var.role_path
  role = aws_iam_role.this.name
  tags = var.tags
}

locals {
  instance_arns  = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*"
  config_params  = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${var.runner_config_path}/i-*"
  kms_key_arns   = compact(var.kms_key_arns)
  agent_tag_keys = ["ghr:agent-state"]
}

data "aws_iam_policy_document" "runner" {
  # The agent publishes its state as a tag on its own instance, and on nothing else:
  # aws:ARN (the instance being tagged) must equal the instance the credentials belong to.
  statement {
    sid       = "TagOnlyItself"
    actions   = ["ec2:CreateTags"]
    resources = [local.instance_arns]

    condition {
      test     = "StringEquals"
      variable = "aws:ARN"
      values   = ["$${ec2:SourceInstanceARN}"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/ghr:environment"
      values   = [var.environment]
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = local.agent_tag_keys
    }
  }

  # Each instance reads, then deletes, its JIT config `<path>/<instance-id>` (agent/README.md).
  # IAM has no policy variable for the bare instance id that could name the parameter, so the
  # grant covers this deployment's per-instance configs (`i-*`), read and delete only; no write.
  statement {
    sid       = "ReadAndDeleteRunnerConfig"
    actions   = ["ssm:GetParameter", "ssm:DeleteParameter"]
    resources = [local.config_params]
  }

  # Reusable pools: after each job the agent asks its pool's queue for a fresh JIT registration.
  dynamic "statement" {
    for_each = var.pool.enable_ephemeral_runners ? [] : [1]

    content {
      sid       = "RequestRecycle"
      actions   = ["sqs:SendMessage"]
      resources = [var.queue_arn]
    }
  }

  dynamic "statement" {
    for_each = length(local.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "UseFleetKeys"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = local.kms_key_arns
    }
  }
}

resource "aws_iam_role_policy" "runner" {
  name   = "${local.name}-runner"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.runner.json
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  count = var.pool.enable_ssm_on_runners ? 1 : 0

  role       = aws_iam_role.this.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}
