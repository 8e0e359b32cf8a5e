# The runner's role. A job on the runner runs as root with these credentials, so everything here
# is what an attacker on the instance holds (docs/threat-model.md): tag itself, read and delete
# its own registration, and (reusable pools) ask its own pool's recycle queue for a new one.
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
  name                 = "${local.name}_runner"
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  tags                 = var.tags
}

resource "aws_iam_instance_profile" "this" {
  name = "${local.name}_runner"
  path = var.role_path
  role = aws_iam_role.this.name
  tags = var.tags
}

locals {
  instance_arns = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:instance/*"
  ssm_arn       = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter"
  # This pool's registrations, `<runner config path>/<pool>/<instance-id>` (runner-config.ts).
  own_pool_configs = "${local.ssm_arn}${var.runner_config_path}/${var.pool_name}/i-*"
  # `ghr:instance-arn` is written by scale-up when it creates the parameter; ec2:SourceInstanceARN
  # is set by AWS on requests signed with an instance profile's credentials (IAM user guide,
  # "IAM policy elements: Variables and tags", request information for policy variables).
  own_instance = {
    test     = "StringEquals"
    variable = "ssm:ResourceTag/ghr:instance-arn"
    values   = ["$${ec2:SourceInstanceARN}"]
  }
  read_actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"]
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

  # Read, then delete, its own registration only: the parameter must lie under this pool's path
  # AND carry this instance's ARN. GetParameter and DeleteParameter on a parameter support the
  # ssm:resourceTag/<key> condition (Service Authorization Reference, "Actions, resources, and
  # condition keys for AWS Systems Manager"; condition keys are case-insensitive).
  statement {
    sid       = "ReadAndDeleteOwnRunnerConfig"
    actions   = ["ssm:GetParameter", "ssm:DeleteParameter"]
    resources = [local.own_pool_configs]

    condition {
      test     = local.own_instance.test
      variable = local.own_instance.variable
      values   = local.own_instance.values
    }
  }

  # Guards that hold whatever else is attached to this role (AmazonSSMManagedInstanceCore with
  # enable_ssm_on_runners grants ssm:GetParameter(s) on "*"; users may attach their own policies):
  # no registration but its own, no GitHub App secret, no listing of the fleet's paths.
  statement {
    sid       = "NeverReadOtherRegistrations"
    effect    = "Deny"
    actions   = local.read_actions
    resources = ["${local.ssm_arn}${var.fleet_parameter_path}/*"]

    condition {
      test     = "StringNotEquals"
      variable = local.own_instance.variable
      values   = local.own_instance.values
    }
  }

  statement {
    sid       = "NeverReadGitHubApp"
    effect    = "Deny"
    actions   = local.read_actions
    resources = var.github_parameter_arns
  }

  # GetParametersByPath is authorized on the path asked for, not on each parameter it returns,
  # so deny it on the fleet's path and every ancestor of it (including "/").
  statement {
    sid       = "NeverListFleetParameters"
    effect    = "Deny"
    actions   = ["ssm:GetParametersByPath"]
    resources = concat(["${local.ssm_arn}/", "${local.ssm_arn}${var.fleet_parameter_path}/*"], local.ancestor_arns)
  }

  # What user data fetches at boot: the agent and its unit, and the cached runner tarballs. Read
  # only: Terraform and the runner-cache function write the bucket, so no job can plant a file
  # another instance would run. No ListBucket: a runner need not enumerate the bucket.
  statement {
    sid       = "ReadArtifacts"
    actions   = ["s3:GetObject"]
    resources = ["${var.artifacts.bucket_arn}/agent/*", "${var.artifacts.bucket_arn}/runners/*"]
  }

  # Reusable pools: after each job the agent asks its pool's recycle queue for a fresh JIT
  # registration. That queue only: never the job queue (whose messages drive launches and whose
  # depth is demand), another pool's queue or a DLQ. What it sends is untrusted: scale-up answers
  # only a request from this queue, for a running instance of this pool whose runner has exited and
  # whose registration GitHub confirms consumed (lambdas/src/core/scale-up/recycle.ts).
  # Ephemeral pools (recycle_queue null): no SQS statement at all.
  dynamic "statement" {
    for_each = var.recycle_queue == null ? [] : [var.recycle_queue.arn]

    content {
      sid       = "RequestRecycle"
      actions   = ["sqs:SendMessage"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.recycle_queue != null && var.queue_kms_key_arn != null ? [var.queue_kms_key_arn] : []

    content {
      sid       = "EncryptRecycleRequest"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sqs.${local.region}.amazonaws.com"]
      }
    }
  }
}

locals {
  # "/a/b/c" → ARNs of "/a", "/a/b", "/a/b/c".
  path_parts    = compact(split("/", var.fleet_parameter_path))
  ancestor_arns = [for i in range(length(local.path_parts)) : "${local.ssm_arn}/${join("/", slice(local.path_parts, 0, i + 1))}"]
}

resource "aws_iam_role_policy" "runner" {
  name   = "${local.name}_runner"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.runner.json
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  count = var.pool.enable_ssm_on_runners ? 1 : 0

  role       = aws_iam_role.this.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}
