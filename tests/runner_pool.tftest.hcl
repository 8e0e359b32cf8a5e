# modules/runner-pool: the launch template the safety protocol relies on, and the runner's own role.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  prefix             = "ghr-test"
  environment        = "ghr-test"
  pool_name          = "linux"
  vpc_id             = "vpc-0123456789abcdef0"
  queue_arn          = "arn:aws:sqs:eu-west-1:123456789012:ghr-test-linux"
  queue_url          = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test-linux"
  runner_config_path = "/github-action-runners/ghr-test/runners/config"
  instance_tags      = { "ghr:environment" = "ghr-test", "ghr:Type" = "Org" }
  pool = {
    owner                       = "acme"
    enable_organization_runners = true
    enable_ephemeral_runners    = true
    runner_architecture         = "x64"
    volume_size_in_gb           = 30
    runner_version              = "2.329.0"
    runner_run_as               = "ec2-user"
    enable_ssm_on_runners       = false
    userdata_pre_install        = "echo pre-install-marker"
    userdata_post_install       = ""
  }
}

run "launch_template" {
  command = apply

  module {
    source = "./modules/runner-pool"
  }

  assert {
    condition     = aws_launch_template.this.metadata_options[0].http_tokens == "required" && aws_launch_template.this.metadata_options[0].instance_metadata_tags == "enabled"
    error_message = "IMDSv2 must be required and instance metadata tags enabled (the agent reads its retiring mark there)."
  }

  assert {
    condition     = aws_launch_template.this.instance_initiated_shutdown_behavior == "terminate"
    error_message = "An instance that shuts itself down must terminate."
  }

  assert {
    condition     = aws_launch_template.this.iam_instance_profile[0].arn == aws_iam_instance_profile.this.arn
    error_message = "The launch template must use the pool's instance profile."
  }

  assert {
    condition     = aws_launch_template.this.image_id == "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    error_message = "The default AMI is Amazon Linux 2023, resolved from SSM at launch."
  }

  assert {
    condition     = anytrue([for t in aws_launch_template.this.tag_specifications : t.resource_type == "instance" && t.tags["ghr:environment"] == "ghr-test"])
    error_message = "Instances are tagged with ghr:environment at launch."
  }

  assert {
    condition     = strcontains(output.user_data, "actions-runner-linux-x64-2.329.0.tar.gz") && strcontains(output.user_data, "cat >/usr/local/bin/ghr-agent") && strcontains(output.user_data, "GHR_CONFIG_PATH='/github-action-runners/ghr-test/runners/config'") && strcontains(output.user_data, "echo pre-install-marker")
    error_message = "User data must install actions/runner, the agent with its settings, and the pre-install hook."
  }

  assert {
    condition     = length(aws_launch_template.this.user_data) * 3 / 4 < 16384
    error_message = "Launch template user data must stay under EC2's 16 KB limit (it is gzip-compressed for that)."
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.all.security_group_id == aws_security_group.this.id && aws_security_group.this.vpc_id == "vpc-0123456789abcdef0"
    error_message = "The security group allows egress only (no ingress rule exists in the module)."
  }
}

run "runner_role_touches_only_itself" {
  command = apply

  module {
    source = "./modules/runner-pool"
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.runner.statement :
      s.actions == toset(["ec2:CreateTags"]) &&
      anytrue([for c in s.condition : c.test == "StringEquals" && c.variable == "aws:ARN" && sort(c.values) == sort(["$${ec2:SourceInstanceARN}"])]) &&
      anytrue([for c in s.condition : c.variable == "aws:TagKeys" && sort(c.values) == sort(["ghr:agent-state"])])
    ])
    error_message = "The runner may tag only itself (aws:ARN == ec2:SourceInstanceARN), and only its agent-state tag."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.runner.statement :
      length(setintersection(s.actions, ["ec2:TerminateInstances", "ec2:DeleteTags", "ssm:PutParameter"])) == 0
    ])
    error_message = "The runner may not terminate, untag, or write parameters."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.runner.statement :
      s.actions == toset(["ssm:GetParameter", "ssm:DeleteParameter"]) &&
      s.resources == toset(["arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/runners/config/i-*"])
    ])
    error_message = "The runner may read and delete only per-instance runner configs of this deployment."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.runner.statement : !contains(s.actions, "sqs:SendMessage")])
    error_message = "Ephemeral runners never send recycle requests, so they get no queue access."
  }
}

run "reusable_pool_may_request_recycle" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    pool = {
      owner                       = "acme"
      enable_organization_runners = true
      enable_ephemeral_runners    = false
      runner_architecture         = "arm64"
      volume_size_in_gb           = 30
      runner_version              = "2.329.0"
      runner_run_as               = "ec2-user"
      enable_ssm_on_runners       = true
      userdata_pre_install        = ""
      userdata_post_install       = ""
    }
  }

  assert {
    condition     = anytrue([for s in data.aws_iam_policy_document.runner.statement : s.actions == toset(["sqs:SendMessage"]) && s.resources == toset(["arn:aws:sqs:eu-west-1:123456789012:ghr-test-linux"])])
    error_message = "A reusable pool's runner may send recycle requests to its own queue only."
  }

  assert {
    condition     = aws_launch_template.this.image_id == "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" && length(aws_iam_role_policy_attachment.ssm_core) == 1
    error_message = "arm64 pools use the arm64 AMI; enable_ssm_on_runners attaches the SSM core policy."
  }
}

run "rejects_bad_pool_name" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    pool_name = "Linux_Pool"
  }

  expect_failures = [var.pool_name]
}
