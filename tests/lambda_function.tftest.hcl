# modules/lambda-function: the shared building block of every Lambda.

mock_provider "aws" {
  source = "./tests/mocks"
}

# Distinct identities (tests/mocks/aws.tfmock.hcl explains why the shared mock defaults are not
# enough): the logging policy, the combined policy and the role each get their own.
override_data {
  target = data.aws_iam_policy_document.logs
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"MockLogs\",\"Effect\":\"Allow\",\"Action\":\"logs:PutLogEvents\",\"Resource\":\"*\"}]}" }
}

override_data {
  target = data.aws_iam_policy_document.combined
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"MockCombined\",\"Effect\":\"Allow\",\"Action\":\"logs:PutLogEvents\",\"Resource\":\"*\"}]}" }
}

override_resource {
  target = aws_iam_role.this
  values = { arn = "arn:aws:iam::123456789012:role/ghr-test-fn-lambda", id = "ghr-test-fn-lambda", name = "ghr-test-fn-lambda" }
}

variables {
  name        = "ghr-test-fn"
  policy_json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"CallersOwn\",\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"*\"}]}"
  config_json = "{\"environment\":\"ghr-test\"}"
  zip         = { path = "tests/fixtures/lambda.zip" }
}

run "defaults" {
  command = apply

  module {
    source = "./modules/lambda-function"
  }

  assert {
    condition     = aws_lambda_function.this.runtime == "nodejs22.x" && aws_lambda_function.this.architectures == tolist(["arm64"]) && aws_lambda_function.this.handler == "index.handler"
    error_message = "Defaults: nodejs22.x on arm64, handler index.handler."
  }

  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/lambda.zip")
    error_message = "source_code_hash must follow the zip, so a new build redeploys."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables == tomap({ FLEET_CONFIG = "{\"environment\":\"ghr-test\"}" })
    error_message = "The configuration is the single environment variable FLEET_CONFIG."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/ghr-test-fn" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The function's log group exists up front, with retention."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1 && length(aws_lambda_function.this.vpc_config) == 0 && length(aws_iam_role_policy_attachment.vpc) == 0
    error_message = "By default the function is unreserved and outside any VPC."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.logs.statement : s.resources]) == toset(["${aws_cloudwatch_log_group.this.arn}:*"])
    error_message = "The function may write only to its own log group."
  }

  # The function's own permissions (policy_json) must reach its role: the combined document is
  # built from the logging policy AND the caller's document, and it is what the role gets.
  assert {
    condition     = data.aws_iam_policy_document.combined.source_policy_documents == tolist([data.aws_iam_policy_document.logs.json, var.policy_json])
    error_message = "The role's policy must combine the logging policy with the caller's policy_json; dropping either leaves the function without its permissions."
  }

  assert {
    condition     = aws_iam_role_policy.this.policy == data.aws_iam_policy_document.combined.json && aws_iam_role_policy.this.role == aws_iam_role.this.id
    error_message = "The combined policy must be attached to the function's own role."
  }

  assert {
    condition     = aws_lambda_function.this.role == aws_iam_role.this.arn && output.role_policy_json == data.aws_iam_policy_document.combined.json
    error_message = "The function must run as its own role, whose inline policy is the combined document."
  }
}

run "vpc_and_s3_package" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    zip                            = { s3_bucket = "artifacts", s3_key = "ghr/webhook.zip", source_code_hash = "abc" }
    vpc                            = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"] }
    reserved_concurrent_executions = 20
  }

  assert {
    condition     = aws_lambda_function.this.s3_bucket == "artifacts" && aws_lambda_function.this.filename == null && aws_lambda_function.this.source_code_hash == "abc"
    error_message = "An S3 package is deployed from S3 with the caller's hash."
  }

  assert {
    condition     = aws_lambda_function.this.vpc_config[0].subnet_ids == toset(["subnet-0123456789abcdef0"]) && length(aws_iam_role_policy_attachment.vpc) == 1
    error_message = "A VPC function gets its subnets and the ENI permissions."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 20
    error_message = "Reserved concurrency is passed through."
  }
}

run "missing_zip_names_the_fix" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    zip = { path = "tests/fixtures/does-not-exist.zip" }
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_two_package_sources" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    zip = { path = "tests/fixtures/lambda.zip", s3_bucket = "artifacts", s3_key = "x.zip" }
  }

  expect_failures = [var.zip]
}

run "rejects_nodejs24" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    runtime = "nodejs24.x"
  }

  expect_failures = [var.runtime]
}

run "rejects_invalid_config_json" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    config_json = "{not json"
  }

  expect_failures = [var.config_json]
}
