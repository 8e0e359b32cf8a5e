# One job queue per pool, so a burst in one pool cannot starve another, each with a dead-letter
# queue: it catches messages scale-up failed on `dlq_max_receive_count` times, and the jobs
# scale-up could not launch for (it sends them there itself, with the reason). Reusable pools get
# a third queue, for their runners' recycle requests (below).
#
# Names are `<prefix>_<pool>`, `<prefix>_<pool>_dlq` and `<prefix>_<pool>_recycle`: `_` is allowed
# in neither the prefix nor a pool name (both [a-z0-9-]), so no two (prefix, pool) pairs and no
# two kinds of queue can share a name (docs/terraform.md, "Names"). A pool may be called `x-dlq` or
# `x-recycle`: its queue `<prefix>_x-recycle` is still not pool x's recycle queue
# `<prefix>_x_recycle` (`-` is not `_`). Lengths: prefix <= 32, pool <= 32 here (<= 24 at the root),
# so the longest name, 32 + 1 + 32 + 8 = 73 characters, is within SQS's 80.
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

# Reusable pools: after each job the runner's agent asks for a fresh JIT registration here. A
# queue of its own, apart from the job queue, because a job on the runner (root, with the runner's
# credentials) can send anything the agent can: here it can only put recycle requests, which
# scale-up checks against its own records (lambdas/src/core/scale-up/recycle.ts) and answers only
# from this queue; it cannot put a job on the queue that drives launches, nor inflate the job
# queue's depth, which scale-down reads as demand (docs/threat-model.md). Consumed by scale-up like
# the job queue (same visibility timeout), dead-lettered into the pool's DLQ after the same number
# of receives. A short retention: an agent gives up waiting for an answer after 10 minutes by
# default and resends every minute meanwhile, so an old request is only noise; but at least the
# time a request scale-up keeps failing on needs to reach the DLQ (one visibility timeout per
# receive), so it is dead-lettered, where the DLQ alarm sees it, rather than expiring unseen.
locals {
  recycle_message_retention_seconds = min(1209600, max(3600, var.queue.visibility_timeout_seconds * var.queue.dlq_max_receive_count + 60))
}

resource "aws_sqs_queue" "recycle" {
  for_each = var.reusable_pool_names

  name                              = "${var.prefix}_${each.key}_recycle"
  message_retention_seconds         = local.recycle_message_retention_seconds
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
