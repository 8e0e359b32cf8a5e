output "function_name" {
  description = "Name of the scale-up function."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the scale-up function."
  value       = module.function.function_arn
}

output "role_arn" {
  description = "ARN of the scale-up function's role."
  value       = module.function.role_arn
}

output "log_group_name" {
  description = "Log group of the scale-up function."
  value       = module.function.log_group_name
}

output "event_source_mapping_uuids" {
  description = "UUID of each pool's job queue event source mapping, by pool name."
  value       = { for k, m in aws_lambda_event_source_mapping.this : k => m.uuid }
}

output "recycle_event_source_mapping_uuids" {
  description = "UUID of each reusable pool's recycle queue event source mapping, by pool name."
  value       = { for k, m in aws_lambda_event_source_mapping.recycle : k => m.uuid }
}

output "role_policy_documents" {
  description = "The policy documents combined into the scale-up role's inline policy (for tests and review)."
  value       = module.function.role_policy_documents
}

output "reserved_concurrency" {
  description = "Reserved concurrency of the scale-up function (-1: unreserved)."
  value       = module.function.reserved_concurrent_executions
}

output "maximum_concurrency" {
  description = "Maximum concurrency of each event source mapping (null: unbounded)."
  value       = local.maximum_concurrency
}

output "trigger_queue_arns" {
  description = "The job queue each pool's event source mapping reads, by pool name (the event source ARN scale-up takes a job's pool from)."
  value       = { for k, m in aws_lambda_event_source_mapping.this : k => m.event_source_arn }
}

output "recycle_trigger_queue_arns" {
  description = "The recycle queue each reusable pool's event source mapping reads, by pool name (the event source ARN scale-up takes a recycle request's pool from)."
  value       = { for k, m in aws_lambda_event_source_mapping.recycle : k => m.event_source_arn }
}

output "send_message_queue_arns" {
  description = "The queues scale-up may sqs:SendMessage to, read from its policy (for tests and review): the job queues (requeue) and the dead-letter queues."
  value = try(sort(distinct(flatten([
    for s in data.aws_iam_policy_document.this.statement : tolist(s.resources) if contains(s.actions, "sqs:SendMessage") && s.effect != "Deny"
  ]))), [])
}

output "launch_resources" {
  description = "What scale-up may use in a launch besides the templates, read from its policy's inputs (for tests and review): the AMI parameters it may resolve, key pairs, EBS keys."
  value = {
    ami_parameters = local.ami_parameters
    key_pairs      = local.key_pairs
    ebs_kms_keys   = distinct(var.ebs_kms_key_arns)
  }
}

output "warm_pools_schedule_arn" {
  description = "ARN of the warm-pool top-up schedule, or null when no pool has warm-pool rules."
  value       = try(aws_scheduler_schedule.warm_pools[0].arn, null)
}

output "spot_warning_rule_arn" {
  description = "ARN of the EventBridge rule that delivers EC2 spot interruption warnings to scale-up, or null when no pool runs spot."
  value       = try(aws_cloudwatch_event_rule.spot_warning[0].arn, null)
}
