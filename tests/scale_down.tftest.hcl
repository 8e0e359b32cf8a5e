# modules/scale-down: one writer (reserved concurrency 1), the schedule, and least-privilege IAM.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  prefix                = "ghr-test"
  environment           = "ghr-test"
  config_json           = "{}"
  zip                   = { path = "tests/fixtures/lambda.zip" }
  github_parameter_arns = ["arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/app/id"]
  runner_config_path    = "/github-action-runners/ghr-test/runners/config"
  lease_parameter_name  = "/github-action-runners/ghr-test/scale-down/lease"
  lambda = {
    runtime               = "nodejs22.x"
    architecture          = "arm64"
    log_retention_in_days = 30
  }
}

run "one_writer_and_schedule" {
  command = apply

  module {
    source = "./modules/scale-down"
  }

  assert {
    condition     = module.function.function_arn != null && aws_scheduler_schedule.this.target[0].arn == module.function.function_arn
    error_message = "The schedule must invoke the scale-down function."
  }

  assert {
    condition     = aws_scheduler_schedule.this.schedule_expression == "rate(5 minutes)" && aws_scheduler_schedule.this.flexible_time_window[0].mode == "OFF"
    error_message = "Scale-down runs every 5 minutes by default, on time (no flexible window)."
  }

  assert {
    condition     = aws_scheduler_schedule.this.target[0].role_arn == aws_iam_role.scheduler.arn
    error_message = "EventBridge Scheduler invokes through its own role."
  }

  assert {
    condition     = aws_scheduler_schedule.this.target[0].retry_policy[0].maximum_retry_attempts == 0
    error_message = "A failed run is not retried by the scheduler (the next run resumes from tags)."
  }

  assert {
    condition     = output.reserved_concurrency == 1
    error_message = "Scale-down must run with reserved concurrency 1: one writer, never two runs at once."
  }

  assert {
    condition     = output.lease_parameter_name == "/github-action-runners/ghr-test/scale-down/lease"
    error_message = "The lease parameter path must be an output."
  }
}

run "custom_schedule" {
  command = plan

  module {
    source = "./modules/scale-down"
  }

  variables {
    schedule_expression = "cron(0/2 * * * ? *)"
  }

  assert {
    condition     = aws_scheduler_schedule.this.schedule_expression == "cron(0/2 * * * ? *)"
    error_message = "A cron() schedule must be passed through."
  }
}

run "rejects_bad_schedule" {
  command = plan

  module {
    source = "./modules/scale-down"
  }

  variables {
    schedule_expression = "every 5 minutes"
  }

  expect_failures = [var.schedule_expression]
}

run "iam_destructive_actions_need_environment_tag" {
  command = apply

  module {
    source = "./modules/scale-down"
  }

  # Every statement that can terminate or re-tag an instance: never on "*", always conditioned
  # on this deployment's environment tag.
  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      length(setintersection(s.actions, ["ec2:TerminateInstances", "ec2:CreateTags", "ec2:DeleteTags", "ec2:StopInstances", "ec2:RebootInstances"])) == 0 || (
        !contains(s.resources, "*") &&
        anytrue([for c in s.condition : c.test == "StringEquals" && c.variable == "aws:ResourceTag/ghr:environment" && length(c.values) == 1 && contains(c.values, "ghr-test")])
    )])
    error_message = "Destructive EC2 actions must carry an aws:ResourceTag/ghr:environment condition and never apply to \"*\"."
  }

  assert {
    condition     = length([for s in data.aws_iam_policy_document.this.statement : s if contains(s.actions, "ec2:TerminateInstances")]) == 1
    error_message = "Exactly one statement may allow TerminateInstances."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      alltrue([for r in s.resources : startswith(r, "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/")])
    if anytrue([for a in s.actions : startswith(a, "ssm:")])])
    error_message = "SSM access must stay under this deployment's parameter paths."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.this.statement : !contains(s.resources, "*") || alltrue([for a in s.actions : startswith(a, "ec2:Describe")])])
    error_message = "Only Describe* actions may use \"*\" (they cannot be scoped)."
  }

  assert {
    condition     = length([for s in data.aws_iam_policy_document.this.statement : s if anytrue([for a in s.actions : startswith(a, "kms:")])]) == 0
    error_message = "Without customer-managed keys, no KMS permission is granted."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.scheduler.statement : s.actions]) == toset(["lambda:InvokeFunction"])
    error_message = "The scheduler role may only invoke the function."
  }
}

run "iam_kms_only_when_needed" {
  command = apply

  module {
    source = "./modules/scale-down"
  }

  variables {
    ssm_kms_key_arns = ["arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555", null]
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.this.statement :
      s.actions == toset(["kms:Decrypt"]) && s.resources == toset(["arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"]) &&
      anytrue([for c in s.condition : c.variable == "kms:ViaService"])
    ])
    error_message = "With a customer-managed key, decrypt is granted on that key only, via SSM only."
  }
}
