output "webhook_endpoint" {
  description = "URL to set as the GitHub App's webhook URL (content type application/json): the HTTP API's POST /webhook route."
  value       = try(module.webhook.endpoint, null)
}

output "webhook_function_name" {
  description = "Name of the webhook Lambda."
  value       = try(module.webhook.function_name, null)
}

output "scale_up_function_name" {
  description = "Name of the scale-up Lambda."
  value       = try(module.scale_up.function_name, null)
}

output "scale_down_function_name" {
  description = "Name of the scale-down Lambda."
  value       = try(module.scale_down.function_name, null)
}

output "lambda_role_arns" {
  description = "IAM role ARN of each Lambda: `webhook`, `scale_up`, `scale_down`."
  value = {
    webhook    = try(module.webhook.role_arn, null)
    scale_up   = try(module.scale_up.role_arn, null)
    scale_down = try(module.scale_down.role_arn, null)
  }
}

output "lambda_log_groups" {
  description = "CloudWatch log group of each Lambda: `webhook`, `scale_up`, `scale_down`."
  value = {
    webhook    = try(module.webhook.log_group_name, null)
    scale_up   = try(module.scale_up.log_group_name, null)
    scale_down = try(module.scale_down.log_group_name, null)
  }
}

output "queues" {
  description = "Each pool's job queue, dead-letter queue and (reusable pools; null for ephemeral ones) recycle queue: `{ url, arn, dlq_url, dlq_arn, recycle_url, recycle_arn }` by pool name."
  value = { for name in keys(var.runner_pools) : name => {
    url         = try(module.webhook.queue_urls[name], null)
    arn         = try(module.webhook.queue_arns[name], null)
    dlq_url     = try(module.webhook.dlq_urls[name], null)
    dlq_arn     = try(module.webhook.dlq_arns[name], null)
    recycle_url = try(module.webhook.recycle_queue_urls[name], null)
    recycle_arn = try(module.webhook.recycle_queue_arns[name], null)
  } }
}

output "runner_pools" {
  description = "Each pool's launch template, runner role, instance profile and security group, by pool name."
  value = { for name, pool in module.runner_pool : name => {
    launch_template_id   = try(pool.launch_template_id, null)
    launch_template_name = try(pool.launch_template_name, null)
    role_arn             = try(pool.role_arn, null)
    role_name            = try(pool.role_name, null)
    instance_profile_arn = try(pool.instance_profile_arn, null)
    security_group_id    = try(pool.security_group_id, null)
  } }
}

output "scale_down_schedule_arn" {
  description = "ARN of the EventBridge Scheduler schedule that runs scale-down."
  value       = try(module.scale_down.schedule_arn, null)
}

output "github_app_parameters" {
  description = "SSM parameters the Lambdas read the GitHub App from: `id`, `key_base64`, `webhook_secret`, each `{ name, arn }`."
  value       = try(module.github_app.parameters, null)
}

output "ssm_paths" {
  description = "SSM locations of this deployment: `app` (GitHub App), `runner_config` (per-instance JIT configs), `lease` (scale-down's lease)."
  value = {
    app           = local.app_path
    runner_config = local.runner_config_path
    lease         = local.lease_parameter
  }
}

output "lambda_configs" {
  description = "The FLEET_CONFIG JSON of each Lambda (`webhook`, `scale_up`, `scale_down`); secrets are referenced by parameter name, never included."
  value = {
    webhook    = try(module.lambda_config.webhook_json, null)
    scale_up   = try(module.lambda_config.scale_up_json, null)
    scale_down = try(module.lambda_config.scale_down_json, null)
  }
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms, by alarm name."
  value = merge(
    { for a in aws_cloudwatch_metric_alarm.lambda_errors : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_metric_alarm.lambda_throttles : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_metric_alarm.dlq_depth : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_metric_alarm.scale_down_skipped_busy : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_metric_alarm.pinned_runner_behind : a.alarm_name => a.arn },
  )
}

output "artifact_bucket" {
  description = "The artifact bucket runner instances fetch the agent and (with the runner binary cache) actions/runner from."
  value       = module.artifacts.bucket
}

output "runner_cache_function_name" {
  description = "Name of the runner-cache function (null when runner_binary_cache.enabled is false)."
  value       = module.artifacts.function_name
}
