# modules/webhook: one encrypted queue + DLQ per pool, ingress, and the webhook's permissions.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  prefix                = "ghr-test"
  environment           = "ghr-test"
  pool_names            = ["linux", "arm"]
  config_json           = "{}"
  zip                   = { path = "tests/fixtures/lambda.zip" }
  github_parameter_arns = ["arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/app/webhook_secret"]
  lambda = {
    runtime               = "nodejs22.x"
    architecture          = "arm64"
    log_retention_in_days = 30
  }
}

run "queue_and_dlq_per_pool_encrypted" {
  command = apply

  module {
    source = "./modules/webhook"
  }

  assert {
    condition     = length(aws_sqs_queue.this) == 2 && length(aws_sqs_queue.dlq) == 2
    error_message = "Each pool gets a queue and a dead-letter queue."
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
    condition     = length(aws_lambda_function_url.this) == 1 && aws_lambda_function_url.this[0].authorization_type == "NONE" && length(aws_apigatewayv2_api.this) == 0 && length(aws_lambda_permission.function_url) == 1 && length(aws_lambda_permission.function_url_invoke) == 1
    error_message = "The default ingress is a public function URL with both permissions Lambda requires (the function checks GitHub's signature)."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      !contains(s.actions, "ec2:CreateTags") || (!contains(s.resources, "*") &&
        anytrue([for c in s.condition : c.variable == "aws:ResourceTag/ghr:environment" && contains(c.values, "ghr-test")]) &&
    anytrue([for c in s.condition : c.variable == "aws:TagKeys" && sort(c.values) == sort(["ghr:job"])]))])
    error_message = "The webhook may only write the ghr:job evidence tag, only on this fleet's instances."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.this.statement : !contains(s.resources, "*") || alltrue([for a in s.actions : startswith(a, "ec2:Describe")])])
    error_message = "Only Describe* actions may use \"*\"."
  }
}

run "kms_encrypted_queues" {
  command = apply

  module {
    source = "./modules/webhook"
  }

  variables {
    queue = { kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
  }

  assert {
    condition     = alltrue([for q in values(aws_sqs_queue.this) : q.kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"])
    error_message = "With a KMS key, the queues are encrypted with it."
  }

  assert {
    condition     = anytrue([for s in data.aws_iam_policy_document.this.statement : contains(s.actions, "kms:GenerateDataKey") && s.resources == toset(["arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"])])
    error_message = "Sending to a KMS-encrypted queue needs GenerateDataKey on that key only."
  }
}

run "rejects_unknown_ingress" {
  command = plan

  module {
    source = "./modules/webhook"
  }

  variables {
    ingress = "alb"
  }

  expect_failures = [var.ingress]
}

run "http_api_ingress" {
  command = apply

  module {
    source = "./modules/webhook"
  }

  variables {
    ingress = "http_api"
  }

  assert {
    condition     = aws_apigatewayv2_route.this[0].route_key == "POST /webhook" && length(aws_lambda_function_url.this) == 0 && length(aws_lambda_permission.function_url_invoke) == 0
    error_message = "http_api serves POST /webhook only, and grants no public invoke permission."
  }

  assert {
    condition     = aws_lambda_permission.http_api[0].principal == "apigateway.amazonaws.com" && aws_lambda_permission.http_api[0].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/*/webhook"
    error_message = "Only this API's /webhook route may invoke the function."
  }

  assert {
    condition     = output.endpoint == "https://abc123.execute-api.eu-west-1.amazonaws.com/webhook"
    error_message = "The endpoint is the stage URL plus /webhook."
  }
}
