# modules/scale-up: the queue trigger and launch permissions scoped by tags.

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
  queue_arns = {
    linux = "arn:aws:sqs:eu-west-1:123456789012:ghr-test-linux"
    arm   = "arn:aws:sqs:eu-west-1:123456789012:ghr-test-arm"
  }
  launch_template_arns = ["arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-0123456789abcdef0"]
  runner_role_arns     = ["arn:aws:iam::123456789012:role/ghr-test-linux-runner"]
  lambda = {
    runtime               = "nodejs22.x"
    architecture          = "arm64"
    log_retention_in_days = 30
  }
}

run "queue_trigger_reports_batch_item_failures" {
  command = apply

  module {
    source = "./modules/scale-up"
  }

  assert {
    condition     = length(aws_lambda_event_source_mapping.this) == 2 && alltrue([for m in aws_lambda_event_source_mapping.this : m.function_response_types == toset(["ReportBatchItemFailures"])])
    error_message = "Each pool queue triggers scale-up with ReportBatchItemFailures, so one bad message does not replay its batch."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this["arm"].event_source_arn == "arn:aws:sqs:eu-west-1:123456789012:ghr-test-arm" && aws_lambda_event_source_mapping.this["arm"].batch_size == 10
    error_message = "Each mapping reads its pool's queue, 10 messages per batch by default."
  }
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
      s.actions == toset(["iam:PassRole"]) && s.resources == toset(["arn:aws:iam::123456789012:role/ghr-test-linux-runner"]) &&
      anytrue([for c in s.condition : c.variable == "iam:PassedToService" && contains(c.values, "ec2.amazonaws.com")])
    ])
    error_message = "PassRole is limited to the runner roles, passed to EC2."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.this.statement :
      alltrue([for r in s.resources : startswith(r, "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/")])
    if anytrue([for a in s.actions : startswith(a, "ssm:")])])
    error_message = "SSM access must stay under this deployment's parameter paths."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.this.statement : !contains(s.resources, "*") || alltrue([for a in s.actions : startswith(a, "ec2:Describe")])])
    error_message = "Only Describe* actions may use \"*\"."
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
