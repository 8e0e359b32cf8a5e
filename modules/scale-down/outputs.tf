output "function_name" {
  description = "Name of the scale-down function."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the scale-down function."
  value       = module.function.function_arn
}

output "role_arn" {
  description = "ARN of the scale-down function's role."
  value       = module.function.role_arn
}

output "log_group_name" {
  description = "Log group of the scale-down function."
  value       = module.function.log_group_name
}

output "schedule_arn" {
  description = "ARN of the EventBridge Scheduler schedule that runs scale-down."
  value       = try(aws_scheduler_schedule.this.arn, null)
}

output "scheduler_role_arn" {
  description = "ARN of the role EventBridge Scheduler uses to invoke scale-down."
  value       = try(aws_iam_role.scheduler.arn, null)
}

output "lease_parameter_name" {
  description = "SSM parameter scale-down uses as its lease."
  value       = var.lease_parameter_name
}

output "reserved_concurrency" {
  description = "Reserved concurrency of scale-down: always 1 (one writer)."
  value       = module.function.reserved_concurrent_executions
}

output "role_policy_documents" {
  description = "The policy documents combined into the scale-down role's inline policy (for tests and review)."
  value       = module.function.role_policy_documents
}

output "sqs_resource_arns" {
  description = "Every queue scale-down's policy names, read from it (for tests and review): the pools' job queues, whose depth it reads; never a recycle queue, whose requests are not demand."
  value = try(sort(distinct(flatten([
    for s in data.aws_iam_policy_document.this.statement : tolist(s.resources) if anytrue([for a in s.actions : startswith(a, "sqs:")])
  ]))), [])
}
