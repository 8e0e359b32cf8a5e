locals {
  zip_from_file = var.zip.path != null
  # try(): a missing file must not break `terraform validate`; the precondition below names the fix.
  source_code_hash = local.zip_from_file ? try(filebase64sha256(var.zip.path), null) : var.zip.source_code_hash
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "LambdaAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-lambda"
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  tags                 = var.tags
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
}

data "aws_iam_policy_document" "combined" {
  source_policy_documents = [data.aws_iam_policy_document.logs.json, var.policy_json]
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name}-lambda"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.combined.json
}

# ENI management for functions in a VPC (CreateNetworkInterface cannot be scoped to resources).
resource "aws_iam_role_policy_attachment" "vpc" {
  count = var.vpc == null ? 0 : 1

  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name = var.name
  description   = var.description
  role          = aws_iam_role.this.arn
  handler       = var.handler
  runtime       = var.runtime
  architectures = [var.architecture]
  timeout       = var.timeout
  memory_size   = var.memory_size

  reserved_concurrent_executions = var.reserved_concurrent_executions

  filename          = var.zip.path
  s3_bucket         = var.zip.s3_bucket
  s3_key            = var.zip.s3_key
  s3_object_version = var.zip.s3_object_version
  source_code_hash  = local.source_code_hash

  environment {
    variables = {
      FLEET_CONFIG = var.config_json
    }
  }

  dynamic "vpc_config" {
    for_each = var.vpc == null ? [] : [var.vpc]

    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = !local.zip_from_file || fileexists(coalesce(var.zip.path, "-"))
      error_message = "Lambda zip \"${coalesce(var.zip.path, "-")}\" does not exist: run `npm ci && npm run build` in the module's folder, or set a prebuilt zip path or S3 object."
    }
  }

  # The log group must exist first, or Lambda creates one without retention on first invoke.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}
