# Every validation of the root module's inputs refuses a bad value at plan time.
# Each run sets one bad value for each of a few different variables of an otherwise valid
# configuration and expects exactly those variables to fail: every listed variable must fail,
# or the run fails. (Grouped because each run starts the AWS provider: ~1 s per run.)

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

run "valid_baseline_plans" {
  command = plan

  assert {
    condition     = length(module.runner_pool) == 1
    error_message = "The baseline of this file must be valid, or the runs below prove nothing."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.pinned_runner_behind) == 0
    error_message = "Pools on \"latest\" pin nothing: no pinned-release alarm."
  }
}

run "rejects_no_pools_and_prefix_uppercase_and_lambda_architecture_and_alarm_period" {
  command = plan

  variables {
    runner_pools = {}
    prefix       = "GHR"
    lambda       = { architecture = "arm" }
    alarms       = { period_seconds = 90 }
  }

  expect_failures = [var.runner_pools, var.prefix, var.lambda, var.alarms]
}

run "rejects_pool_name_uppercase_and_prefix_too_long_and_lambda_log_retention" {
  command = plan

  variables {
    runner_pools = { Linux = { owner = "acme", runner_labels = ["l"] } }
    prefix       = "a-very-long-prefix-that-exceeds-32-chars"
    lambda       = { log_retention_in_days = 10 }
  }

  expect_failures = [var.runner_pools, var.prefix, var.lambda]
}

run "rejects_org_pool_with_repo_owner_and_tag_key_with_slash_and_lambda_vpc_without_security_group" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme/app", runner_labels = ["l"] }
    }
    tags   = { "team/name" = "ci" }
    lambda = { subnet_ids = ["subnet-0123456789abcdef0"] }
  }

  expect_failures = [var.runner_pools, var.tags, var.lambda]
}

run "rejects_repo_pool_with_org_owner_and_tag_key_with_space_and_lambda_zip_path_and_s3" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", enable_organization_runners = false, runner_labels = ["l"] }
    }
    tags        = { "cost center" = "ci" }
    lambda_zips = { webhook = { path = "x.zip", s3_bucket = "b", s3_key = "k" } }
  }

  expect_failures = [var.runner_pools, var.tags, var.lambda_zips]
}

run "rejects_pool_without_labels_and_tag_key_reserved_and_lambda_zip_s3_without_key" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = [] }
    }
    tags        = { "ghr:environment" = "other" }
    lambda_zips = { scale_up = { s3_bucket = "b" } }
  }

  expect_failures = [var.runner_pools, var.tags, var.lambda_zips]
}

run "rejects_pool_default_label_only_and_vpc_id_and_webhook_ingress" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["self-hosted"] }
    }
    vpc_id  = "my-vpc"
    webhook = { ingress = "function_url" }
  }

  expect_failures = [var.runner_pools, var.vpc_id, var.webhook]
}

run "rejects_pool_label_with_comma_and_empty_subnet_ids_and_webhook_max_body" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["a,b"] }
    }
    subnet_ids = []
    webhook    = { max_body_bytes = 100 }
  }

  expect_failures = [var.runner_pools, var.subnet_ids, var.webhook]
}

run "rejects_pool_max_runners_negative_and_ghes_url_with_api_path_and_queue_retention" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], runners_maximum_count = -1 }
    }
    ghes_url = "https://github.example.com/api/v3"
    queues   = { message_retention_seconds = 10 }
  }

  expect_failures = [var.runner_pools, var.ghes_url, var.queues]
}

run "rejects_pool_minimum_running_time_and_existing_parameter_arn_mismatch_and_queue_receive_count" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], minimum_running_time_in_minutes = 2000 }
    }
    github_app = { id_ssm = { name = "/gh/id", arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/other" } }
    queues     = { dlq_max_receive_count = 0 }
  }

  expect_failures = [var.runner_pools, var.github_app, var.queues]
}

run "rejects_pool_boot_time_zero_and_installation_id_not_positive_and_scale_up_registration" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], runner_boot_time_in_minutes = 0 }
    }
    github_app = { installation_ids = { acme = 0 } }
    scale_up   = { registration = "pat" }
  }

  expect_failures = [var.runner_pools, var.github_app, var.scale_up]
}

run "rejects_pool_idle_config_cron_and_secret_cache_too_long_and_scale_up_timeout" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], idle_config = [{ cron = "* 8-18 * *", idleCount = 1 }] }
    }
    github_app = { secret_cache_in_seconds = 7200 }
    scale_up   = { timeout = 5 }
  }

  expect_failures = [var.runner_pools, var.github_app, var.scale_up]
}

run "rejects_warm_pool_larger_than_the_pool_maximum" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], runners_maximum_count = 4, pool_config = [{ schedule_expression = "rate(1 minute)", size = 5 }] }
    }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_warm_pool_eventbridge_cron_with_a_year" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], pool_config = [{ schedule_expression = "cron(* 8-17 ? * MON-FRI 2027)", size = 1 }] }
    }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_warm_pool_eventbridge_cron_with_nth_weekday" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], pool_config = [{ schedule_expression = "cron(0 8 ? * 6#3 *)", size = 1 }] }
    }
  }

  expect_failures = [var.runner_pools]
}

run "accepts_warm_pool_eventbridge_cron_with_day_names" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], pool_config = [{ schedule_expression = "cron(* 8-17 ? * WED,SAT *)", size = 1 }, { schedule_expression = "rate(5 minutes)", size = 1 }] }
    }
  }
}

run "rejects_warm_pool_schedule_that_is_no_cron" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], pool_config = [{ schedule_expression = "every weekday", size = 1 }] }
    }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_pool_idle_config_eviction_and_key_not_base64_and_scale_down_schedule" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], idle_config = [{ cron = "* 8-18 * * 1-5", idleCount = 1, evictionStrategy = "random" }] }
    }
    github_app_secrets = { id = "1", key_base64 = "-----BEGIN RSA PRIVATE KEY-----", webhook_secret = "s" }
    scale_down         = { schedule_expression = "*/5 * * * *" }
  }

  expect_failures = [var.runner_pools, var.github_app_secrets, var.scale_down]
}

run "rejects_pool_capacity_type_and_kms_key_not_arn_and_scale_down_lease_ttl" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], instance_target_capacity_type = "reserved" }
    }
    kms_key_arn = "alias/my-key"
    # Past the schema's range (modules/lambda-config/limits.json): refused at plan time.
    scale_down = { lease_ttl_seconds = 7200, timeout = 300 }
  }

  expect_failures = [var.runner_pools, var.kms_key_arn, var.scale_down]
}

run "rejects_pool_subnet_ids_and_ssm_paths_leading_slash_and_scale_down_settle" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], subnet_ids = ["subnet-xyz"] }
    }
    ssm_paths  = { root = "/github-action-runners" }
    scale_down = { settle_seconds = 900 }
  }

  expect_failures = [var.runner_pools, var.ssm_paths, var.scale_down]
}

run "rejects_pool_runner_version_and_log_level_and_scale_down_timeout_shorter_than_settle" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], runner_version = "v2.329.0" }
    }
    log_level  = "verbose"
    scale_down = { timeout = 120, settle_seconds = 90 }
  }

  expect_failures = [var.runner_pools, var.log_level, var.scale_down]
}

run "rejects_pool_volume_size_and_lambda_runtime_nodejs24_and_scale_down_lease_shorter_than_run" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], volume_size_in_gb = 4 }
    }
    lambda     = { runtime = "nodejs24.x" }
    scale_down = { timeout = 300, lease_ttl_seconds = 120 }
  }

  expect_failures = [var.runner_pools, var.lambda, var.scale_down]
}

run "rejects_pool_runner_version_without_checksum_and_ghes_over_http_and_webhook_reserved_zero" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], runner_version = "2.330.0" }
    }
    ghes_url = "http://github.example.com"
    webhook  = { reserved_concurrency = 0 }
  }

  expect_failures = [var.runner_pools, var.ghes_url, var.webhook]
}

run "rejects_bad_runner_checksum_and_prefix_with_separator_and_scale_up_reservation_and_alarm_environment" {
  command = plan

  variables {
    runner_checksums = { "2.330.0" = { x64 = "abc" } }
    prefix           = "ghr_test"
    scale_up         = { reserved_concurrency = 1 }
    alarms           = { skipped_busy_dimensions = { service = "scale-down", environment = "other" } }
  }

  expect_failures = [var.runner_checksums, var.prefix, var.scale_up, var.alarms]
}

# A version the module does not pin is accepted with its checksum, per architecture.
run "accepts_a_runner_version_added_with_its_checksum" {
  command = plan

  variables {
    runner_checksums = { "2.330.0" = { arm64 = "0000000000000000000000000000000000000000000000000000000000000000" } }
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], runner_version = "2.330.0", runner_architecture = "arm64" }
    }
  }

  assert {
    condition     = local.runner_sha256["linux"] == "0000000000000000000000000000000000000000000000000000000000000000"
    error_message = "A pool on an added version installs the tarball with that version's checksum for its architecture."
  }
}

# The runner binary cache: "latest" (the default) is what it serves; without it a pool pins a release.
run "rejects_latest_without_the_cache" {
  command = plan

  variables {
    runner_binary_cache = { enabled = false }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_a_cache_schedule_that_is_no_expression_and_a_cache_too_small" {
  command = plan

  variables {
    runner_binary_cache = { schedule_expression = "hourly", memory_size = 128 }
  }

  expect_failures = [var.runner_binary_cache]
}

run "accepts_pinned_pools_without_the_cache" {
  command = plan

  variables {
    runner_binary_cache = { enabled = false }
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], runner_version = "2.329.0" }
    }
  }

  assert {
    condition     = module.artifacts.function_name == null
    error_message = "Without the cache there is no runner-cache function (runner_pool \"without_the_cache_the_runner_comes_from_github\": user data downloads from GitHub)."
  }
}

# What the cache keeps: the architectures of "latest" pools, and each pinned release with its checksum.
run "cache_keeps_what_the_pools_use" {
  command = plan

  variables {
    runner_pools = {
      a = { owner = "acme", runner_labels = ["a"] }
      b = { owner = "acme", runner_labels = ["b"], runner_architecture = "arm64" }
      c = { owner = "acme", runner_labels = ["c"], runner_version = "2.329.0" }
      d = { owner = "acme", runner_labels = ["d"], runner_version = "2.329.0", runner_architecture = "arm64", image_profile = "prebuilt", ami_id = "ami-0123456789abcdef0" }
    }
  }

  assert {
    condition = jsonencode(local.cache_latest_archs) == jsonencode(["arm64", "x64"]) && jsonencode(local.cache_pinned) == jsonencode([
      { arch = "x64", sha256 = "194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d", version = "2.329.0" },
    ])
    error_message = "The cache keeps the newest release for each architecture of a latest pool, and each pinned release (a prebuilt pool's runner is in its AMI)."
  }

  # GitHub stops sending jobs to a runner that has not installed a release within 30 days of its
  # publication: the cache counts the days a pinned release is behind, and this alarm fires at 21.
  assert {
    condition = (
      length(aws_cloudwatch_metric_alarm.pinned_runner_behind) == 1 &&
      aws_cloudwatch_metric_alarm.pinned_runner_behind[0].metric_name == "PinnedRunnerDaysBehind" &&
      aws_cloudwatch_metric_alarm.pinned_runner_behind[0].threshold == 21 &&
      aws_cloudwatch_metric_alarm.pinned_runner_behind[0].statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.pinned_runner_behind[0].dimensions == tomap({ service = "runner-cache", environment = "ghr-test" })
    )
    error_message = "A pinned pool gets the alarm on the runner-cache function's PinnedRunnerDaysBehind, at 21 days."
  }

  assert {
    condition     = local.runner_download_version["a"] == "2.329.0" && local.runner_sha256["a"] == "194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d"
    error_message = "A latest pool falls back to the module's pinned release and its checksum."
  }
}

# Guarantee 4 of docs/safety.md: at the default lease TTL (900 s) a 900 s timeout leaves no margin.
run "rejects_scale_down_timeout_without_lease_margin" {
  command = plan

  variables {
    scale_down = { timeout = 900 }
  }

  expect_failures = [var.scale_down]
}

run "accepts_scale_down_timeout_with_lease_margin" {
  command = plan

  variables {
    scale_down = { timeout = 900, lease_ttl_seconds = 960 }
  }
}

# The hard bound on an instance's life (docs/threat-model.md): a whole number of hours in range.
run "rejects_pool_maximum_lifetime_zero" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], maximum_lifetime_in_hours = 0 }
    }
  }

  expect_failures = [var.runner_pools]
}

# Launch-template settings (issue 15): one bad value per run, so each rule is shown to refuse its own.
run "rejects_pool_root_device_name" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], root_device_name = "sda1" } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_pool_iops_on_gp2" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], volume_type = "gp2", volume_iops = 3000 } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_pool_throughput_on_io2" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], volume_type = "io2", volume_iops = 3000, volume_throughput = 250 } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_pool_volume_type_st1" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], volume_type = "st1" } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_pool_ebs_key_alias" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], ebs_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/ebs" } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_pool_ami_parameter_as_resolve_string" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], ami_ssm_parameter_name = "resolve:ssm:/my/ami" } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_pool_hop_limit_out_of_range" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], metadata_hop_limit = 65 } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_pool_security_group_that_is_not_an_id" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], security_group_ids = ["default"] } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_pool_with_more_than_four_extra_security_groups" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], security_group_ids = ["sg-00000001", "sg-00000002", "sg-00000003", "sg-00000004", "sg-00000005"] } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_arm64_pool_with_an_x86_instance_type" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], runner_architecture = "arm64", instance_types = ["m7g.large", "m7i.large"] } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_x64_pool_with_a_graviton_instance_type" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], instance_types = ["m5.large", "t4g.medium"] } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_unknown_image_profile" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], image_profile = "debian" } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_prebuilt_pool_without_its_ami" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["l"], image_profile = "prebuilt" } }
  }

  expect_failures = [var.runner_pools]
}

# An arm64 Ubuntu pool on Graviton types: the profile's defaults (user, AMI) reach the pool.
run "accepts_arm64_ubuntu_pool_with_graviton_types" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["l"], runner_architecture = "arm64", image_profile = "ubuntu", instance_types = ["m7g.large", "c6gn.xlarge", "t4g.medium", "a1.large", "im4gn.large"] }
    }
  }

  assert {
    condition     = strcontains(module.runner_pool["linux"].user_data, "GHR_RUNNER_USER='ubuntu'") && strcontains(module.runner_pool["linux"].user_data, "apt-get -o DPkg::Lock::Timeout=600 install")
    error_message = "An Ubuntu pool runs its runner as the image's `ubuntu` user unless runner_run_as says otherwise."
  }
}

run "rejects_job_retry_out_of_range" {
  command = plan

  variables {
    scale_up = { job_retry = { enable = true, delay_in_seconds = 30.5, max_attempts = 11 } }
  }

  expect_failures = [var.scale_up]
}

run "accepts_an_ubuntu_pool_with_its_root_device_and_a_tuned_volume" {
  command = plan

  variables {
    runner_pools = {
      ubuntu = {
        owner                  = "acme"
        runner_labels          = ["ubuntu"]
        ami_ssm_parameter_name = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id"
        root_device_name       = "/dev/sda1"
        volume_type            = "gp3"
        volume_iops            = 6000
        volume_throughput      = 500
        ebs_kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
        key_name               = "ops"
        metadata_hop_limit     = 2
        security_group_ids     = ["sg-0123456789abcdef0"]
      }
    }
  }

  assert {
    condition     = length(module.runner_pool) == 1
    error_message = "A pool with every launch-template setting of its AMI must plan."
  }
}

run "rejects_matcher_label_the_runners_lack" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["linux-x64"], matcherConfig = { labelMatchers = [["self-hosted", "linux-x64", "gpu"]] } } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_matcher_priority_out_of_range_and_an_empty_matcher" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["linux-x64"], matcherConfig = { priority = 1000 } }
      other = { owner = "acme", runner_labels = ["other"], matcherConfig = { labelMatchers = [[]] } }
    }
  }

  expect_failures = [var.runner_pools]
}

run "accepts_upstream_matcher_config_with_capitalised_defaults" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["amazon"], matcherConfig = { labelMatchers = [["Self-Hosted", "Linux", "X64", "amazon"]], exactMatch = true, priority = 1 } }
    }
  }

  assert {
    condition     = length(module.runner_pool) == 1
    error_message = "Upstream's matcherConfig, with labels the runners carry, must plan."
  }
}

run "rejects_userdata_template_that_does_not_exist" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["linux-x64"], userdata_template = "tests/fixtures/no-such-template.tftpl" } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_runner_logs_retention_and_key_alias" {
  command = plan

  variables {
    runner_logs = { retention_in_days = 10, kms_key_arn = "alias/logs" }
  }

  expect_failures = [var.runner_logs]
}

run "rejects_unknown_spot_allocation_strategy" {
  command = plan

  variables {
    runner_pools = { linux = { owner = "acme", runner_labels = ["linux-x64"], instance_allocation_strategy = "cheapest" } }
  }

  expect_failures = [var.runner_pools]
}

run "rejects_runner_ec2_tags_with_module_or_slash_keys" {
  command = plan

  variables {
    runner_pools = {
      linux = { owner = "acme", runner_labels = ["linux-x64"], runner_ec2_tags = { "ghr:pool" = "other" } }
      other = { owner = "acme", runner_labels = ["other"], runner_ec2_tags = { "team/name" = "x" } }
    }
  }

  expect_failures = [var.runner_pools]
}
