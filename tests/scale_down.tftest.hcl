# modules/scale-down: one writer (reserved concurrency 1), the schedule, and least-privilege IAM.

mock_provider "aws" {
  source = "./tests/mocks"
}

# Distinct identities for everything the wiring assertions compare (the shared mock gives every
# role one ARN and every policy document one JSON: tests/mocks/aws.tfmock.hcl).
override_resource {
  target = aws_iam_role.scheduler
  values = { arn = "arn:aws:iam::123456789012:role/ghr-test-scale-down-scheduler", id = "ghr-test-scale-down-scheduler", name = "ghr-test-scale-down-scheduler" }
}

override_resource {
  target = module.function.aws_iam_role.this
  values = { arn = "arn:aws:iam::123456789012:role/ghr-test-scale-down-lambda", id = "ghr-test-scale-down-lambda", name = "ghr-test-scale-down-lambda" }
}

override_resource {
  target = module.function.aws_lambda_function.this
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:ghr-test-scale-down" }
}

override_data {
  target = data.aws_iam_policy_document.this
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"MockScaleDown\",\"Effect\":\"Allow\",\"Action\":\"ec2:DescribeInstances\",\"Resource\":\"*\"}]}" }
}

override_data {
  target = data.aws_iam_policy_document.scheduler
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"MockScheduler\",\"Effect\":\"Allow\",\"Action\":\"lambda:InvokeFunction\",\"Resource\":\"*\"}]}" }
}

override_data {
  target = data.aws_iam_policy_document.scheduler_assume
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"MockSchedulerAssume\",\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"scheduler.amazonaws.com\"}}]}" }
}

variables {
  prefix                = "ghr-test"
  environment           = "ghr-test"
  config_json           = "{}"
  zip                   = { path = "tests/fixtures/lambda.zip" }
  github_parameter_arns = ["arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/app/id"]
  runner_config_path    = "/github-action-runners/ghr-test/runners/config"
  lease_parameter_name  = "/github-action-runners/ghr-test/scale-down/lease"
  queue_arns            = ["arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux", "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm"]
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
    condition     = aws_scheduler_schedule.this.target[0].arn == "arn:aws:lambda:eu-west-1:123456789012:function:ghr-test-scale-down" && aws_scheduler_schedule.this.target[0].arn == module.function.function_arn
    error_message = "The schedule must invoke the scale-down function."
  }

  assert {
    condition     = aws_scheduler_schedule.this.schedule_expression == "rate(5 minutes)" && aws_scheduler_schedule.this.flexible_time_window[0].mode == "OFF"
    error_message = "Scale-down runs every 5 minutes by default, on time (no flexible window)."
  }

  # The scheduler invokes through its own role (trusted by scheduler.amazonaws.com, allowed only to
  # invoke this function), never the function's role, which holds terminate and tag rights.
  assert {
    condition     = aws_scheduler_schedule.this.target[0].role_arn == aws_iam_role.scheduler.arn && aws_scheduler_schedule.this.target[0].role_arn != module.function.role_arn
    error_message = "EventBridge Scheduler must invoke through the scheduler role, not the function's own role."
  }

  assert {
    condition     = aws_iam_role.scheduler.assume_role_policy == data.aws_iam_policy_document.scheduler_assume.json && aws_iam_role_policy.scheduler.role == aws_iam_role.scheduler.id && aws_iam_role_policy.scheduler.policy == data.aws_iam_policy_document.scheduler.json
    error_message = "The scheduler role must trust the scheduler service and carry the invoke-only policy."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.scheduler.statement : s.actions]) == toset(["lambda:InvokeFunction"]) && one([for s in data.aws_iam_policy_document.scheduler.statement : s.resources]) == toset([module.function.function_arn])
    error_message = "The scheduler role may only invoke this function."
  }

  assert {
    condition     = contains(module.function.role_policy_documents, data.aws_iam_policy_document.this.json) && output.role_policy_documents == module.function.role_policy_documents
    error_message = "The function's role must carry scale-down's own policy document."
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
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement : !contains(s.resources, "*") || alltrue([for a in s.actions : startswith(a, "ec2:Describe")])
    if s.effect != "Deny"])
    error_message = "Only Describe* actions may be allowed on \"*\" (they cannot be scoped)."
  }

  assert {
    condition     = length([for s in data.aws_iam_policy_document.this.statement : s if s.effect != "Deny" && anytrue([for a in s.actions : startswith(a, "kms:")])]) == 0
    error_message = "Without customer-managed keys, no KMS permission is granted."
  }

  # Housekeeping lists and deletes runner configs; it never reads one.
  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.this.statement : s.actions if s.sid == "ListRunnerConfigs"]) == toset(["ssm:GetParametersByPath"]) &&
      one([for s in data.aws_iam_policy_document.this.statement : s.resources if s.sid == "DeleteRunnerConfigs"]) == toset(["arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/runners/config/*"]) &&
      alltrue([for s in data.aws_iam_policy_document.this.statement : length(setintersection(s.actions, ["ssm:GetParameter", "ssm:GetParameters"])) == 0 || !anytrue([for r in s.resources : strcontains(r, "/runners/config")])])
    )
    error_message = "Scale-down may list runner configs (GetParametersByPath) and delete them, never get one."
  }

  # A listing could ask for values (WithDecryption), and aws/ssm lets the account decrypt via SSM:
  # an explicit deny on the parameters' encryption context makes the values unreadable.
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.this.statement :
      s.effect == "Deny" && s.actions == toset(["kms:Decrypt"]) && s.resources == toset(["*"]) &&
      anytrue([for c in s.condition : c.test == "StringLike" && c.variable == "kms:EncryptionContext:PARAMETER_ARN" && c.values == tolist(["arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/runners/config/*"])])
    ])
    error_message = "Scale-down must be denied kms:Decrypt for every runner config (encryption context PARAMETER_ARN under the config path)."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "ReadQueueDepth"]).actions == toset(["sqs:GetQueueAttributes"]) && one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "ReadQueueDepth"]).resources == toset(var.queue_arns)
    error_message = "Scale-down reads the pools' queue depth (GetQueueAttributes on their queues), and nothing else of SQS."
  }

  # What the root module's wiring test reads to show no recycle queue reaches this policy.
  assert {
    condition     = toset(output.sqs_resource_arns) == toset(var.queue_arns) && length(output.sqs_resource_arns) == 2
    error_message = "sqs_resource_arns must list exactly the queues scale-down's policy names."
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
      s.effect != "Deny" && s.actions == toset(["kms:Decrypt"]) && s.resources == toset(["arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"]) &&
      anytrue([for c in s.condition : c.variable == "kms:ViaService" && c.values == tolist(["ssm.eu-west-1.amazonaws.com"])])
    ])
    error_message = "With a customer-managed key, decrypt is granted on that key only, via SSM only."
  }
}
