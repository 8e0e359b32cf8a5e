data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  arn_prefix = "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  # What scale-up tags at launch (TagSpecifications: instance, volume): each must carry this
  # fleet's environment tag from creation, so the tag conditions below cover it for life.
  tagged_at_launch = [for type in ["instance", "volume"] : "${local.arn_prefix}:${type}/*"]
  # Created along with them but not tagged by the request (an instant fleet, its network
  # interfaces, spot requests): a request-tag condition could never match them.
  untagged_at_launch = [for type in ["fleet", "network-interface", "spot-instances-request"] : "${local.arn_prefix}:${type}/*"]
  ssm_kms_keys       = compact(var.ssm_kms_key_arns)
  # Public parameters (/aws/service/...) have no account in their ARN; `*` matches that empty
  # account as well as this one, and the name still scopes the grant to the one parameter.
  ami_parameters = [for n in distinct(var.ami_parameter_names) :
  "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:*:parameter/${trimprefix(n, "/")}"]
  key_pairs      = [for n in distinct(var.key_pair_names) : "${local.arn_prefix}:key-pair/${n}"]
  runner_configs = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter${var.runner_config_path}/*"
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "LaunchOnlyTaggedForThisFleet"
    actions   = ["ec2:CreateFleet", "ec2:RunInstances"]
    resources = local.tagged_at_launch

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/ghr:environment"
      values   = [var.environment]
    }
  }

  # The launch's other resources: only this fleet's templates; network and image as the templates say.
  # Creating these is harmless on its own: no instance starts without the statement above.
  statement {
    sid     = "LaunchFromFleetTemplates"
    actions = ["ec2:CreateFleet", "ec2:RunInstances"]
    resources = concat(var.launch_template_arns, local.untagged_at_launch, local.key_pairs, [
      "${local.arn_prefix}:subnet/*",
      "${local.arn_prefix}:security-group/*",
      "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}::image/*",
    ])
  }

  # Tags may be written as part of a launch only (tag-on-create), and only with this fleet's environment.
  statement {
    sid       = "TagOnLaunch"
    actions   = ["ec2:CreateTags"]
    resources = local.tagged_at_launch

    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values   = ["CreateFleet", "RunInstances"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/ghr:environment"
      values   = [var.environment]
    }
  }

  # Reusable pools: an instance the pool has no use for is terminated between registrations.
  statement {
    sid       = "ManageFleetInstances"
    actions   = ["ec2:CreateTags", "ec2:DeleteTags", "ec2:TerminateInstances"]
    resources = ["${local.arn_prefix}:instance/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/ghr:environment"
      values   = [var.environment]
    }
  }

  # Describe* cannot be scoped to resources (EC2 service authorization reference).
  statement {
    sid       = "Describe"
    actions   = ["ec2:DescribeInstances", "ec2:DescribeInstanceStatus", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions", "ec2:DescribeSubnets", "ec2:DescribeImages"]
    resources = ["*"]
  }

  statement {
    sid       = "PassRunnerRole"
    actions   = ["iam:PassRole"]
    resources = var.runner_role_arns

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ec2.amazonaws.com"]
    }
  }

  # CreateFleet with spot needs the spot service-linked role once per account.
  statement {
    sid       = "SpotServiceLinkedRole"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["spot.amazonaws.com"]
    }
  }

  # A template's `resolve:ssm:` AMI is read with the launching principal's rights: without this,
  # every launch fails (EC2 Auto Scaling user guide, "Use AWS Systems Manager parameters instead
  # of AMI IDs"). Read-only, and only the pools' AMI parameters.
  dynamic "statement" {
    for_each = length(local.ami_parameters) > 0 ? [1] : []

    content {
      sid       = "ResolveAmiParameters"
      actions   = ["ssm:GetParameters"]
      resources = local.ami_parameters
    }
  }

  # Root volumes encrypted with a customer-managed key: EBS needs the launching principal to
  # create a grant for EC2 and the data key (EBS user guide, "Requirements for Amazon EBS
  # encryption"). Grants only for an AWS resource, everything only through EC2.
  dynamic "statement" {
    for_each = length(var.ebs_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "EncryptRootVolumes"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
      resources = distinct(var.ebs_kms_key_arns)

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ec2.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.ebs_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "GrantRootVolumeKeysToEc2"
      actions   = ["kms:CreateGrant"]
      resources = distinct(var.ebs_kms_key_arns)

      condition {
        test     = "Bool"
        variable = "kms:GrantIsForAWSResource"
        values   = ["true"]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ec2.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }

  statement {
    sid       = "ReadGitHubAppParameters"
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = var.github_parameter_arns
  }

  # Per-instance registrations `<runner config path>/<pool>/<instance-id>`, created with their tags
  # (PutParameter with Tags needs AddTagsToResource too: AWS::SSM::Parameter docs) and never read
  # back. On ParameterAlreadyExists scale-up deletes and re-creates, so a registration always
  # carries the tags of the one instance it was written for (lambdas/src/core/scale-up/runner-config.ts).
  statement {
    sid       = "WriteRunnerConfigs"
    actions   = ["ssm:PutParameter", "ssm:DeleteParameter"]
    resources = [local.runner_configs]
  }

  # Only the three tags that bind a registration to its instance; ForAllValues also holds when
  # the request carries no tag list, so this can only narrow what the statement above allows.
  statement {
    sid       = "TagRunnerConfigs"
    actions   = ["ssm:AddTagsToResource"]
    resources = [local.runner_configs]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["ghr:instance-arn", "ghr:environment", "ghr:pool"]
    }
  }

  # Its triggers read the job queues and the recycle queues (the event source mapping uses the
  # function's role); GetQueueAttributes also gives scale-up a job queue's depth.
  statement {
    sid       = "ConsumePoolQueues"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = concat(values(var.queue_arns), values(var.recycle_queue_arns))
  }

  # Scale-up re-sends a job message to its own pool's job queue, delayed: a job held at the pool's
  # maximum, and the re-check after a launch (lambdas/src/core/scale-up/requeue.ts). Never to a
  # recycle queue: a recycle request it cannot answer now is retried by SQS (batch item failure).
  statement {
    sid       = "RequeuePoolJobs"
    actions   = ["sqs:SendMessage"]
    resources = values(var.queue_arns)
  }

  # A job scale-up cannot launch for goes to its pool's dead-letter queue with the reason, where
  # the DLQ depth alarm sees it; only scale-up may write there (the webhook and runners may not).
  statement {
    sid       = "DeadLetterUnlaunchableJobs"
    actions   = ["sqs:SendMessage"]
    resources = values(var.dlq_arns)
  }

  # The GitHub App parameters only; runner configs use the AWS-managed key aws/ssm, whose key
  # policy already lets this account's principals use it through SSM.
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

  # Receiving needs Decrypt, sending (requeue, dead-letter) GenerateDataKey: SQS developer guide,
  # "Key management". Only through SQS.
  dynamic "statement" {
    for_each = var.queue_kms_key_arn == null ? [] : [var.queue_kms_key_arn]

    content {
      sid       = "UseQueueKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sqs.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }
}
