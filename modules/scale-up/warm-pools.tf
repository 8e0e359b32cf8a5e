# Warm pools (upstream `pool_config`): once a minute, EventBridge Scheduler invokes scale-up with a
# constant input, and scale-up tops up every pool whose warm rule matches the minute
# (lambdas/src/core/scale-up/warm-pool.ts). Only when some pool has a rule.

data "aws_iam_policy_document" "warm_pools_assume" {
  count = var.warm_pools ? 1 : 0

  statement {
    sid     = "SchedulerAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "warm_pools" {
  count = var.warm_pools ? 1 : 0

  name                 = "${var.prefix}-warm-pools-scheduler"
  path                 = var.lambda.role_path
  permissions_boundary = var.lambda.role_permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.warm_pools_assume[0].json
  tags                 = var.tags
}

data "aws_iam_policy_document" "warm_pools" {
  count = var.warm_pools ? 1 : 0

  statement {
    sid       = "InvokeScaleUp"
    actions   = ["lambda:InvokeFunction"]
    resources = [module.function.function_arn]
  }
}

resource "aws_iam_role_policy" "warm_pools" {
  count = var.warm_pools ? 1 : 0

  name   = "${var.prefix}-warm-pools-scheduler"
  role   = aws_iam_role.warm_pools[0].id
  policy = data.aws_iam_policy_document.warm_pools[0].json
}

resource "aws_scheduler_schedule" "warm_pools" {
  count = var.warm_pools ? 1 : 0

  name                = "${var.prefix}-warm-pools"
  description         = "Tops up the warm pools of ${var.environment} once a minute"
  schedule_expression = "rate(1 minute)"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = module.function.function_arn
    role_arn = aws_iam_role.warm_pools[0].arn
    # WARM_POOL_EVENT in lambdas/src/core/scale-up/warm-pool.ts; scale-up refuses any other non-SQS event.
    input = jsonencode({ source = "ghr.scheduler", task = "warm-pools" })

    # Not retried: the next minute's run counts again from the instances, which hold all state.
    retry_policy {
      maximum_retry_attempts = 0
    }
  }
}
