# Spot interruption warnings: EC2 publishes one to EventBridge two minutes before it reclaims a spot
# instance ("Spot Instance interruption notices", EC2 user guide). This rule hands it to scale-up,
# which tags the instance so the warm top-up replaces it and a job lost to the reclaim can be re-run
# (lambdas/src/core/scale-up/spot.ts). Only when some pool runs spot. `aws.*` sources cannot be put
# on a bus by anyone but AWS, so the event is EC2's own.

resource "aws_cloudwatch_event_rule" "spot_warning" {
  count = var.spot_warnings ? 1 : 0

  name        = "${var.prefix}-spot-warning"
  description = "EC2 spot interruption warnings for the runners of ${var.environment}"
  event_pattern = jsonencode({
    source = ["aws.ec2"]
    # The rebalance recommendation only when some pool drains on it (drain_on_rebalance_recommendation).
    "detail-type" = concat(["EC2 Spot Instance Interruption Warning"], var.spot_rebalance ? ["EC2 Instance Rebalance Recommendation"] : [])
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "spot_warning" {
  count = var.spot_warnings ? 1 : 0

  rule = aws_cloudwatch_event_rule.spot_warning[0].name
  arn  = module.function.function_arn

  # The warning is useful for two minutes: an event EventBridge could not deliver by then is stale.
  retry_policy {
    maximum_event_age_in_seconds = 120
    maximum_retry_attempts       = 2
  }
}

resource "aws_lambda_permission" "spot_warning" {
  count = var.spot_warnings ? 1 : 0

  statement_id  = "SpotWarning"
  action        = "lambda:InvokeFunction"
  function_name = module.function.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.spot_warning[0].arn
}
