output "launch_template_id" {
  description = "ID of the pool's launch template."
  value       = try(aws_launch_template.this.id, null)
}

output "launch_template_name" {
  description = "Name of the pool's launch template (what scale-up launches from)."
  value       = try(aws_launch_template.this.name, null)
}

output "launch_template_arn" {
  description = "ARN of the pool's launch template."
  value       = try(aws_launch_template.this.arn, null)
}

output "role_arn" {
  description = "ARN of the runner instances' IAM role."
  value       = try(aws_iam_role.this.arn, null)
}

output "role_name" {
  description = "Name of the runner instances' IAM role (attach your own policies to it)."
  value       = try(aws_iam_role.this.name, null)
}

output "instance_profile_arn" {
  description = "ARN of the runner instances' instance profile."
  value       = try(aws_iam_instance_profile.this.arn, null)
}

output "security_group_id" {
  description = "ID of the runners' security group (egress only)."
  value       = try(aws_security_group.this.id, null)
}

output "user_data" {
  description = "The rendered user data (plain text), for review and tests."
  value       = local.user_data
}

output "send_message_queue_arns" {
  description = "The queues the runner role may sqs:SendMessage to, read from its policy (for tests and review): a reusable pool's recycle queue, nothing for an ephemeral pool."
  value = try(sort(distinct(flatten([
    for s in data.aws_iam_policy_document.runner.statement : tolist(s.resources) if contains(s.actions, "sqs:SendMessage") && s.effect != "Deny"
  ]))), [])
}
