# Instance logs (docs/terraform.md, "Instance logs"): one log group per pool, a stream per instance
# and file, written by the CloudWatch agent that user data installs and starts.

resource "aws_cloudwatch_log_group" "runner" {
  count             = var.logs.enabled ? 1 : 0
  name              = "/github-runners/${local.name}"
  retention_in_days = var.logs.retention_in_days
  kms_key_id        = var.logs.kms_key_arn
  tags              = var.tags
}

locals {
  log_group_name = var.logs.enabled ? "/github-runners/${local.name}" : ""
}

# An instance writes only to its pool's group. CloudWatch Logs cannot tie a stream to the
# instance whose credentials sign the request (a stream name cannot hold the instance ARN, the one
# policy variable that names it: ':' is not allowed in stream names), so a job may write lines into
# another instance's stream of the same pool: docs/threat-model.md says what that does and does not
# reach. The control plane never reads these logs.
data "aws_iam_policy_document" "logs" {
  count = var.logs.enabled ? 1 : 0

  statement {
    sid       = "ShipLogsToOwnPoolGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.runner[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "logs" {
  count  = var.logs.enabled ? 1 : 0
  name   = "logs"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.logs[0].json
}
