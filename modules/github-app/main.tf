# Each parameter is either created here from a sensitive input or referenced as it exists.
# The choice is made on the (non-sensitive) reference, so no secret decides a count.
#
# Created values are write-only (`value_wo`, Terraform >= 1.11): Terraform sends them to SSM and
# keeps them in neither the state nor the plan (the input is ephemeral). Terraform therefore
# cannot see a change of value: bump `secrets_version` to write new values. Referencing
# parameters managed outside Terraform (`existing`) remains the alternative.
locals {
  create = {
    id             = var.existing.id_ssm == null
    key_base64     = var.existing.key_base64_ssm == null
    webhook_secret = var.existing.webhook_secret_ssm == null
  }
}

resource "aws_ssm_parameter" "id" {
  count = local.create.id ? 1 : 0

  name             = "${var.parameter_path}/id"
  type             = "SecureString"
  value_wo         = var.secrets.id
  value_wo_version = var.secrets_version
  key_id           = var.kms_key_arn
  tags             = var.tags

  lifecycle {
    precondition {
      condition     = var.secrets.id != null
      error_message = "GitHub App id: set github_app_secrets.id, or reference an existing parameter with github_app.id_ssm."
    }
  }
}

resource "aws_ssm_parameter" "key_base64" {
  count = local.create.key_base64 ? 1 : 0

  name             = "${var.parameter_path}/key_base64"
  type             = "SecureString"
  value_wo         = var.secrets.key_base64
  value_wo_version = var.secrets_version
  key_id           = var.kms_key_arn
  tags             = var.tags

  lifecycle {
    precondition {
      condition     = var.secrets.key_base64 != null
      error_message = "GitHub App private key: set github_app_secrets.key_base64 (base64 of the PEM), or reference an existing parameter with github_app.key_base64_ssm."
    }
  }
}

resource "aws_ssm_parameter" "webhook_secret" {
  count = local.create.webhook_secret ? 1 : 0

  name             = "${var.parameter_path}/webhook_secret"
  type             = "SecureString"
  value_wo         = var.secrets.webhook_secret
  value_wo_version = var.secrets_version
  key_id           = var.kms_key_arn
  tags             = var.tags

  lifecycle {
    precondition {
      condition     = var.secrets.webhook_secret != null
      error_message = "GitHub App webhook secret: set github_app_secrets.webhook_secret, or reference an existing parameter with github_app.webhook_secret_ssm."
    }
  }
}

locals {
  parameters = {
    id = local.create.id ? {
      name = "${var.parameter_path}/id", arn = try(aws_ssm_parameter.id[0].arn, null)
    } : var.existing.id_ssm
    key_base64 = local.create.key_base64 ? {
      name = "${var.parameter_path}/key_base64", arn = try(aws_ssm_parameter.key_base64[0].arn, null)
    } : var.existing.key_base64_ssm
    webhook_secret = local.create.webhook_secret ? {
      name = "${var.parameter_path}/webhook_secret", arn = try(aws_ssm_parameter.webhook_secret[0].arn, null)
    } : var.existing.webhook_secret_ssm
  }
}
