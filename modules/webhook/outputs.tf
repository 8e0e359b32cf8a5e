output "endpoint" {
  description = "URL to configure as the GitHub App's webhook URL."
  value       = var.ingress == "function_url" ? try(aws_lambda_function_url.this[0].function_url, null) : try("${trimsuffix(aws_apigatewayv2_stage.this[0].invoke_url, "/")}/webhook", null)
}

output "queue_urls" {
  description = "URL of each pool's queue, by pool name."
  value       = { for k, q in aws_sqs_queue.this : k => q.url }
}

output "queue_arns" {
  description = "ARN of each pool's queue, by pool name."
  value       = { for k, q in aws_sqs_queue.this : k => q.arn }
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

output "log_group_name" {
  description = "Log group of the webhook function."
  value       = module.function.log_group_name
}
