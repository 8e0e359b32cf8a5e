# The runner binary cache (issue 15): a scheduled function keeps, verified, the actions/runner
# tarball of every version and architecture the pools use in the bucket (lambdas/src/core/runner-cache).
locals {
  cache_enabled = var.runner_cache != null
  # Unset fields are left out so the function's schema applies its defaults (runnerCacheConfigSchema).
  cache_config = local.cache_enabled ? jsonencode({ for k, v in {
    environment = var.environment
    logLevel    = var.log_level == null ? null : upper(var.log_level)
    bucket      = aws_s3_bucket.this.bucket
    latest      = var.runner_cache.latest
    pinned      = var.runner_cache.pinned
  } : k => v if v != null }) : null
}

module "function" {
  source = "../lambda-function"
  count  = local.cache_enabled ? 1 : 0

  name        = "${var.prefix}-runner-cache"
  description = "Keeps the actions/runner tarballs the pools use in the artifact bucket, verified against their SHA-256"
  policy_json = data.aws_iam_policy_document.function.json
  config_json = local.cache_config
  zip         = var.zip

  runtime      = var.lambda.runtime
  architecture = var.lambda.architecture
  # A tarball (about 100 MB in 2021, actions/runner#1568, and growing) is held in memory while it
  # is hashed and uploaded.
  timeout                        = var.runner_cache.timeout
  memory_size                    = var.runner_cache.memory_size
  reserved_concurrent_executions = 1
  log_retention_in_days          = var.lambda.log_retention_in_days
  log_kms_key_arn                = var.lambda.log_kms_key_arn
  vpc                            = var.lambda.vpc
  role_path                      = var.lambda.role_path
  role_permissions_boundary      = var.lambda.role_permissions_boundary
  tags                           = var.tags
}

data "aws_iam_policy_document" "function" {
  statement {
    sid       = "ReadWriteRunnerTarballs"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${local.bucket_arn}/runners/*"]
  }

  # Without ListBucket, S3 answers a HEAD of a missing key with 403, not 404 (S3 API reference,
  # HeadObject, "Permissions"): the function could not tell "not cached yet" from "denied".
  statement {
    sid       = "ListBucket"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]
  }
}

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
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

resource "aws_iam_role" "scheduler" {
  count                = local.cache_enabled ? 1 : 0
  name                 = "${var.prefix}-runner-cache-scheduler"
  path                 = var.lambda.role_path
  permissions_boundary = var.lambda.role_permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.scheduler_assume.json
  tags                 = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  count = local.cache_enabled ? 1 : 0
  name  = "${var.prefix}-runner-cache-scheduler"
  role  = aws_iam_role.scheduler[0].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "InvokeRunnerCache", Effect = "Allow", Action = "lambda:InvokeFunction", Resource = module.function[0].function_arn }]
  })
}

resource "aws_scheduler_schedule" "this" {
  count                        = local.cache_enabled ? 1 : 0
  name                         = "${var.prefix}-runner-cache"
  description                  = "Keeps the runner binary cache of ${var.environment} current"
  schedule_expression          = var.runner_cache.schedule_expression
  schedule_expression_timezone = "UTC"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = module.function[0].function_arn
    role_arn = aws_iam_role.scheduler[0].arn
    input    = jsonencode({ source = "ghr.scheduler" })

    # Not retried: the next scheduled run starts over from the bucket, and instances fall back to
    # GitHub meanwhile. A failed run trips the function's Errors alarm.
    retry_policy {
      maximum_retry_attempts = 0
    }
  }
}
