output "webhook_endpoint" {
  description = "Set this as the GitHub App's webhook URL."
  value       = module.runners.webhook_endpoint
}

output "queues" {
  description = "Job queues, dead-letter queues and (reusable pools) recycle queues per pool."
  value       = module.runners.queues
}

output "runner_pools" {
  description = "Launch templates and runner roles per pool."
  value       = module.runners.runner_pools
}
