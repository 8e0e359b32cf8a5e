module "function" {
  source = "../lambda-function"

  name        = "${var.prefix}-scale-down"
  description = "Retires idle surplus runners: quarantine, re-check on the instance's own state, then terminate"
  policy_json = data.aws_iam_policy_document.this.json
  config_json = var.config_json
  zip         = var.zip

  runtime      = var.lambda.runtime
  architecture = var.lambda.architecture
  timeout      = var.lambda.timeout
  memory_size  = var.lambda.memory_size
  # One writer: only scale-down changes quarantine state, and never two runs at once
  # (architecture.md §3 "One writer"; the SSM lease covers the rest).
  reserved_concurrent_executions = 1
  log_retention_in_days          = var.lambda.log_retention_in_days
  log_kms_key_arn                = var.lambda.log_kms_key_arn
  vpc                            = var.lambda.vpc
  role_path                      = var.lambda.role_path
  role_permissions_boundary      = var.lambda.role_permissions_boundary
  tags                           = var.tags
}
