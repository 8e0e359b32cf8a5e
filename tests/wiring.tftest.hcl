# The root module's wiring: each sub-module gets the other's resources it must act on, and no
# other. Every resource compared here has its own identity (tests/mocks/aws.tfmock.hcl explains
# why the shared defaults would let a swapped wire pass).

mock_provider "aws" {
  source = "./tests/mocks"
}

override_resource {
  target = module.github_app.aws_ssm_parameter.id[0]
  values = { arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/app/id" }
}

override_resource {
  target = module.github_app.aws_ssm_parameter.key_base64[0]
  values = { arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/app/key_base64" }
}

override_resource {
  target = module.github_app.aws_ssm_parameter.webhook_secret[0]
  values = { arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/app/webhook_secret" }
}

override_resource {
  target = module.webhook.aws_sqs_queue.this["linux"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_linux" }
}

override_resource {
  target = module.webhook.aws_sqs_queue.dlq["linux"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux_dlq", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_linux_dlq" }
}

override_resource {
  target = module.webhook.aws_sqs_queue.this["arm"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_arm" }
}

override_resource {
  target = module.webhook.aws_sqs_queue.dlq["arm"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm_dlq", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_arm_dlq" }
}

override_resource {
  target = module.webhook.aws_sqs_queue.recycle["arm"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm_recycle", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_arm_recycle" }
}

override_resource {
  target = module.webhook.module.function.aws_iam_role.this
  values = { arn = "arn:aws:iam::123456789012:role/ghr-test-webhook-lambda" }
}

override_resource {
  target = module.scale_up.module.function.aws_iam_role.this
  values = { arn = "arn:aws:iam::123456789012:role/ghr-test-scale-up-lambda" }
}

override_resource {
  target = module.scale_down.module.function.aws_iam_role.this
  values = { arn = "arn:aws:iam::123456789012:role/ghr-test-scale-down-lambda" }
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
    linux = { owner = "acme", runner_labels = ["linux-x64"] }
    arm   = { owner = "acme", runner_labels = ["linux-arm64"], runner_architecture = "arm64", enable_ephemeral_runners = false }
  }
}

run "wiring" {
  command = apply

  # Scale-up knows a message's pool by the queue its trigger reads: each pool's own queue.
  assert {
    condition     = module.scale_up.trigger_queue_arns == module.webhook.queue_arns && module.scale_up.trigger_queue_arns["arm"] == "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm"
    error_message = "Each pool's scale-up trigger must read that pool's queue (never another pool's, never a dead-letter queue)."
  }

  assert {
    condition = alltrue([for pool in ["linux", "arm"] :
      jsondecode(output.lambda_configs.scale_up).pools[pool].queueArn == module.webhook.queue_arns[pool] &&
      jsondecode(output.lambda_configs.scale_up).pools[pool].queueUrl == module.webhook.queue_urls[pool] &&
      jsondecode(output.lambda_configs.scale_up).pools[pool].deadLetterQueueUrl == module.webhook.dlq_urls[pool]
    ])
    error_message = "Each pool's config must carry its own queue URL and ARN and its own dead-letter queue."
  }

  # Recycle queues (issue 14): only the reusable pool "arm" has one, apart from its job queue.
  assert {
    condition = (
      keys(module.webhook.recycle_queue_arns) == ["arm"] &&
      module.webhook.recycle_queue_arns["arm"] == "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm_recycle" &&
      output.queues["arm"].recycle_arn == "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm_recycle" &&
      output.queues["arm"].recycle_url == "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_arm_recycle" &&
      output.queues["linux"].recycle_arn == null && output.queues["linux"].recycle_url == null
    )
    error_message = "The reusable pool, and only it, has a recycle queue, and it is in the queues output."
  }

  # Scale-up tells a job from a recycle request by the queue the record came from, so the rendered
  # recycle queue must be the one the pool's recycle trigger reads and its runners write.
  assert {
    condition = (
      jsondecode(output.lambda_configs.scale_up).pools["arm"].recycleQueueArn == module.webhook.recycle_queue_arns["arm"] &&
      jsondecode(output.lambda_configs.scale_up).pools["arm"].recycleQueueUrl == module.webhook.recycle_queue_urls["arm"] &&
      !contains(keys(jsondecode(output.lambda_configs.scale_up).pools["linux"]), "recycleQueueArn") &&
      !contains(keys(jsondecode(output.lambda_configs.scale_up).pools["linux"]), "recycleQueueUrl") &&
      jsondecode(output.lambda_configs.scale_down).pools == jsondecode(output.lambda_configs.scale_up).pools
    )
    error_message = "A reusable pool's config carries its recycle queue's URL and ARN; an ephemeral pool's carries none."
  }

  assert {
    condition = (
      length(module.scale_up.recycle_trigger_queue_arns) == 1 &&
      module.scale_up.recycle_trigger_queue_arns["arm"] == module.webhook.recycle_queue_arns["arm"] &&
      length(module.scale_up.trigger_queue_arns) == 2 &&
      alltrue([for pool, arn in module.webhook.queue_arns : module.scale_up.trigger_queue_arns[pool] == arn])
    )
    error_message = "Scale-up has one trigger per pool's job queue and one per reusable pool's recycle queue, each reading that queue."
  }

  # A job on the runner holds the runner's credentials: a reusable pool's may send to its own
  # recycle queue and nowhere else (not its job queue); an ephemeral pool's may send nothing.
  assert {
    condition = (
      module.runner_pool["arm"].send_message_queue_arns == tolist(["arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm_recycle"]) &&
      strcontains(module.runner_pool["arm"].user_data, "GHR_QUEUE_URL='https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_arm_recycle'")
    )
    error_message = "The reusable pool's runner role may send only to its own recycle queue, and its agent sends there."
  }

  assert {
    condition     = length(module.runner_pool["linux"].send_message_queue_arns) == 0 && !strcontains(module.runner_pool["linux"].user_data, "GHR_QUEUE_URL='")
    error_message = "The ephemeral pool's runner role has no sqs:SendMessage, and its agent is given no queue."
  }

  # Scale-down reads the job queues' depth as demand; a recycle queue is no demand.
  assert {
    condition = (
      toset(module.scale_down.sqs_resource_arns) == toset(values(module.webhook.queue_arns)) &&
      !contains(module.scale_down.sqs_resource_arns, module.webhook.recycle_queue_arns["arm"])
    )
    error_message = "Scale-down's policy names the job queues only, never a recycle queue."
  }

  # Every trigger counts against scale-up's reservation.
  assert {
    condition     = module.scale_up.reserved_concurrency == 10 && module.scale_up.maximum_concurrency == 3
    error_message = "Scale-up's default reservation (10) is shared by its 3 triggers (2 job queues, 1 recycle queue): 3 each."
  }

  # The internet-facing webhook reads the webhook secret, never the App id or key.
  assert {
    condition     = module.webhook.secret_parameter_arn == "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/app/webhook_secret"
    error_message = "The webhook must be given the webhook secret's parameter, and only it."
  }

  assert {
    condition     = length(toset(values(output.lambda_role_arns))) == 3 && output.lambda_role_arns.scale_down == "arn:aws:iam::123456789012:role/ghr-test-scale-down-lambda"
    error_message = "Each Lambda has its own role."
  }

  assert {
    condition     = output.runner_pools["arm"].role_name == "ghr-test_arm_runner" && output.runner_pools["linux"].role_name == "ghr-test_linux_runner"
    error_message = "Each pool has its own runner role."
  }
}

# Each pool's template names what scale-up must be allowed to use when it launches from it.
run "scale_up_may_use_what_the_templates_name" {
  command = apply

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["linux-x64"], key_name = "ops", ebs_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
      arm   = { owner = "acme", runner_labels = ["linux-arm64"], runner_architecture = "arm64", enable_ephemeral_runners = false, ami_id = "ami-0123456789abcdef0" }
    }
  }

  assert {
    # jsonencode: the values, whatever list or tuple types carry them.
    condition = jsonencode(module.scale_up.launch_resources) == jsonencode({
      ami_parameters = ["arn:aws:ssm:eu-west-1:*:parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"]
      key_pairs      = ["arn:aws:ec2:eu-west-1:123456789012:key-pair/ops"]
      ebs_kms_keys   = ["arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"]
    })
    error_message = "Scale-up must be allowed each pool's AMI parameter (none for a fixed AMI id), key pair and EBS key, and nothing else."
  }
}
