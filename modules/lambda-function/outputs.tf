output "function_name" {
  description = "Name of the Lambda function."
  value       = try(aws_lambda_function.this.function_name, null)
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = try(aws_lambda_function.this.arn, null)
}

output "invoke_arn" {
  description = "Invoke ARN of the Lambda function (for API Gateway integrations)."
  value       = try(aws_lambda_function.this.invoke_arn, null)
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = try(aws_iam_role.this.arn, null)
}

output "role_name" {
  description = "Name of the function's IAM role."
  value       = try(aws_iam_role.this.name, null)
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group."
  value       = try(aws_cloudwatch_log_group.this.name, null)
}

output "log_group_arn" {
  description = "ARN of the function's CloudWatch log group."
  value       = try(aws_cloudwatch_log_group.this.arn, null)
}

output "reserved_concurrent_executions" {
  description = "Reserved concurrency of the function (-1: unreserved)."
  value       = try(aws_lambda_function.this.reserved_concurrent_executions, null)
}

output "runtime" {
  description = "Runtime of the function."
  value       = try(aws_lambda_function.this.runtime, null)
}

output "role_policy_documents" {
  description = "The documents merged into the role's inline policy: this module's logging policy, then the caller's `policy_json` (for tests and review)."
  value       = try(data.aws_iam_policy_document.combined.source_policy_documents, null)
}

output "role_policy_json" {
  description = "The role's inline policy as attached (JSON)."
  value       = try(aws_iam_role_policy.this.policy, null)
}
