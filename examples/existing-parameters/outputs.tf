output "webhook_endpoint" {
  description = "Set this as the GitHub App's webhook URL."
  value       = module.runners.webhook_endpoint
}

output "lambda_role_arns" {
  description = "Lambda roles (grant them kms:Decrypt in the key policy if your key policy requires it)."
  value       = module.runners.lambda_role_arns
}
