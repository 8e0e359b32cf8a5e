# One queue per pool, so a burst in one pool cannot starve another, each with a dead-letter
# queue: it catches messages scale-up failed on `dlq_max_receive_count` times, and the jobs
# scale-up could not launch for (it sends them there itself, with the reason).
#
# Names are `<prefix>_<pool>` and `<prefix>_<pool>_dlq`: `_` is allowed in neither the prefix nor
# a pool name (both [a-z0-9-]), so no two (prefix, pool) pairs and no queue and dead-letter queue
# can share a name (docs/terraform.md, "Names").
resource "aws_sqs_queue" "dlq" {
  for_each = var.pool_names

  name                              = "${var.prefix}_${each.key}_dlq"
  message_retention_seconds         = var.queue.dlq_message_retention_seconds
  sqs_managed_sse_enabled           = var.queue.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.queue.kms_key_arn
  kms_data_key_reuse_period_seconds = var.queue.kms_key_arn == null ? null : 300
  tags                              = var.tags
}

resource "aws_sqs_queue" "this" {
  for_each = var.pool_names

  name                              = "${var.prefix}_${each.key}"
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
