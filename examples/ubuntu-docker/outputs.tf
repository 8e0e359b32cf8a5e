output "webhook_endpoint" {
  description = "Set this as the GitHub App's webhook URL."
  value       = module.runners.webhook_endpoint
}

output "runner_pools" {
  description = "Launch templates and runner roles per pool."
  value       = module.runners.runner_pools
}
