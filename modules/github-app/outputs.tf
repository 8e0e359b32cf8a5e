output "parameters" {
  description = "The GitHub App parameters in use, created or existing: `id`, `key_base64`, `webhook_secret`, each `{ name, arn }`."
  value       = local.parameters
}

output "created_parameter_names" {
  description = "Names of the parameters this module created (empty when all are referenced)."
  value       = compact([try(aws_ssm_parameter.id[0].name, null), try(aws_ssm_parameter.key_base64[0].name, null), try(aws_ssm_parameter.webhook_secret[0].name, null)])
}
