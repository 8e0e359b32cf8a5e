# modules/webhook: one encrypted queue + DLQ per pool (+ a recycle queue per reusable pool),
# ingress, and the webhook's permissions.

mock_provider "aws" {
  source = "./tests/mocks"
}

# Each queue and dead-letter queue gets its own ARN, so "the pool queues, never a DLQ" can fail
# (the shared mock gives every queue one ARN: tests/mocks/aws.tfmock.hcl).
override_resource {
  target = aws_sqs_queue.this["linux"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_linux" }
}

override_resource {
  target = aws_sqs_queue.this["arm"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_arm" }
}

override_resource {
  target = aws_sqs_queue.dlq["linux"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux_dlq", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_linux_dlq" }
}

override_resource {
  target = aws_sqs_queue.dlq["arm"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm_dlq", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_arm_dlq" }
}

override_resource {
  target = aws_sqs_queue.recycle["arm"]
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm_recycle", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_arm_recycle" }
}

override_data {
  target = data.aws_iam_policy_document.this
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"MockWebhook\",\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"*\"}]}" }
}

variables {
  prefix                       = "ghr-test"
  environment                  = "ghr-test"
  pool_names                   = ["linux", "arm"]
  reusable_pool_names          = ["arm"]
  config_json                  = "{}"
  zip                          = { path = "tests/fixtures/lambda.zip" }
  webhook_secret_parameter_arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/app/webhook_secret"
  lambda = {
    runtime               = "nodejs22.x"
    architecture          = "arm64"
    log_retention_in_days = 30
    reserved_concurrency  = 20
  }
}

run "queue_and_dlq_per_pool_encrypted" {
  command = apply

  module {
    source = "./modules/webhook"
  }

  assert {
    condition     = length(aws_sqs_queue.this) == 2 && length(aws_sqs_queue.dlq) == 2 && aws_sqs_queue.this["linux"].name == "ghr-test_linux" && aws_sqs_queue.dlq["linux"].name == "ghr-test_linux_dlq"
    error_message = "Each pool gets a queue <prefix>_<pool> and a dead-letter queue <prefix>_<pool>_dlq."
  }

  assert {
    condition     = alltrue([for q in concat(values(aws_sqs_queue.this), values(aws_sqs_queue.dlq)) : q.sqs_managed_sse_enabled == true])
    error_message = "Without a KMS key, every queue uses SQS-managed server-side encryption."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.this["arm"].redrive_policy).maxReceiveCount == 3 && jsondecode(aws_sqs_queue.this["arm"].redrive_policy).deadLetterTargetArn == aws_sqs_queue.dlq["arm"].arn
    error_message = "A queue redrives to its own DLQ after 3 receives by default."
  }

  assert {
    condition     = output.dlq_urls["arm"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_arm_dlq" && output.queue_arns["arm"] == "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm"
    error_message = "Each pool's queue ARN and dead-letter queue URL are outputs (scale-up's config needs both)."
  }

  # The reusable pool, and only it, gets a recycle queue: its runners' one SendMessage target.
  assert {
    condition     = keys(aws_sqs_queue.recycle) == ["arm"] && aws_sqs_queue.recycle["arm"].name == "ghr-test_arm_recycle" && aws_sqs_queue.recycle["arm"].sqs_managed_sse_enabled == true
    error_message = "Each reusable pool (and no ephemeral one) gets an encrypted recycle queue <prefix>_<pool>_recycle."
  }

  assert {
    condition = (
      jsondecode(aws_sqs_queue.recycle["arm"].redrive_policy).deadLetterTargetArn == aws_sqs_queue.dlq["arm"].arn &&
      jsondecode(aws_sqs_queue.recycle["arm"].redrive_policy).maxReceiveCount == 3 &&
      aws_sqs_queue.recycle["arm"].visibility_timeout_seconds == aws_sqs_queue.this["arm"].visibility_timeout_seconds &&
      aws_sqs_queue.recycle["arm"].message_retention_seconds == 3600
    )
    error_message = "A recycle queue redrives to its own pool's DLQ after as many receives as the job queue, with the job queue's visibility timeout and a one-hour retention."
  }

  assert {
    condition = (
      output.recycle_queue_arns == { arm = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm_recycle" } &&
      output.recycle_queue_urls == { arm = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_arm_recycle" } &&
      !contains(values(output.queue_arns), output.recycle_queue_arns["arm"])
    )
    error_message = "Each reusable pool's recycle queue URL and ARN are outputs, apart from the job queues."
  }
}

# A request scale-up keeps failing on must reach the DLQ before it expires: the retention grows
# with the visibility timeout (scale-up's timeout × 6) times the receives.
run "recycle_retention_outlasts_its_receives" {
  command = plan

  module {
    source = "./modules/webhook"
  }

  variables {
    queue = { visibility_timeout_seconds = 5400, dlq_max_receive_count = 3 }
  }

  assert {
    condition     = aws_sqs_queue.recycle["arm"].message_retention_seconds == 5400 * 3 + 60
    error_message = "The recycle queue's retention must outlast dlq_max_receive_count visibility timeouts."
  }
}

run "rejects_recycle_queue_of_unknown_pool" {
  command = plan

  module {
    source = "./modules/webhook"
  }

  variables {
    reusable_pool_names = ["arm", "gpu"]
  }

  expect_failures = [var.reusable_pool_names]
}

# `_` separates prefix, pool and kind (a prefix with it is refused); a 33-character pool name
# could push `<prefix>_<pool>_recycle` past SQS's 80 characters.
run "rejects_names_that_could_collide_or_overflow" {
  command = plan

  module {
    source = "./modules/webhook"
  }

  variables {
    prefix              = "ghr_test"
    pool_names          = ["a23456789012345678901234567890123"]
    reusable_pool_names = []
  }

  expect_failures = [var.prefix, var.pool_names]
}

run "iam_least_privilege" {
  command = apply

  module {
    source = "./modules/webhook"
  }

  # The internet-facing function holds the webhook secret and nothing else of the GitHub App.
  assert {
    condition = (
      toset(flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.resources) if anytrue([for a in s.actions : startswith(a, "ssm:")])])) == toset([var.webhook_secret_parameter_arn]) &&
      toset(flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.actions) if anytrue([for a in s.actions : startswith(a, "ssm:")])])) == toset(["ssm:GetParameter"])
    )
    error_message = "The webhook may read the webhook secret parameter, and no other parameter (not the App id or key)."
  }

  assert {
    condition = toset(flatten([for s in data.aws_iam_policy_document.this.statement : tolist(s.resources) if anytrue([for a in s.actions : startswith(a, "sqs:")])])) == toset([
      "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux", "arn:aws:sqs:eu-west-1:123456789012:ghr-test_arm",
    ])
    error_message = "The webhook may send to the pools' job queues only, never to a dead-letter or recycle queue."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      !contains(s.actions, "ec2:CreateTags") || (!contains(s.resources, "*") &&
        anytrue([for c in s.condition : c.variable == "aws:ResourceTag/ghr:environment" && contains(c.values, "ghr-test")]) &&
    anytrue([for c in s.condition : c.variable == "aws:TagKeys" && sort(c.values) == sort(["ghr:job", "ghr:job-repo"])]))])
    error_message = "The webhook may only write the ghr:job evidence tag (and its job's repository), only on this fleet's instances."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.this.statement : !contains(s.resources, "*") || alltrue([for a in s.actions : startswith(a, "ec2:Describe")])])
    error_message = "Only Describe* actions may use \"*\"."
  }

  assert {
    condition     = contains(module.function.role_policy_documents, data.aws_iam_policy_document.this.json) && output.reserved_concurrency == 20
    error_message = "The function's role must carry the webhook's own policy document, and its reserved concurrency is passed through."
  }
}

run "kms_encrypted_queues" {
  command = apply

  module {
    source = "./modules/webhook"
  }

  variables {
    queue            = { kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
    ssm_kms_key_arns = ["arn:aws:kms:eu-west-1:123456789012:key/66666666-7777-8888-9999-000000000000"]
  }

  assert {
    condition     = alltrue([for q in concat(values(aws_sqs_queue.this), values(aws_sqs_queue.dlq), values(aws_sqs_queue.recycle)) : q.kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"])
    error_message = "With a KMS key, every queue (job, dead-letter, recycle) is encrypted with it."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.this.statement :
      contains(s.actions, "kms:GenerateDataKey") && s.resources == toset(["arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"]) &&
      anytrue([for c in s.condition : c.variable == "kms:ViaService" && c.values == tolist(["sqs.eu-west-1.amazonaws.com"])])
    ])
    error_message = "Sending to a KMS-encrypted queue needs GenerateDataKey on that key only, through SQS only."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      anytrue([for c in s.condition : c.variable == "kms:ViaService" && length(c.values) == 1])
    if anytrue([for a in s.actions : startswith(a, "kms:")])])
    error_message = "Every KMS grant must carry kms:ViaService."
  }
}

# No unconditional public invoke: only this API's POST /webhook route may invoke the function.
run "ingress_is_scoped" {
  command = apply

  module {
    source = "./modules/webhook"
  }

  assert {
    condition     = aws_apigatewayv2_route.this.route_key == "POST /webhook"
    error_message = "The HTTP API serves POST /webhook only."
  }

  assert {
    condition     = aws_lambda_permission.http_api.principal == "apigateway.amazonaws.com" && aws_lambda_permission.http_api.source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/webhook" && aws_lambda_permission.http_api.action == "lambda:InvokeFunction"
    error_message = "Only this API's POST /webhook route may invoke the function; no permission for \"*\"."
  }

  assert {
    condition     = output.endpoint == "https://abc123.execute-api.eu-west-1.amazonaws.com/webhook"
    error_message = "The endpoint is the stage URL plus /webhook."
  }
}

run "rejects_function_url_ingress" {
  command = plan

  module {
    source = "./modules/webhook"
  }

  variables {
    ingress = "function_url"
  }

  expect_failures = [var.ingress]
}
