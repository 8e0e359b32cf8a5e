# modules/github-app: SecureStrings created from write-only inputs, or existing ones referenced.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  parameter_path = "/github-action-runners/ghr-test/app"
}

run "creates_secure_strings" {
  command = apply

  module {
    source = "./modules/github-app"
  }

  variables {
    secrets = { id = "1", key_base64 = "a2V5", webhook_secret = "s" }
  }

  assert {
    condition     = aws_ssm_parameter.id[0].type == "SecureString" && aws_ssm_parameter.key_base64[0].type == "SecureString" && aws_ssm_parameter.webhook_secret[0].type == "SecureString"
    error_message = "Every GitHub App parameter is a SecureString."
  }

  # Written as write-only values (value_wo, which the provider schema marks write-only, so Terraform
  # keeps it in neither plan nor state); value_wo_version says when to write them.
  assert {
    condition     = alltrue([for p in [aws_ssm_parameter.id[0], aws_ssm_parameter.key_base64[0], aws_ssm_parameter.webhook_secret[0]] : p.value_wo_version == 1])
    error_message = "The App secrets must be written as write-only values, version 1 by default."
  }

  assert {
    condition     = output.parameters.key_base64.name == "/github-action-runners/ghr-test/app/key_base64"
    error_message = "Created parameters live under the deployment's app path."
  }
}

run "references_existing" {
  command = plan

  module {
    source = "./modules/github-app"
  }

  variables {
    existing = {
      id_ssm             = { name = "/shared/gh/id", arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/gh/id" }
      key_base64_ssm     = { name = "/shared/gh/key", arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/gh/key" }
      webhook_secret_ssm = { name = "/shared/gh/webhook", arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/gh/webhook" }
    }
  }

  assert {
    condition     = length(aws_ssm_parameter.id) + length(aws_ssm_parameter.key_base64) + length(aws_ssm_parameter.webhook_secret) == 0
    error_message = "Referenced parameters are not created."
  }

  assert {
    condition     = output.parameters.id.arn == "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/gh/id" && output.parameters.webhook_secret.name == "/shared/gh/webhook"
    error_message = "Referenced parameters are passed through unchanged."
  }
}

run "rotation_bumps_the_version" {
  command = plan

  module {
    source = "./modules/github-app"
  }

  variables {
    secrets         = { id = "1", key_base64 = "a2V5", webhook_secret = "rotated" }
    secrets_version = 2
  }

  assert {
    condition     = aws_ssm_parameter.webhook_secret[0].value_wo_version == 2
    error_message = "Raising secrets_version must write the values again (Terraform cannot compare write-only values)."
  }
}

run "missing_secret_names_the_fix" {
  command = plan

  module {
    source = "./modules/github-app"
  }

  variables {
    secrets = { id = "1", webhook_secret = "s" }
  }

  expect_failures = [aws_ssm_parameter.key_base64]
}

run "rejects_mismatched_reference" {
  command = plan

  module {
    source = "./modules/github-app"
  }

  variables {
    existing = { id_ssm = { name = "/shared/gh/id", arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/other" } }
  }

  expect_failures = [var.existing]
}
