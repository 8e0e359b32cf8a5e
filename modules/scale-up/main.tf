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

locals {
  reserved = var.lambda.reserved_concurrency
  # Every queue scale-up reads has its own trigger: each pool's job queue, each reusable pool's
  # recycle queue.
  triggers = length(var.queue_arns) + length(var.recycle_queue_arns)
  # With reserved concurrency R, the event source mappings together must not poll faster than R: a
  # throttled batch goes back to its queue and spends one of its receives, so a burst would
  # dead-letter jobs (Lambda developer guide, "Configuring maximum concurrency for Amazon SQS event
  # sources"). Unset: R shared evenly among the triggers, at least 2 each (the SQS minimum); the
  # precondition below keeps triggers × per-trigger <= R.
  maximum_concurrency = var.batch.maximum_concurrency != null ? var.batch.maximum_concurrency : (
    local.reserved > 0 ? max(2, floor(local.reserved / max(1, local.triggers))) : null
  )
  reservation_fits  = local.reserved == -1 || (local.reserved >= 2 * local.triggers && try(local.maximum_concurrency * local.triggers <= local.reserved, false))
  reservation_error = "scale_up reserved concurrency ${local.reserved} is too small for ${local.triggers} queue trigger(s) (${length(var.queue_arns)} job, ${length(var.recycle_queue_arns)} recycle) of maximum concurrency ${coalesce(local.maximum_concurrency, 0)}: each trigger needs at least 2, together at most the reservation, or throttled batches spend receives and dead-letter jobs. Raise scale_up.reserved_concurrency (or leave it null)."
}

# ReportBatchItemFailures: the handler returns the ids of the messages it could not handle, so one
# bad message is retried (and eventually dead-lettered) without replaying the whole batch.
# Scale-up takes a message's pool and kind from the queue it came from (the record's
# eventSourceARN): a job queue's messages are jobs, a recycle queue's recycle requests.
resource "aws_lambda_event_source_mapping" "this" {
  for_each = var.queue_arns

  event_source_arn                   = each.value
  function_name                      = module.function.function_arn
  batch_size                         = var.batch.size
  maximum_batching_window_in_seconds = var.batch.maximum_batching_window_in_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  dynamic "scaling_config" {
    for_each = local.maximum_concurrency == null ? [] : [local.maximum_concurrency]

    content {
      maximum_concurrency = scaling_config.value
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.reservation_fits
      error_message = local.reservation_error
    }
  }
}

# The same trigger for each reusable pool's recycle queue (a resource of its own, so the job
# queues' mappings keep their addresses).
resource "aws_lambda_event_source_mapping" "recycle" {
  for_each = var.recycle_queue_arns

  event_source_arn                   = each.value
  function_name                      = module.function.function_arn
  batch_size                         = var.batch.size
  maximum_batching_window_in_seconds = var.batch.maximum_batching_window_in_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  dynamic "scaling_config" {
    for_each = local.maximum_concurrency == null ? [] : [local.maximum_concurrency]

    content {
      maximum_concurrency = scaling_config.value
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.reservation_fits
      error_message = local.reservation_error
    }
  }
}
