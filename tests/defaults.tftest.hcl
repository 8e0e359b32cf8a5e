# The root module with its defaults, against the mock provider (nothing real is created).

mock_provider "aws" {
  source = "./tests/mocks"
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
    webhook    = { path = "tests/fixtures/lambda.zip" }
    scale_up   = { path = "tests/fixtures/lambda.zip" }
    scale_down = { path = "tests/fixtures/lambda.zip" }
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
    condition     = length(aws_cloudwatch_metric_alarm.lambda_errors) == 3 && length(aws_cloudwatch_metric_alarm.lambda_throttles) == 3
    error_message = "Each of the three Lambdas needs an errors and a throttles alarm by default."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.dlq_depth) == 1 && aws_cloudwatch_metric_alarm.dlq_depth["linux"].dimensions.QueueName == "ghr-test-linux-dlq"
    error_message = "Each pool's dead-letter queue needs a depth alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.scale_down_skipped_busy[0].namespace == "GitHubRunnerFleet" && aws_cloudwatch_metric_alarm.scale_down_skipped_busy[0].metric_name == "skippedBusy"
    error_message = "The skipped-busy alarm must watch scale-down's metric in the Lambdas' namespace (lambdas/src/observability/metrics.ts)."
  }
}

run "defaults_apply" {
  command = apply

  assert {
    condition     = output.webhook_endpoint == "https://mock.lambda-url.eu-west-1.on.aws/"
    error_message = "The default ingress is a function URL, and its URL is an output."
  }

  assert {
    condition     = output.queues["linux"].url != null && output.queues["linux"].dlq_arn != null
    error_message = "Each pool's queue URL and DLQ ARN must be outputs."
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
    condition     = output.runner_pools["linux"].launch_template_name == "ghr-test-linux"
    error_message = "Each pool's launch template must be an output."
  }

  assert {
    condition     = output.scale_down_schedule_arn != null && length(output.alarm_arns) == 8
    error_message = "The schedule and all eight default alarms must be outputs."
  }

  assert {
    condition     = jsondecode(output.lambda_configs.scale_up).pools.linux.launchTemplateName == "ghr-test-linux"
    error_message = "Scale-up's config must name the pool's launch template."
  }
}

run "http_api_ingress" {
  command = apply

  variables {
    webhook = { ingress = "http_api" }
  }

  assert {
    condition     = output.webhook_endpoint == "https://abc123.execute-api.eu-west-1.amazonaws.com/webhook"
    error_message = "With http_api, the endpoint is the stage URL plus /webhook."
  }
}

run "alarms_disabled" {
  command = plan

  variables {
    alarms = { enabled = false }
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.lambda_errors) == 0 && length(aws_cloudwatch_metric_alarm.scale_down_skipped_busy) == 0
    error_message = "alarms.enabled = false must create no alarm."
  }
}
