output "endpoint" {
  description = "URL to configure as the GitHub App's webhook URL."
  value       = try("${trimsuffix(aws_apigatewayv2_stage.this.invoke_url, "/")}/webhook", null)
}

output "queue_urls" {
  description = "URL of each pool's job queue, by pool name."
  value       = { for k, q in aws_sqs_queue.this : k => q.url }
}

output "queue_arns" {
  description = "ARN of each pool's job queue, by pool name."
  value       = { for k, q in aws_sqs_queue.this : k => q.arn }
}

output "recycle_queue_urls" {
  description = "URL of each reusable pool's recycle queue, by pool name (ephemeral pools have none)."
  value       = { for k, q in aws_sqs_queue.recycle : k => q.url }
}

output "recycle_queue_arns" {
  description = "ARN of each reusable pool's recycle queue, by pool name (ephemeral pools have none)."
  value       = { for k, q in aws_sqs_queue.recycle : k => q.arn }
}

output "recycle_queue_names" {
  description = "Name of each reusable pool's recycle queue, by pool name."
  value       = { for k, q in aws_sqs_queue.recycle : k => q.name }
}

output "dlq_urls" {
  description = "URL of each pool's dead-letter queue, by pool name."
  value       = { for k, q in aws_sqs_queue.dlq : k => q.url }
}

output "dlq_arns" {
  description = "ARN of each pool's dead-letter queue, by pool name."
  value       = { for k, q in aws_sqs_queue.dlq : k => q.arn }
}

output "dlq_names" {
  description = "Name of each pool's dead-letter queue, by pool name."
  value       = { for k, q in aws_sqs_queue.dlq : k => q.name }
}

output "function_name" {
  description = "Name of the webhook function."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the webhook function."
  value       = module.function.function_arn
}

output "role_arn" {
  description = "ARN of the webhook function's role."
  value       = module.function.role_arn
}

output "role_policy_documents" {
  description = "The policy documents combined into the webhook role's inline policy (for tests and review)."
  value       = module.function.role_policy_documents
}

output "log_group_name" {
  description = "Log group of the webhook function."
  value       = module.function.log_group_name
}

output "reserved_concurrency" {
  description = "Reserved concurrency of the webhook function (-1: unreserved)."
  value       = module.function.reserved_concurrent_executions
}

output "secret_parameter_arn" {
  description = "The one SSM parameter the webhook role may read: the webhook secret."
  value       = var.webhook_secret_parameter_arn
}

output "queue_names" {
  description = "Name of each pool's job queue, by pool name."
  value       = { for k, q in aws_sqs_queue.this : k => q.name }
}
