module "function" {
  source = "../lambda-function"

  name        = "${var.prefix}-scale-up"
  description = "Launches runners for queued jobs and answers recycle requests with fresh JIT configs"
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

# ReportBatchItemFailures: the handler returns the ids of the messages it could not handle, so one
# bad message is retried (and eventually dead-lettered) without replaying the whole batch.
resource "aws_lambda_event_source_mapping" "this" {
  for_each = var.queue_arns

  event_source_arn                   = each.value
  function_name                      = module.function.function_arn
  batch_size                         = var.batch.size
  maximum_batching_window_in_seconds = var.batch.maximum_batching_window_in_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  dynamic "scaling_config" {
    for_each = var.batch.maximum_concurrency == null ? [] : [var.batch.maximum_concurrency]

    content {
      maximum_concurrency = scaling_config.value
    }
  }

  tags = var.tags
}
