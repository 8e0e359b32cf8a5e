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

output "ami_parameter_name" {
  description = "The SSM parameter the launch template resolves its AMI from at each launch (null with a fixed ami_id): whoever launches needs ssm:GetParameters on it."
  value       = local.ami_parameter_name
}

output "key_pair_name" {
  description = "The EC2 key pair the launch template names, if any: whoever launches needs it as a RunInstances resource."
  value       = var.pool.key_name
}

output "ebs_kms_key_arn" {
  description = "The customer-managed key of the root volume, if any: whoever launches needs to create a grant on it for EC2."
  value       = var.pool.ebs_kms_key_arn
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
