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
  description = "UUID of each pool's event source mapping, by pool name."
  value       = { for k, m in aws_lambda_event_source_mapping.this : k => m.uuid }
}
