# Shared mock of hashicorp/aws for the terraform tests (mock_provider "aws" { source = "./tests/mocks" }).
# Mocked data sources and computed attributes are random strings by default; the provider
# validates JSON policies and ARNs, so those get well-formed values here.
#
# These defaults are placeholders, the same for every resource of a type: every policy document
# renders the same JSON, every role has the same ARN. An assertion that compares two of them
# (a schedule's role is the scheduler role, a role's policy is its function's document) proves
# nothing against these values. Test files give each resource such an assertion compares its own
# identity with file-level `override_resource` / `override_data` blocks (see scale_down.tftest.hcl,
# wiring.tftest.hcl), or assert on the documents' inputs (statements, source documents).

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

mock_data "aws_region" {
  defaults = {
    name = "eu-west-1"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/test"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn       = "arn:aws:iam::123456789012:role/mock"
    unique_id = "AROAMOCKMOCKMOCKMOCK"
  }
}

mock_resource "aws_iam_instance_profile" {
  defaults = {
    arn = "arn:aws:iam::123456789012:instance-profile/mock"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn           = "arn:aws:lambda:eu-west-1:123456789012:function:mock"
    qualified_arn = "arn:aws:lambda:eu-west-1:123456789012:function:mock:$LATEST"
    invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:mock/invocations"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/mock"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:mock"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/mock"
  }
}

mock_resource "aws_ssm_parameter" {
  defaults = {
    arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/mock"
  }
}

mock_resource "aws_launch_template" {
  defaults = {
    arn = "arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-0123456789abcdef0"
    id  = "lt-0123456789abcdef0"
  }
}

mock_resource "aws_security_group" {
  defaults = {
    arn = "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0"
    id  = "sg-0123456789abcdef0"
  }
}

mock_resource "aws_scheduler_schedule" {
  defaults = {
    arn = "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/mock"
  }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = {
    arn = "arn:aws:events:eu-west-1:123456789012:rule/ghr-test-spot-warning"
  }
}

mock_resource "aws_apigatewayv2_api" {
  defaults = {
    arn           = "arn:aws:apigateway:eu-west-1::/apis/abc123"
    execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123"
    api_endpoint  = "https://abc123.execute-api.eu-west-1.amazonaws.com"
  }
}

mock_resource "aws_apigatewayv2_stage" {
  defaults = {
    invoke_url = "https://abc123.execute-api.eu-west-1.amazonaws.com/"
  }
}

mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = {
    arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:mock"
  }
}

