locals {
  functions = merge({
    webhook    = module.webhook.function_name
    scale-up   = module.scale_up.function_name
    scale-down = module.scale_down.function_name
  }, var.runner_binary_cache.enabled ? { runner-cache = module.artifacts.function_name } : {})
  alarm_functions = var.alarms.enabled ? local.functions : {}
  alarm_dlqs      = var.alarms.enabled ? module.webhook.dlq_names : {}
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = local.alarm_functions

  alarm_name          = "${var.prefix}-${each.key}-errors"
  alarm_description   = "The ${each.key} Lambda failed: see its log group for the error."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = var.alarms.lambda_errors_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = local.alarm_functions

  alarm_name          = "${var.prefix}-${each.key}-throttles"
  alarm_description   = "The ${each.key} Lambda was throttled (for scale-down, a run overlapped the previous one)."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = local.alarm_dlqs

  alarm_name          = "${var.prefix}_${each.key}_dlq-depth" # `<prefix>_<pool>_...`: docs/terraform.md, "Names"
  alarm_description   = "Messages of pool ${each.key} (jobs; a reusable pool's recycle requests too) that scale-up failed on repeatedly wait in the dead-letter queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = var.alarms.dlq_messages_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = local.tags
}

# Many "skipped because busy" re-checks mean runners get picked for retirement while they take
# jobs: safe (nothing is killed) but wasteful; the settle time or idle quota may be off.
resource "aws_cloudwatch_metric_alarm" "scale_down_skipped_busy" {
  count = var.alarms.enabled ? 1 : 0

  alarm_name        = "${var.prefix}-scale-down-skipped-busy"
  alarm_description = "Scale-down found many retiring runners busy at the re-check."
  namespace         = var.alarms.metrics_namespace
  metric_name       = var.alarms.skipped_busy_metric_name
  # The Lambdas emit every metric with the dimension `environment` = the ghr:environment value
  # besides `service` (issue 14; lambdas/src/observability/metrics.ts). A CloudWatch alarm matches
  # its exact dimension set, so this counts this deployment only, never another one in the account
  # and region that shares the namespace.
  dimensions          = merge(var.alarms.skipped_busy_dimensions, { environment = local.environment })
  statistic           = "Sum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = var.alarms.skipped_busy_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = local.tags
}

# Guarantee 5 of docs/safety.md. Guard (a) failed: a job started on a quarantined runner after its
# settle wait, so GitHub ignored a quarantine that had taken effect (the world model is wrong for
# this deployment). Guard (b) saved a job: GitHub refused to deregister a runner that had
# acknowledged idle, because a job had reached it since. Either means one of the two independent
# guards did not hold; nothing was killed, but the other guard is all that is left. Any one fires.
# Agent time forged: an instance's agent tag carried a time in the future — a job writing its own
# tag (docs/threat-model.md) or a broken clock. It is read as the launch time and harms nothing
# but that instance; someone should look at the workflows that ran there.
resource "aws_cloudwatch_metric_alarm" "scale_down_guard" {
  for_each = var.alarms.enabled ? {
    guard-a-failed    = { metric = "guardAFailed", what = "A job started on a quarantined runner after its settle wait: GitHub ignored the quarantine (guard (a) of docs/safety.md failed)." }
    guard-b-saved     = { metric = "guardBSaved", what = "GitHub refused to deregister a runner that had acknowledged idle: a job reached it after the quarantine (guard (b) of docs/safety.md saved it)." }
    agent-time-forged = { metric = "agentTimeForged", what = "A runner's agent tag carried a time in the future: a job forging its agent state, or a broken clock (docs/threat-model.md)." }
  } : {}

  alarm_name          = "${var.prefix}-scale-down-${each.key}"
  alarm_description   = each.value.what
  namespace           = var.alarms.metrics_namespace
  metric_name         = each.value.metric
  dimensions          = { service = "scale-down", environment = local.environment }
  statistic           = "Sum"
  period              = var.alarms.period_seconds
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = local.tags
}

# A pool pins an actions/runner release that GitHub superseded long ago: GitHub stops sending jobs to
# a runner that has not installed a release within 30 days of its publication. The runner-cache
# function counts the days since the first release newer than the oldest pin came out.
resource "aws_cloudwatch_metric_alarm" "pinned_runner_behind" {
  count = var.alarms.enabled && var.runner_binary_cache.enabled && length(local.cache_pinned) > 0 ? 1 : 0

  alarm_name          = "${var.prefix}-runner-cache-pinned-runner-behind"
  alarm_description   = "A pool pins an actions/runner release older than a release published 21 or more days ago: update runner_version (GitHub refuses jobs after 30 days), or use \"latest\"."
  namespace           = var.alarms.metrics_namespace
  metric_name         = "PinnedRunnerDaysBehind"
  dimensions          = { service = "runner-cache", environment = local.environment }
  statistic           = "Maximum"
  period              = 86400
  evaluation_periods  = 1
  threshold           = 21
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarms.actions
  ok_actions          = var.alarms.actions
  tags                = local.tags
}
