# One queue per pool, so a burst in one pool cannot starve another, each with a dead-letter
# queue that catches messages scale-up failed on `dlq_max_receive_count` times.
resource "aws_sqs_queue" "dlq" {
  for_each = var.pool_names

  name                              = "${var.prefix}-${each.key}-dlq"
  message_retention_seconds         = var.queue.dlq_message_retention_seconds
  sqs_managed_sse_enabled           = var.queue.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.queue.kms_key_arn
  kms_data_key_reuse_period_seconds = var.queue.kms_key_arn == null ? null : 300
  tags                              = var.tags
}

resource "aws_sqs_queue" "this" {
  for_each = var.pool_names

  name                              = "${var.prefix}-${each.key}"
  message_retention_seconds         = var.queue.message_retention_seconds
  visibility_timeout_seconds        = var.queue.visibility_timeout_seconds
  sqs_managed_sse_enabled           = var.queue.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.queue.kms_key_arn
  kms_data_key_reuse_period_seconds = var.queue.kms_key_arn == null ? null : 300
  tags                              = var.tags

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn
    maxReceiveCount     = var.queue.dlq_max_receive_count
  })
}
