# The root module with its defaults, against the mock provider (nothing real is created).

mock_provider "aws" {
  source = "./tests/mocks"
}

# The queue and its dead-letter queue need their own identities (the shared mock gives every
# queue one URL, which lambda-config refuses: a pool's DLQ must not be its queue).
override_resource {
  target = module.webhook.aws_sqs_queue.this["linux"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_linux" }
}

override_resource {
  target = module.webhook.aws_sqs_queue.dlq["linux"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux_dlq", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_linux_dlq" }
}

variables {
  prefix     = "ghr-test"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0123456789abcdef0"]
  github_app_secrets = {
    id             = "123456"
    key_base64     = "LS0tLS1CRUdJTi0tLS0t"
    webhook_secret = "not-a-real-secret"
  }
  lambda_zips = {
    webhook      = { path = "tests/fixtures/lambda.zip" }
    scale_up     = { path = "tests/fixtures/lambda.zip" }
    scale_down   = { path = "tests/fixtures/lambda.zip" }
    runner_cache = { path = "tests/fixtures/lambda.zip" }
  }
  runner_pools = {
    linux = {
      owner         = "acme"
      runner_labels = ["linux-x64"]
    }
  }
}

run "defaults_plan" {
  command = plan

  assert {
    condition     = length(module.github_app.created_parameter_names) == 3
    error_message = "Without existing parameters, the module must create the three GitHub App SecureStrings."
  }

  assert {
    condition     = output.ssm_paths.runner_config == "/github-action-runners/ghr-test/runners/config" && output.ssm_paths.lease == "/github-action-runners/ghr-test/scale-down/lease"
    error_message = "SSM paths must be /<root>/<prefix>/..., the only paths the Lambdas may touch."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.lambda_errors) == 4 && length(aws_cloudwatch_metric_alarm.lambda_throttles) == 4
    error_message = "Each of the four Lambdas (the runner cache's included) needs an errors and a throttles alarm by default."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.dlq_depth) == 1 && aws_cloudwatch_metric_alarm.dlq_depth["linux"].dimensions.QueueName == "ghr-test_linux_dlq"
    error_message = "Each pool's dead-letter queue needs a depth alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.scale_down_skipped_busy[0].namespace == "GitHubRunnerFleet" && aws_cloudwatch_metric_alarm.scale_down_skipped_busy[0].metric_name == "skippedBusy"
    error_message = "The skipped-busy alarm must watch scale-down's metric in the Lambdas' namespace (lambdas/src/observability/metrics.ts)."
  }

  # The Lambdas emit every metric with `environment` besides `service`: the alarm counts this
  # deployment only, never another one sharing the namespace in the account and region.
  assert {
    condition     = aws_cloudwatch_metric_alarm.scale_down_skipped_busy[0].dimensions == tomap({ service = "scale-down", environment = "ghr-test" })
    error_message = "The skipped-busy alarm must filter on service = scale-down and environment = the prefix."
  }

  # Guarantee 5 of docs/safety.md: any guard (a) failure or guard (b) save of this deployment fires.
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.scale_down_guard["guard-a-failed"].metric_name == "guardAFailed" &&
      aws_cloudwatch_metric_alarm.scale_down_guard["guard-b-saved"].metric_name == "guardBSaved" &&
      aws_cloudwatch_metric_alarm.scale_down_guard["agent-time-forged"].metric_name == "agentTimeForged" &&
      alltrue([for a in aws_cloudwatch_metric_alarm.scale_down_guard : a.threshold == 1 && a.dimensions == tomap({ service = "scale-down", environment = "ghr-test" })])
    )
    error_message = "The guard alarms must watch guardAFailed and guardBSaved of this deployment's scale-down, firing on one."
  }

  # Pools are ephemeral by default: no recycle queue, and the runners may send no message at all.
  assert {
    condition     = length(module.webhook.recycle_queue_names) == 0 && length(module.scale_up.recycle_trigger_queue_arns) == 0 && length(module.runner_pool["linux"].send_message_queue_arns) == 0
    error_message = "An ephemeral pool (the default) gets no recycle queue, no recycle trigger, and a runner role without sqs:SendMessage."
  }

  # A webhook flood can take at most 20 concurrent executions; scale-up keeps its own 10 (2 per
  # pool trigger at least) and scale-down 1, so the flood cannot starve either.
  assert {
    condition     = module.webhook.reserved_concurrency == 20 && module.scale_up.reserved_concurrency == 10 && module.scale_up.maximum_concurrency == 10 && module.scale_down.reserved_concurrency == 1
    error_message = "Default reserved concurrency: webhook 20, scale-up 10 (its one queue trigger up to 10), scale-down 1."
  }
}

run "defaults_apply" {
  command = apply

  assert {
    condition     = output.webhook_endpoint == "https://abc123.execute-api.eu-west-1.amazonaws.com/webhook"
    error_message = "The ingress is the HTTP API's POST /webhook route, and its URL is an output."
  }

  assert {
    condition     = output.queues["linux"].url != null && output.queues["linux"].dlq_arn != null && output.queues["linux"].recycle_arn == null
    error_message = "Each pool's queue URL and DLQ ARN must be outputs; an ephemeral pool has no recycle queue."
  }

  assert {
    condition     = alltrue([for k, v in output.lambda_role_arns : v != null]) && alltrue([for k, v in output.lambda_log_groups : v != null])
    error_message = "Role ARNs and log groups of every Lambda must be outputs."
  }

  assert {
    condition     = output.lambda_log_groups.scale_down == "/aws/lambda/ghr-test-scale-down"
    error_message = "Log groups are named /aws/lambda/<function> so Lambda writes into the group with retention."
  }

  assert {
    condition     = output.runner_pools["linux"].launch_template_name == "ghr-test_linux" && output.runner_pools["linux"].role_name == "ghr-test_linux_runner"
    error_message = "Each pool's launch template must be an output."
  }

  assert {
    condition     = output.scale_down_schedule_arn != null && length(output.alarm_arns) == 10
    error_message = "The schedule and all ten default alarms must be outputs."
  }

  assert {
    condition     = module.scale_up.warm_pools_schedule_arn == null
    error_message = "Without pool_config there is no warm-pool schedule."
  }

  assert {
    condition     = jsondecode(output.lambda_configs.scale_up).pools.linux.launchTemplateName == "ghr-test_linux"
    error_message = "Scale-up's config must name the pool's launch template."
  }
}

run "alarms_disabled" {
  command = plan

  variables {
    alarms = { enabled = false }
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.lambda_errors) == 0 && length(aws_cloudwatch_metric_alarm.scale_down_skipped_busy) == 0 && length(aws_cloudwatch_metric_alarm.scale_down_guard) == 0
    error_message = "alarms.enabled = false must create no alarm."
  }
}
