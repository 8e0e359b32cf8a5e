# modules/scale-up: the queue triggers (job and recycle queues), reserved concurrency, and launch
# permissions scoped by tags.

mock_provider "aws" {
  source = "./tests/mocks"
}

# Distinct identities for what the wiring assertions compare (tests/mocks/aws.tfmock.hcl).
override_resource {
  target = module.function.aws_lambda_function.this
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:ghr-test-scale-up" }
}

override_data {
  target = data.aws_iam_policy_document.this
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"MockScaleUp\",\"Effect\":\"Allow\",\"Action\":\"ec2:DescribeInstances\",\"Resource\":\"*\"}]}" }
}

variables {
  prefix                = "ghr-test"
  environment           = "ghr-test"
  config_json           = "{}"
  zip                   = { path = "tests/fixtures/lambda.zip" }
  github_parameter_arns = ["arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/app/id"]
  runner_config_path    = "/github-action-runners/ghr-test/runners/config"
  queue_arns = {
    linux = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux"
    arm   = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm"
  }
  recycle_queue_arns = {
    arm = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm_recycle"
  }
  dlq_arns = {
    linux = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux_dlq"
    arm   = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm_dlq"
  }
  launch_template_arns = ["arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-0123456789abcdef0"]
  runner_role_arns     = ["arn:aws:iam::123456789012:role/ghr-test_linux_runner"]
  lambda = {
    runtime               = "nodejs22.x"
    architecture          = "arm64"
    log_retention_in_days = 30
    reserved_concurrency  = 10
  }
}

run "queue_trigger_reports_batch_item_failures" {
  command = apply

  module {
    source = "./modules/scale-up"
  }

  assert {
    condition = (
      length(aws_lambda_event_source_mapping.this) == 2 && length(aws_lambda_event_source_mapping.recycle) == 1 &&
      alltrue([for m in concat(values(aws_lambda_event_source_mapping.this), values(aws_lambda_event_source_mapping.recycle)) :
      m.function_response_types == toset(["ReportBatchItemFailures"]) && m.function_name == "arn:aws:lambda:eu-west-1:123456789012:function:ghr-test-scale-up"])
    )
    error_message = "Each pool's job queue and each reusable pool's recycle queue trigger the scale-up function with ReportBatchItemFailures, so one bad message does not replay its batch."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this["arm"].event_source_arn == "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm" && aws_lambda_event_source_mapping.this["arm"].batch_size == 10
    error_message = "Each mapping reads its pool's queue, 10 messages per batch by default."
  }

  # Scale-up takes a message's pool and kind from the queue it came from: the recycle trigger must
  # read the pool's recycle queue, never its job queue.
  assert {
    condition = (
      keys(output.recycle_trigger_queue_arns) == ["arm"] && output.recycle_trigger_queue_arns["arm"] == "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm_recycle" &&
      alltrue([for pool, arn in var.queue_arns : output.trigger_queue_arns[pool] == arn]) && length(output.trigger_queue_arns) == 2
    )
    error_message = "Each reusable pool's recycle trigger reads its recycle queue, and each pool's job trigger its job queue."
  }

  # Reserved 10 over 3 triggers (2 job queues, 1 recycle queue): 3 each, so together (9) they never
  # poll past the reservation.
  assert {
    condition = output.reserved_concurrency == 10 && output.maximum_concurrency == 3 && alltrue([
      for m in concat(values(aws_lambda_event_source_mapping.this), values(aws_lambda_event_source_mapping.recycle)) : m.scaling_config[0].maximum_concurrency == 3
    ])
    error_message = "With reserved concurrency 10 and 3 queue triggers, each trigger's maximum concurrency must be 3."
  }

  assert {
    condition     = contains(module.function.role_policy_documents, data.aws_iam_policy_document.this.json)
    error_message = "The function's role must carry scale-up's own policy document."
  }
}

run "refuses_reservation_smaller_than_its_triggers" {
  command = plan

  module {
    source = "./modules/scale-up"
  }

  variables {
    lambda = {
      runtime               = "nodejs22.x"
      architecture          = "arm64"
      log_retention_in_days = 30
      reserved_concurrency  = 3
    }
  }

  expect_failures = [aws_lambda_event_source_mapping.this, aws_lambda_event_source_mapping.recycle]
}

# 5 would carry the 2 job queue triggers (2 each), not the recycle trigger as well: every trigger
# counts.
run "refuses_reservation_that_forgets_the_recycle_triggers" {
  command = plan

  module {
    source = "./modules/scale-up"
  }

  variables {
    lambda = {
      runtime               = "nodejs22.x"
      architecture          = "arm64"
      log_retention_in_days = 30
      reserved_concurrency  = 5
    }
  }

  expect_failures = [aws_lambda_event_source_mapping.this, aws_lambda_event_source_mapping.recycle]
}

run "rejects_recycle_queue_that_is_a_job_queue" {
  command = plan

  module {
    source = "./modules/scale-up"
  }

  variables {
    recycle_queue_arns = { arm = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm" }
  }

  expect_failures = [var.recycle_queue_arns]
}

run "iam_launch_and_terminate_scoped_by_tags" {
  command = apply

  module {
    source = "./modules/scale-up"
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      length(setintersection(s.actions, ["ec2:TerminateInstances", "ec2:CreateTags", "ec2:DeleteTags"])) == 0 || (
        !contains(s.resources, "*") && anytrue([for c in s.condition :
          c.test == "StringEquals" && contains(["aws:ResourceTag/ghr:environment", "aws:RequestTag/ghr:environment"], c.variable) && length(c.values) == 1 && contains(c.values, "ghr-test")
    ]))])
    error_message = "Terminate and tag changes must be conditioned on this deployment's ghr:environment tag and never apply to \"*\"."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.this.statement :
      s.actions == toset(["ec2:CreateTags"]) &&
      anytrue([for c in s.condition : c.variable == "ec2:CreateAction" && sort(c.values) == sort(["CreateFleet", "RunInstances"])]) &&
      anytrue([for c in s.condition : c.variable == "aws:RequestTag/ghr:environment" && contains(c.values, "ghr-test")])
    ])
    error_message = "Tag-on-create must require ec2:CreateAction CreateFleet/RunInstances and the environment request tag."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.this.statement :
      s.actions == toset(["ec2:CreateFleet", "ec2:RunInstances"]) && contains(s.resources, "arn:aws:ec2:eu-west-1:123456789012:instance/*") &&
      anytrue([for c in s.condition : c.variable == "aws:RequestTag/ghr:environment" && contains(c.values, "ghr-test")])
    ])
    error_message = "Instances may only be launched carrying this deployment's ghr:environment tag."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      !contains(s.actions, "ec2:CreateFleet") || !contains(s.resources, "arn:aws:ec2:eu-west-1:123456789012:launch-template/*")
    ])
    error_message = "Launches may use this fleet's launch templates only, not any template."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.this.statement :
      s.actions == toset(["iam:PassRole"]) && s.resources == toset(["arn:aws:iam::123456789012:role/ghr-test_linux_runner"]) &&
      anytrue([for c in s.condition : c.variable == "iam:PassedToService" && contains(c.values, "ec2.amazonaws.com")])
    ])
    error_message = "PassRole is limited to the runner roles, passed to EC2."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      alltrue([for r in s.resources : startswith(r, "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/")])
    if anytrue([for a in s.actions : startswith(a, "ssm:")]) && s.sid != "ResolveAmiParameters"])
    error_message = "SSM access must stay under this deployment's parameter paths."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.this.statement : !contains(s.resources, "*") || alltrue([for a in s.actions : startswith(a, "ec2:Describe")])])
    error_message = "Only Describe* actions may use \"*\"."
  }
}

run "iam_runner_configs_and_queues" {
  command = apply

  module {
    source = "./modules/scale-up"
  }

  variables {
    ssm_kms_key_arns  = ["arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"]
    queue_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/66666666-7777-8888-9999-000000000000"
  }

  # Registrations are written (with their three binding tags) and deleted, never read back.
  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "WriteRunnerConfigs"]).actions == toset(["ssm:PutParameter", "ssm:DeleteParameter"]) &&
      one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "WriteRunnerConfigs"]).resources == toset(["arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/runners/config/*"]) &&
      anytrue([for s in data.aws_iam_policy_document.this.statement : s.actions == toset(["ssm:AddTagsToResource"]) &&
        anytrue([for c in s.condition : c.test == "ForAllValues:StringEquals" && c.variable == "aws:TagKeys" && sort(c.values) == sort(["ghr:instance-arn", "ghr:environment", "ghr:pool"])])
      ]) &&
      alltrue([for s in data.aws_iam_policy_document.this.statement : length(setintersection(s.actions, ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"])) == 0 || !anytrue([for r in s.resources : strcontains(r, "/runners/config")])])
    )
    error_message = "Scale-up may create (tagged with ghr:instance-arn, ghr:environment, ghr:pool only) and delete runner configs under the config path, and never read one."
  }

  # Jobs go back to their pool queues (requeue) or to the pools' dead-letter queues (launch failed);
  # nothing is ever sent to a recycle queue (only runners write there).
  assert {
    condition = (
      toset(flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.resources) if contains(s.actions, "sqs:SendMessage")])) ==
      toset(concat(values(var.queue_arns), values(var.dlq_arns))) &&
      toset(output.send_message_queue_arns) == toset(concat(values(var.queue_arns), values(var.dlq_arns)))
    )
    error_message = "Scale-up may send to its pools' job queues and dead-letter queues, nowhere else (never a recycle queue)."
  }

  # Its triggers receive from every queue they read: job queues and recycle queues.
  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "ConsumePoolQueues"]).resources == toset(concat(values(var.queue_arns), values(var.recycle_queue_arns))) &&
      one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "ConsumePoolQueues"]).actions == toset(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"])
    )
    error_message = "Scale-up receives from (and deletes on, and reads the attributes of) its job queues and recycle queues."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      anytrue([for c in s.condition : c.variable == "kms:ViaService" && length(c.values) == 1])
    if anytrue([for a in s.actions : startswith(a, "kms:")])])
    error_message = "Every KMS grant must carry kms:ViaService."
  }

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "DecryptGitHubAppParameters"]).actions == toset(["kms:Decrypt"]) &&
      one([for c in one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "UseQueueKey"]).condition : c.values if c.variable == "kms:ViaService"]) == tolist(["sqs.eu-west-1.amazonaws.com"])
    )
    error_message = "The App parameters' key is used to decrypt only (via SSM); the queue key via SQS only."
  }
}

run "rejects_bad_batch" {
  command = plan

  module {
    source = "./modules/scale-up"
  }

  variables {
    batch = { size = 0 }
  }

  expect_failures = [var.batch]
}

# What a launch from the pools' templates needs beyond the templates (issue 15, first-launch
# blockers): the `resolve:ssm:` AMI parameter, a named key pair, a customer-managed EBS key.
run "iam_launch_needs_what_the_templates_name" {
  command = apply

  module {
    source = "./modules/scale-up"
  }

  variables {
    ami_parameter_names = ["/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", "team-ami", "team-ami"]
    key_pair_names      = ["ops"]
    ebs_kms_key_arns    = ["arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"]
  }

  assert {
    condition = one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "ResolveAmiParameters"]).actions == toset(["ssm:GetParameters"]) && one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "ResolveAmiParameters"]).resources == toset([
      "arn:aws:ssm:eu-west-1:*:parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
      "arn:aws:ssm:eu-west-1:*:parameter/team-ami",
    ])
    error_message = "Scale-up may read (GetParameters only) exactly the AMI parameters the templates resolve, public (no account in the ARN) or the account's own."
  }

  assert {
    condition     = contains(one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "LaunchFromFleetTemplates"]).resources, "arn:aws:ec2:eu-west-1:123456789012:key-pair/ops")
    error_message = "A launch may use the key pair a template names (RunInstances authorizes it as a resource)."
  }

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "GrantRootVolumeKeysToEc2"]).actions == toset(["kms:CreateGrant"]) &&
      anytrue([for c in one([for s in data.aws_iam_policy_document.this.statement : s if s.sid == "GrantRootVolumeKeysToEc2"]).condition : c.test == "Bool" && c.variable == "kms:GrantIsForAWSResource" && c.values == tolist(["true"])]) &&
      alltrue([for s in data.aws_iam_policy_document.this.statement : anytrue([for c in s.condition : c.variable == "kms:ViaService" && c.values == tolist(["ec2.eu-west-1.amazonaws.com"])]) if contains(["EncryptRootVolumes", "GrantRootVolumeKeysToEc2"], s.sid)]) &&
      toset(flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.resources) if anytrue([for a in s.actions : a == "kms:CreateGrant" || a == "kms:GenerateDataKeyWithoutPlaintext"])])) == toset(var.ebs_kms_key_arns)
    )
    error_message = "The root volumes' keys are usable through EC2 only, and grants on them only for an AWS resource."
  }
}

run "iam_launch_grants_nothing_more_without_them" {
  command = apply

  module {
    source = "./modules/scale-up"
  }

  assert {
    condition = (
      length([for s in data.aws_iam_policy_document.this.statement : s if contains(["ResolveAmiParameters", "EncryptRootVolumes", "GrantRootVolumeKeysToEc2"], s.sid)]) == 0 &&
      !anytrue([for s in data.aws_iam_policy_document.this.statement : anytrue([for r in s.resources : strcontains(r, ":key-pair/")])])
    )
    error_message = "Without AMI parameters, key pairs or EBS keys, no statement grants them."
  }
}

# Warm pools: with warm_pools, a one-minute schedule invokes exactly this function with the constant
# input scale-up recognises (WARM_POOL_EVENT), through a role that may invoke nothing else.
run "warm_pools_schedule_invokes_scale_up" {
  command = apply

  module {
    source = "./modules/scale-up"
  }

  variables {
    warm_pools = true
  }

  assert {
    condition = (
      aws_scheduler_schedule.warm_pools[0].schedule_expression == "rate(1 minute)" &&
      aws_scheduler_schedule.warm_pools[0].target[0].arn == "arn:aws:lambda:eu-west-1:123456789012:function:ghr-test-scale-up" &&
      jsondecode(aws_scheduler_schedule.warm_pools[0].target[0].input) == { source = "ghr.scheduler", task = "warm-pools" }
    )
    error_message = "The warm-pool schedule invokes scale-up every minute with the warm-pool event."
  }

  assert {
    condition     = data.aws_iam_policy_document.warm_pools[0].statement[0].resources == toset(["arn:aws:lambda:eu-west-1:123456789012:function:ghr-test-scale-up"])
    error_message = "The scheduler role may invoke scale-up only."
  }
}

run "no_warm_pools_no_schedule" {
  command = plan

  module {
    source = "./modules/scale-up"
  }

  assert {
    condition     = length(aws_scheduler_schedule.warm_pools) == 0 && length(aws_iam_role.warm_pools) == 0
    error_message = "Without warm pools there is no schedule and no scheduler role."
  }
}

# Spot warnings: with spot pools, EC2's interruption warnings reach scale-up (and only EC2's: the
# pattern names aws.ec2, which only AWS can put on a bus), through a permission scoped to the rule.
run "spot_warnings_reach_scale_up" {
  command = apply

  module {
    source = "./modules/scale-up"
  }

  variables {
    spot_warnings = true
  }

  assert {
    condition = (
      jsondecode(aws_cloudwatch_event_rule.spot_warning[0].event_pattern) == { source = ["aws.ec2"], "detail-type" = ["EC2 Spot Instance Interruption Warning"] } &&
      aws_cloudwatch_event_target.spot_warning[0].arn == "arn:aws:lambda:eu-west-1:123456789012:function:ghr-test-scale-up"
    )
    error_message = "The rule matches EC2's spot interruption warning and targets scale-up."
  }

  assert {
    condition = (
      aws_lambda_permission.spot_warning[0].principal == "events.amazonaws.com" &&
      aws_lambda_permission.spot_warning[0].source_arn == aws_cloudwatch_event_rule.spot_warning[0].arn
    )
    error_message = "Only this rule may invoke scale-up through EventBridge."
  }

  assert {
    condition     = aws_cloudwatch_event_target.spot_warning[0].retry_policy[0].maximum_event_age_in_seconds <= 120
    error_message = "A warning older than its two minutes is not delivered."
  }
}

run "no_spot_pools_no_spot_rule" {
  command = plan

  module {
    source = "./modules/scale-up"
  }

  assert {
    condition     = length(aws_cloudwatch_event_rule.spot_warning) == 0 && length(aws_lambda_permission.spot_warning) == 0
    error_message = "Without spot pools there is no spot warning rule."
  }
}

run "spot_rebalance_recommendations_only_when_a_pool_drains" {
  command = apply

  module {
    source = "./modules/scale-up"
  }

  variables {
    spot_warnings  = true
    spot_rebalance = true
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.spot_warning[0].event_pattern)["detail-type"] == ["EC2 Spot Instance Interruption Warning", "EC2 Instance Rebalance Recommendation"]
    error_message = "A pool that drains on rebalance recommendations gets them delivered too."
  }
}
