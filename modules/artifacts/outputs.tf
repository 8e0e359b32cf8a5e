output "bucket" {
  description = "Name of the artifact bucket."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the artifact bucket."
  value       = local.bucket_arn
}

output "agent" {
  description = "The agent and its unit in the bucket, with the SHA-256 user data checks them against."
  value = {
    script_key    = aws_s3_object.agent.key
    script_sha256 = local.agent_sha256
    unit_key      = aws_s3_object.unit.key
    unit_sha256   = local.unit_sha256
  }
}

output "function_name" {
  description = "Name of the runner-cache function (null without the cache)."
  value       = try(module.function[0].function_name, null)
}

output "function_arn" {
  description = "ARN of the runner-cache function (null without the cache)."
  value       = try(module.function[0].function_arn, null)
}

output "role_arn" {
  description = "ARN of the runner-cache function's role (null without the cache)."
  value       = try(module.function[0].role_arn, null)
}
