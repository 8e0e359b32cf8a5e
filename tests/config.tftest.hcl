# The configuration contract, Terraform side: what the root module renders into each
# Lambda's FLEET_CONFIG. (The zod side is lambdas/test/terraform/config-contract.test.ts.)

mock_provider "aws" {
  source = "./tests/mocks"
}

# Every queue and dead-letter queue gets its own identity, so a pool rendered with another pool's
# queue, or with its queue as its dead-letter queue, fails (tests/mocks/aws.tfmock.hcl).
override_resource {
  target = module.webhook.aws_sqs_queue.this["linux"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_linux" }
}

override_resource {
  target = module.webhook.aws_sqs_queue.dlq["linux"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux_dlq", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_linux_dlq" }
}

override_resource {
  target = module.webhook.aws_sqs_queue.this["app"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_app", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_app" }
}

override_resource {
  target = module.webhook.aws_sqs_queue.dlq["app"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_app_dlq", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_app_dlq" }
}

override_resource {
  target = module.webhook.aws_sqs_queue.recycle["app"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_app_recycle", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_app_recycle" }
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
    app = {
      owner                           = "acme/app"
      enable_organization_runners     = false
      enable_ephemeral_runners        = false
      runner_labels                   = ["app", "gpu"]
      runners_maximum_count           = 3
      minimum_running_time_in_minutes = 10
      instance_target_capacity_type   = "on-demand"
      subnet_ids                      = ["subnet-0fedcba9876543210"]
      idle_config                     = [{ cron = "* 8-18 * * 1-5", timeZone = "Europe/Amsterdam", idleCount = 2 }]
    }
  }
}

run "config_defaults_are_left_to_the_schema" {
  command = apply

  assert {
    condition     = sort(keys(jsondecode(output.lambda_configs.scale_down))) == sort(["environment", "github", "pools", "lease", "runnerConfigPath"])
    error_message = "Unset settings must be left out, so the schema's single default applies (no logLevel, strategy, settleSeconds...)."
  }

  assert {
    condition     = sort(keys(jsondecode(output.lambda_configs.webhook))) == sort(["environment", "github", "pools", "webhookSecretParameter"])
    error_message = "The webhook config holds the common keys plus webhookSecretParameter only."
  }

  assert {
    condition     = sort(keys(jsondecode(output.lambda_configs.scale_up))) == sort(["environment", "github", "pools", "runnerConfigPath", "instanceArnPrefix"])
    error_message = "The scale-up config holds the common keys plus runnerConfigPath and instanceArnPrefix only."
  }

  # Each runner config is tagged with this + the instance id: it must be exactly what AWS puts in
  # ec2:SourceInstanceARN, or no runner could read its own registration.
  assert {
    condition     = jsondecode(output.lambda_configs.scale_up).instanceArnPrefix == "arn:aws:ec2:eu-west-1:123456789012:instance/"
    error_message = "instanceArnPrefix must be arn:<partition>:ec2:<region>:<account>:instance/ of the deployment."
  }

  assert {
    condition     = jsondecode(output.lambda_configs.scale_down).lease.parameterName == "/github-action-runners/ghr-test/scale-down/lease" && jsondecode(output.lambda_configs.scale_down).environment == "ghr-test"
    error_message = "Scale-down gets its lease parameter and the environment tag value."
  }

  assert {
    condition     = jsondecode(output.lambda_configs.webhook).github.appIdParameter == "/github-action-runners/ghr-test/app/id" && jsondecode(output.lambda_configs.webhook).webhookSecretParameter == "/github-action-runners/ghr-test/app/webhook_secret"
    error_message = "Secrets are passed by SSM parameter name."
  }

  assert {
    condition     = !strcontains(output.lambda_configs.webhook, "not-a-real-secret") && !strcontains(output.lambda_configs.scale_up, "LS0tLS1CRUdJTi0tLS0t")
    error_message = "No secret value may appear in a Lambda's environment."
  }

  assert {
    condition = jsondecode(output.lambda_configs.scale_up).pools.app == {
      owner                     = "acme/app"
      ownerType                 = "repo"
      labels                    = ["app", "gpu"]
      ephemeral                 = false
      queueUrl                  = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_app"
      queueArn                  = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_app"
      deadLetterQueueUrl        = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_app_dlq"
      recycleQueueUrl           = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_app_recycle"
      recycleQueueArn           = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_app_recycle"
      maxRunners                = 3
      minimumRunningTimeMinutes = 10
      launchTemplateName        = "ghr-test_app"
      instanceTypes             = ["m7i.large", "m6i.large", "m5.large"]
      subnetIds                 = ["subnet-0fedcba9876543210"]
      capacityType              = "on-demand"
      idleConfig                = [{ cron = "* 8-18 * * 1-5", timeZone = "Europe/Amsterdam", idleCount = 2 }]
    }
    error_message = "A reusable repo pool renders with camelCase keys, its own queue, queue ARN, dead-letter queue and recycle queue, subnets and idle config, and nothing else."
  }

  assert {
    condition     = length(setintersection(keys(jsondecode(output.lambda_configs.scale_up).pools.linux), ["recycleQueueUrl", "recycleQueueArn"])) == 0
    error_message = "An ephemeral pool renders no recycle queue."
  }

  assert {
    condition     = jsondecode(output.lambda_configs.webhook).pools == jsondecode(output.lambda_configs.scale_up).pools && jsondecode(output.lambda_configs.scale_down).pools == jsondecode(output.lambda_configs.scale_up).pools
    error_message = "Every Lambda sees the same pools (the webhook routes by them, scale-up and scale-down act on them)."
  }

  assert {
    condition     = jsondecode(output.lambda_configs.scale_up).pools.linux.ownerType == "org" && jsondecode(output.lambda_configs.scale_up).pools.linux.subnetIds == ["subnet-0123456789abcdef0"]
    error_message = "An org pool falls back to the module's subnets."
  }
}

run "config_passes_what_the_user_set" {
  command = apply

  variables {
    log_level  = "debug"
    ghes_url   = "https://github.example.com/"
    github_app = { installation_ids = { acme = 42 }, secret_cache_in_seconds = 60 }
    scale_up   = { registration = "token", enable_job_queued_check = false }
    scale_down = { settle_seconds = 120, concurrency_global = 5, lease_ttl_seconds = 600 }
    webhook    = { max_body_bytes = 2048 }
  }

  assert {
    condition     = jsondecode(output.lambda_configs.scale_down).logLevel == "DEBUG" && jsondecode(output.lambda_configs.scale_down).github.apiUrl == "https://github.example.com/api/v3"
    error_message = "log_level is upper-cased for the schema; ghes_url becomes the GHES API URL."
  }

  assert {
    condition     = jsondecode(output.lambda_configs.scale_down).github.installationIds == { acme = 42 } && jsondecode(output.lambda_configs.webhook).github.secretCacheSeconds == 60
    error_message = "Installation ids and the secret cache time reach every Lambda."
  }

  assert {
    condition     = jsondecode(output.lambda_configs.scale_up).registration == "token" && jsondecode(output.lambda_configs.scale_up).checkJobQueued == false
    error_message = "Scale-up settings are passed through."
  }

  assert {
    condition = (
      !contains(keys(jsondecode(output.lambda_configs.scale_down)), "strategy") && jsondecode(output.lambda_configs.scale_down).settleSeconds == 120 &&
      jsondecode(output.lambda_configs.scale_down).concurrency == { global = 5 } && jsondecode(output.lambda_configs.scale_down).lease.ttlSeconds == 600
    )
    error_message = "Scale-down settings are passed through, partial concurrency included."
  }

  assert {
    condition     = jsondecode(output.lambda_configs.webhook).maxBodyBytes == 2048
    error_message = "webhook.max_body_bytes is passed through."
  }
}

# Upstream's idle_config copied as its docs write it (six fields, seconds first) plans unchanged and
# reaches scale-down as written (read per minute there); an arm64 pool's default types are Graviton.
run "config_takes_upstream_six_field_cron_and_arm64_default_types" {
  command = apply

  variables {
    runner_pools = {
      linux = {
        owner               = "acme"
        runner_labels       = ["linux-arm64"]
        runner_architecture = "arm64"
      }
      app = {
        owner                       = "acme/app"
        enable_organization_runners = false
        enable_ephemeral_runners    = false
        runner_labels               = ["app"]
        idle_config                 = [{ cron = "* * 9-17 * * 1-5", timeZone = "Europe/Amsterdam", idleCount = 2 }]
      }
    }
  }

  assert {
    condition     = jsondecode(output.lambda_configs.scale_down).pools.app.idleConfig[0].cron == "* * 9-17 * * 1-5"
    error_message = "A six-field cron reaches scale-down as written."
  }

  assert {
    condition = (
      jsondecode(output.lambda_configs.scale_up).pools.linux.instanceTypes == ["m7g.large", "m6g.large"] &&
      jsondecode(output.lambda_configs.scale_up).pools.app.instanceTypes == ["m7i.large", "m6i.large", "m5.large"]
    )
    error_message = "A pool without instance_types gets the default of its architecture."
  }
}

# Upstream's pool_config copied as its docs write it (an EventBridge cron) plans unchanged: it
# reaches scale-up and scale-down as the pool's warm pool, and a one-minute schedule tops it up.
run "config_reads_upstream_pool_config_as_a_warm_pool" {
  command = apply

  variables {
    runner_pools = {
      linux = {
        owner                 = "acme"
        runner_labels         = ["office"]
        runners_maximum_count = 20
        pool_config           = [{ schedule_expression = "cron(* 8-17 ? * MON-FRI *)", schedule_expression_timezone = "Europe/Amsterdam", size = 5 }]
      }
    }
  }

  assert {
    condition = (
      jsondecode(output.lambda_configs.scale_up).pools.linux.warmPool == [{ cron = "cron(* 8-17 ? * MON-FRI *)", timeZone = "Europe/Amsterdam", size = 5 }] &&
      jsondecode(output.lambda_configs.scale_down).pools.linux.warmPool == jsondecode(output.lambda_configs.scale_up).pools.linux.warmPool
    )
    error_message = "pool_config reaches scale-up (which tops the pool up) and scale-down (which keeps it) as warmPool."
  }

  assert {
    condition     = module.scale_up.warm_pools_schedule_arn != null
    error_message = "A pool with pool_config gets the one-minute top-up schedule."
  }
}

# A spot pool gets EC2's interruption warnings delivered to scale-up; re-running lost jobs is opt-in
# per pool, and an on-demand-only fleet has no rule at all.
run "config_spot_pools_get_warnings_and_opt_in_reruns" {
  command = apply

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["linux-x64"], rerun_jobs_lost_to_spot = true, drain_on_rebalance = true }
      app   = { owner = "acme", runner_labels = ["on-demand"], instance_target_capacity_type = "on-demand" }
    }
  }

  assert {
    condition = (
      jsondecode(output.lambda_configs.scale_up).pools.linux.rerunOnSpotInterruption == true &&
      jsondecode(output.lambda_configs.webhook).pools.linux.rerunOnSpotInterruption == true &&
      jsondecode(output.lambda_configs.scale_up).pools.linux.drainOnRebalanceRecommendation == true &&
      !can(jsondecode(output.lambda_configs.webhook).pools.app.rerunOnSpotInterruption)
    )
    error_message = "rerun_jobs_lost_to_spot reaches the webhook (which asks) and scale-up (which re-runs); unset, it is left to the schema (off)."
  }

  assert {
    condition     = module.scale_up.spot_warning_rule_arn != null
    error_message = "A spot pool gets the spot warning rule."
  }
}

run "config_on_demand_only_has_no_spot_rule" {
  command = apply

  variables {
    runner_pools = {
      app = { owner = "acme", runner_labels = ["on-demand"], instance_target_capacity_type = "on-demand" }
    }
  }

  assert {
    condition     = module.scale_up.spot_warning_rule_arn == null
    error_message = "Without spot pools there is no spot warning rule."
  }
}

# Upstream's job_retry reaches scale-up's job re-check; `enable = false` turns it off.
run "config_passes_upstream_job_retry" {
  command = apply

  variables {
    scale_up = { job_retry = { enable = true, delay_in_seconds = 240, max_attempts = 3 } }
  }

  assert {
    condition     = jsondecode(output.lambda_configs.scale_up).jobRecheck == { delaySeconds = 240, maxRechecks = 3 }
    error_message = "job_retry's delay and attempts become jobRecheck."
  }
}

run "config_turns_job_retry_off" {
  command = apply

  variables {
    scale_up = { job_retry = { enable = false } }
  }

  assert {
    condition     = jsondecode(output.lambda_configs.scale_up).jobRecheck == { maxRechecks = 0 }
    error_message = "job_retry.enable = false means no re-check."
  }
}

# GHE.com (data residency): the API is on the api. host, without /api/v3.
run "config_derives_the_ghe_com_api_url" {
  command = apply

  variables {
    ghes_url = "https://octocorp.ghe.com/"
  }

  assert {
    condition     = jsondecode(output.lambda_configs.scale_up).github.apiUrl == "https://api.octocorp.ghe.com"
    error_message = "A GHE.com base URL becomes https://api.SUBDOMAIN.ghe.com."
  }
}

run "lambda_config_module_rejects_what_the_schema_would" {
  command = plan

  module {
    source = "./modules/lambda-config"
  }

  variables {
    environment         = "ghr-test"
    runner_config_path  = "/ghr/runners/config"
    instance_arn_prefix = "arn:aws:ec2:eu-west-1:123456789012:instance/i-"
    github              = { app_id_parameter = "/ghr/app/id", private_key_parameter = "/ghr/app/key" }
    webhook             = { secret_parameter = "/ghr/app/webhook" }
    scale_down          = { lease_parameter = "/ghr/lease" }
    pools = {
      a = {
        owner                 = "acme"
        owner_type            = "org"
        labels                = []
        queue_url             = "https://sqs.eu-west-1.amazonaws.com/123456789012/a"
        queue_arn             = "arn:aws:sqs:eu-west-1:123456789012:a"
        dead_letter_queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/a"
        max_runners           = 1
        launch_template_name  = "lt"
        instance_types        = ["m5.large"]
        subnet_ids            = ["subnet-0a"]
      }
    }
  }

  # No labels and the queue as its own dead-letter queue (pools); an instance ARN prefix that is
  # not arn:...:instance/ (AWS would never match it against ec2:SourceInstanceARN).
  expect_failures = [var.pools, var.instance_arn_prefix]
}

# A reusable pool (ephemeral = false) without a recycle queue could never recycle; the schema
# would accept it, so the module refuses it.
run "lambda_config_module_rejects_reusable_pool_without_recycle_queue" {
  command = plan

  module {
    source = "./modules/lambda-config"
  }

  variables {
    environment         = "ghr-test"
    runner_config_path  = "/ghr/runners/config"
    instance_arn_prefix = "arn:aws:ec2:eu-west-1:123456789012:instance/"
    github              = { app_id_parameter = "/ghr/app/id", private_key_parameter = "/ghr/app/key" }
    webhook             = { secret_parameter = "/ghr/app/webhook" }
    scale_down          = { lease_parameter = "/ghr/lease" }
    pools = {
      a = {
        owner                 = "acme"
        owner_type            = "org"
        labels                = ["a"]
        ephemeral             = false
        queue_url             = "https://sqs.eu-west-1.amazonaws.com/123456789012/a"
        queue_arn             = "arn:aws:sqs:eu-west-1:123456789012:a"
        dead_letter_queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/a_dlq"
        max_runners           = 1
        launch_template_name  = "lt"
        instance_types        = ["m5.large"]
        subnet_ids            = ["subnet-0a"]
      }
    }
  }

  expect_failures = [var.pools]
}

# The recycle queue must be a queue of its own (scale-up takes a message's kind from its queue),
# and an ephemeral pool (ephemeral unset: the schema's default, true) has none.
run "lambda_config_module_rejects_recycle_queue_that_is_the_job_queue" {
  command = plan

  module {
    source = "./modules/lambda-config"
  }

  variables {
    environment         = "ghr-test"
    runner_config_path  = "/ghr/runners/config"
    instance_arn_prefix = "arn:aws:ec2:eu-west-1:123456789012:instance/"
    github              = { app_id_parameter = "/ghr/app/id", private_key_parameter = "/ghr/app/key" }
    webhook             = { secret_parameter = "/ghr/app/webhook" }
    scale_down          = { lease_parameter = "/ghr/lease" }
    pools = {
      a = {
        owner                 = "acme"
        owner_type            = "org"
        labels                = ["a"]
        ephemeral             = false
        queue_url             = "https://sqs.eu-west-1.amazonaws.com/123456789012/a"
        queue_arn             = "arn:aws:sqs:eu-west-1:123456789012:a"
        dead_letter_queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/a_dlq"
        recycle_queue_url     = "https://sqs.eu-west-1.amazonaws.com/123456789012/a"
        recycle_queue_arn     = "arn:aws:sqs:eu-west-1:123456789012:a"
        max_runners           = 1
        launch_template_name  = "lt"
        instance_types        = ["m5.large"]
        subnet_ids            = ["subnet-0a"]
      }
    }
  }

  expect_failures = [var.pools]
}

run "lambda_config_module_rejects_recycle_queue_of_ephemeral_pool" {
  command = plan

  module {
    source = "./modules/lambda-config"
  }

  variables {
    environment         = "ghr-test"
    runner_config_path  = "/ghr/runners/config"
    instance_arn_prefix = "arn:aws:ec2:eu-west-1:123456789012:instance/"
    github              = { app_id_parameter = "/ghr/app/id", private_key_parameter = "/ghr/app/key" }
    webhook             = { secret_parameter = "/ghr/app/webhook" }
    scale_down          = { lease_parameter = "/ghr/lease" }
    pools = {
      a = {
        owner                 = "acme"
        owner_type            = "org"
        labels                = ["a"]
        queue_url             = "https://sqs.eu-west-1.amazonaws.com/123456789012/a"
        queue_arn             = "arn:aws:sqs:eu-west-1:123456789012:a"
        dead_letter_queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/a_dlq"
        recycle_queue_url     = "https://sqs.eu-west-1.amazonaws.com/123456789012/a_recycle"
        recycle_queue_arn     = "arn:aws:sqs:eu-west-1:123456789012:a_recycle"
        max_runners           = 1
        launch_template_name  = "lt"
        instance_types        = ["m5.large"]
        subnet_ids            = ["subnet-0a"]
      }
    }
  }

  expect_failures = [var.pools]
}

# Upstream's matcherConfig is passed as the schema reads it; a pool without one renders none.
run "config_passes_upstream_matcher_config" {
  command = apply

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["linux-x64"], instance_allocation_strategy = "capacity-optimized", runner_ec2_tags = { team = "build" }, matcherConfig = { labelMatchers = [["self-hosted", "linux-x64"]], exactMatch = true, priority = 5 } }
      app   = { owner = "acme", runner_labels = ["app"] }
    }
  }

  assert {
    condition = (
      jsondecode(output.lambda_configs.webhook).pools.linux.labelMatchers == [["self-hosted", "linux-x64"]] &&
      jsondecode(output.lambda_configs.webhook).pools.linux.exactMatch == true &&
      jsondecode(output.lambda_configs.webhook).pools.linux.priority == 5 &&
      jsondecode(output.lambda_configs.scale_up).pools.linux.spotAllocationStrategy == "capacity-optimized" &&
      jsondecode(output.lambda_configs.scale_up).pools.linux.instanceTags == { team = "build" } &&
      !contains(keys(jsondecode(output.lambda_configs.scale_up).pools.app), "instanceTags") &&
      !contains(keys(jsondecode(output.lambda_configs.scale_up).pools.app), "spotAllocationStrategy") &&
      length(setintersection(keys(jsondecode(output.lambda_configs.webhook).pools.app), ["labelMatchers", "exactMatch", "priority"])) == 0
    )
    error_message = "matcherConfig's labelMatchers, exactMatch and priority, and instance_allocation_strategy, reach the pool's config only when set."
  }
}
