output "webhook_json" {
  description = "FLEET_CONFIG of the webhook Lambda (parsed by webhookConfigSchema)."
  value       = jsonencode(local.webhook)
}

output "scale_up_json" {
  description = "FLEET_CONFIG of the scale-up Lambda (parsed by scaleUpConfigSchema)."
  value       = jsonencode(local.scale_up)
}

output "scale_down_json" {
  description = "FLEET_CONFIG of the scale-down Lambda (parsed by scaleDownConfigSchema)."
  value       = jsonencode(local.scale_down)
}
