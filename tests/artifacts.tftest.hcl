# modules/artifacts: the bucket runner instances fetch the agent and actions/runner from, and the
# runner-cache function that fills it. Nothing a runner can write may land in it.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  prefix      = "ghr-test"
  environment = "ghr-test"
  lambda = {
    runtime               = "nodejs22.x"
    architecture          = "arm64"
    log_retention_in_days = 30
  }
  zip = { path = "tests/fixtures/lambda.zip" }
  runner_cache = {
    latest              = ["arm64", "x64"]
    pinned              = [{ version = "2.329.0", arch = "x64", sha256 = "194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d" }]
    schedule_expression = "rate(6 hours)"
    timeout             = 300
    memory_size         = 1024
  }
}

run "bucket_is_private_and_holds_the_agent_as_shipped" {
  command = apply

  module {
    source = "./modules/artifacts"
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.block_public_policy &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets &&
      one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced" &&
      one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    )
    error_message = "The artifact bucket blocks public access, owns its objects and encrypts them."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.bucket.statement :
      s.effect == "Deny" && s.actions == toset(["s3:*"]) && anytrue([for c in s.condition : c.variable == "aws:SecureTransport" && c.values == tolist(["false"])])
    ])
    error_message = "The bucket refuses requests without TLS."
  }

  assert {
    condition = (
      aws_s3_object.agent.key == "agent/${filesha256("agent/ghr-agent.sh")}/ghr-agent.sh" &&
      aws_s3_object.unit.key == "agent/${filesha256("agent/ghr-agent.service")}/ghr-agent.service" &&
      output.agent.script_sha256 == filesha256("agent/ghr-agent.sh") && output.agent.unit_sha256 == filesha256("agent/ghr-agent.service")
    )
    error_message = "The agent and its unit are uploaded under keys named after their SHA-256, which user data checks."
  }
}

run "cache_function_writes_only_runner_tarballs" {
  command = apply

  module {
    source = "./modules/artifacts"
  }

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.function.statement : s.resources if s.sid == "ReadWriteRunnerTarballs"]) == toset(["arn:aws:s3:::ghr-test-123456789012-eu-west-1/runners/*"]) &&
      one([for s in data.aws_iam_policy_document.function.statement : s.actions if s.sid == "ReadWriteRunnerTarballs"]) == toset(["s3:GetObject", "s3:PutObject"]) &&
      one([for s in data.aws_iam_policy_document.function.statement : s.actions if s.sid == "ListBucket"]) == toset(["s3:ListBucket"]) &&
      length(data.aws_iam_policy_document.function.statement) == 2
    )
    error_message = "The runner-cache function may write runners/ only (never the agent), and list the bucket so a missing key reads as 404."
  }

  assert {
    condition = jsondecode(local.cache_config) == {
      environment = "ghr-test"
      bucket      = "ghr-test-123456789012-eu-west-1"
      latest      = ["arm64", "x64"]
      pinned      = [{ version = "2.329.0", arch = "x64", sha256 = "194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d" }]
    }
    error_message = "The function's configuration names the bucket and the tarballs the pools use; unset fields are left to the schema."
  }

  assert {
    condition     = aws_scheduler_schedule.this[0].schedule_expression == "rate(6 hours)" && one(aws_scheduler_schedule.this[0].target).retry_policy[0].maximum_retry_attempts == 0
    error_message = "The cache runs on its schedule; a failed run waits for the next one (instances fall back to GitHub meanwhile)."
  }
}

run "without_the_cache_only_the_bucket_and_the_agent" {
  command = plan

  module {
    source = "./modules/artifacts"
  }

  variables {
    runner_cache = null
  }

  assert {
    condition     = length(module.function) == 0 && length(aws_scheduler_schedule.this) == 0 && length(aws_iam_role.scheduler) == 0
    error_message = "Without the cache there is no function and no schedule; the bucket still carries the agent."
  }
}

run "rejects_a_bad_schedule" {
  command = plan

  module {
    source = "./modules/artifacts"
  }

  variables {
    runner_cache = merge(var.runner_cache, { schedule_expression = "every 6 hours" })
  }

  expect_failures = [var.runner_cache]
}
