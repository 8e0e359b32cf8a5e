# GitHub App secrets managed outside Terraform (never in the state); Lambdas in an existing VPC.
module "runners" {
  source = "../../"

  prefix     = "ghr-existing"
  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids

  github_app = {
    id_ssm             = var.github_app_parameters.id
    key_base64_ssm     = var.github_app_parameters.key_base64
    webhook_secret_ssm = var.github_app_parameters.webhook_secret
    kms_key_arn        = var.parameters_kms_key_arn
    installation_ids   = { (var.organization) = var.installation_id }
  }

  lambda = {
    subnet_ids         = var.lambda_subnet_ids
    security_group_ids = var.lambda_security_group_ids
  }

  webhook = {
    # The HTTP API (the only ingress); put a custom domain or WAF in front of it if you like.
    ingress = "http_api"
  }

  runner_pools = {
    linux = {
      owner                         = var.organization
      runner_labels                 = ["linux-vpc"]
      instance_target_capacity_type = "on-demand"
    }
  }
}
