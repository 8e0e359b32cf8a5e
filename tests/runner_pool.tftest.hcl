# modules/runner-pool: the launch template the safety protocol relies on, and the runner's role:
# what a job on the runner (root, with these credentials) can reach.

mock_provider "aws" {
  source = "./tests/mocks"
}

# Distinct identities for what the wiring assertions compare (tests/mocks/aws.tfmock.hcl).
override_resource {
  target = aws_iam_role.this
  values = { arn = "arn:aws:iam::123456789012:role/ghr-test_linux_runner", id = "ghr-test_linux_runner", name = "ghr-test_linux_runner" }
}

override_resource {
  target = aws_iam_instance_profile.this
  values = { arn = "arn:aws:iam::123456789012:instance-profile/ghr-test_linux_runner" }
}

override_data {
  target = data.aws_iam_policy_document.runner
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"MockRunner\",\"Effect\":\"Allow\",\"Action\":\"ec2:CreateTags\",\"Resource\":\"*\"}]}" }
}

variables {
  prefix                = "ghr-test"
  environment           = "ghr-test"
  pool_name             = "linux"
  vpc_id                = "vpc-0123456789abcdef0"
  runner_config_path    = "/github-action-runners/ghr-test/runners/config"
  fleet_parameter_path  = "/github-action-runners/ghr-test"
  github_parameter_arns = ["arn:aws:ssm:eu-west-1:123456789012:parameter/shared/gh/key", "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/app/id"]
  instance_tags         = { "ghr:environment" = "ghr-test", "ghr:Type" = "Org" }
  artifacts = {
    bucket        = "ghr-test-artifacts"
    bucket_arn    = "arn:aws:s3:::ghr-test-artifacts"
    script_key    = "agent/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/ghr-agent.sh"
    script_sha256 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    unit_key      = "agent/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/ghr-agent.service"
    unit_sha256   = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    runner_cache  = true
  }
  pool = {
    owner                       = "acme"
    enable_organization_runners = true
    enable_ephemeral_runners    = true
    runner_architecture         = "x64"
    volume_size_in_gb           = 30
    runner_version              = "2.329.0"
    runner_sha256               = "194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d"
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
    condition     = aws_launch_template.this.metadata_options[0].http_tokens == "required" && aws_launch_template.this.metadata_options[0].instance_metadata_tags == "enabled" && aws_launch_template.this.metadata_options[0].http_put_response_hop_limit == 1
    error_message = "IMDSv2 must be required (hop limit 1: containers of a job get no instance credentials) and instance metadata tags enabled (the agent reads its retiring mark there)."
  }

  assert {
    condition     = aws_launch_template.this.instance_initiated_shutdown_behavior == "terminate"
    error_message = "An instance that shuts itself down must terminate."
  }

  assert {
    condition     = aws_launch_template.this.iam_instance_profile[0].arn == aws_iam_instance_profile.this.arn && aws_iam_instance_profile.this.role == aws_iam_role.this.name
    error_message = "The launch template must use the pool's instance profile, which holds the pool's role."
  }

  assert {
    condition     = aws_iam_role_policy.runner.role == aws_iam_role.this.id && aws_iam_role_policy.runner.policy == data.aws_iam_policy_document.runner.json
    error_message = "The runner policy must be attached to the pool's runner role."
  }

  assert {
    condition     = aws_launch_template.this.name == "ghr-test_linux" && aws_iam_role.this.name == "ghr-test_linux_runner" && aws_iam_instance_profile.this.name == "ghr-test_linux_runner"
    error_message = "Pool-level names are <prefix>_<pool>[_<kind>] (docs/terraform.md, \"Names\")."
  }

  assert {
    condition     = aws_launch_template.this.image_id == "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    error_message = "The default AMI is Amazon Linux 2023, resolved from SSM at launch."
  }

  assert {
    condition = (
      aws_launch_template.this.block_device_mappings[0].device_name == "/dev/xvda" && aws_launch_template.this.block_device_mappings[0].ebs[0].volume_type == "gp3" &&
      aws_launch_template.this.block_device_mappings[0].ebs[0].encrypted == "true" && aws_launch_template.this.block_device_mappings[0].ebs[0].kms_key_id == null &&
      output.ami_parameter_name == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64" && output.key_pair_name == null && output.ebs_kms_key_arn == null
    )
    error_message = "By default the root volume is Amazon Linux's /dev/xvda, encrypted gp3 with the account's key, and scale-up is told the AMI parameter it must read."
  }

  assert {
    condition     = anytrue([for t in aws_launch_template.this.tag_specifications : t.resource_type == "instance" && t.tags["ghr:environment"] == "ghr-test"])
    error_message = "Instances are tagged with ghr:environment at launch."
  }

  assert {
    condition     = strcontains(output.user_data, "version=2.329.0\n") && strcontains(output.user_data, "actions-runner-linux-x64-$version.tar.gz") && strcontains(output.user_data, "fetch_verified \"agent/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/ghr-agent.sh\" \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" /usr/local/bin/ghr-agent 5") && strcontains(output.user_data, "echo pre-install-marker") && strcontains(output.user_data, "packages=\"libicu tar gzip git docker\"") && strcontains(output.user_data, "usermod -aG docker ec2-user")
    error_message = "User data must install actions/runner, fetch the agent from the artifact bucket against its SHA-256, write its settings, run the pre-install hook, and by default install git and Docker with the runner user in the docker group."
  }

  # The agent reads <GHR_CONFIG_PATH>/<instance-id>: its own pool's path.
  assert {
    condition     = strcontains(output.user_data, "GHR_CONFIG_PATH='/github-action-runners/ghr-test/runners/config/linux'")
    error_message = "The agent's GHR_CONFIG_PATH must be <runner config path>/<pool>."
  }

  # The tarball is checked against the pinned SHA-256 before it is unpacked.
  assert {
    condition     = strcontains(output.user_data, "sum=194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d\n") && strcontains(output.user_data, "echo \"$sum  runner.tar.gz\" | sha256sum --check --strict -\nfi\necho \"actions/runner $version (x64) from the $source\"\ntar xzf runner.tar.gz")
    error_message = "User data must verify the runner tarball's SHA-256, then unpack it."
  }

  assert {
    condition     = length(aws_launch_template.this.user_data) * 3 / 4 < 16384
    error_message = "Launch template user data must stay under EC2's 16 KB limit (it is gzip-compressed for that)."
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.all.security_group_id == aws_security_group.this.id && aws_security_group.this.vpc_id == "vpc-0123456789abcdef0"
    error_message = "The security group allows egress only (no ingress rule exists in the module)."
  }

  assert {
    condition = (
      tolist(aws_launch_template.this.vpc_security_group_ids) == tolist([aws_security_group.this.id]) &&
      length(aws_launch_template.this.network_interfaces) == 0 && aws_launch_template.this.monitoring[0].enabled == false
    )
    error_message = "By default an instance has only the pool's egress-only group, no public address and basic monitoring."
  }
}

# An Ubuntu AMI pinned by id, its root device, a tuned volume under a customer-managed key, a key pair.
# The runner binary cache: a "latest" pool reads the cache's pointer, then the tarball from the
# bucket, and falls back to the pinned release from GitHub; without the cache, GitHub only.
run "latest_pool_reads_the_cache_and_falls_back_to_the_pinned_release" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    pool = merge(var.pool, { runner_version = "latest", runner_fallback_version = "2.329.0" })
  }

  assert {
    condition = alltrue([for needle in [
      "aws s3 cp --only-show-errors --region eu-west-1 \"s3://ghr-test-artifacts/runners/latest/linux-x64\" latest.txt",
      "fetch_verified \"runners/$version/actions-runner-linux-x64-$version.tar.gz\" \"$sum\" runner.tar.gz 1 && source=cache",
      "version=2.329.0\nsum=194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d\n",
      "https://github.com/actions/runner/releases/download/v$version/actions-runner-linux-x64-$version.tar.gz",
    ] : strcontains(output.user_data, needle)])
    error_message = "A latest pool reads the cache's pointer and tarball, and falls back to the module's pinned release from GitHub."
  }
}

run "without_the_cache_the_runner_comes_from_github" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    artifacts = merge(var.artifacts, { runner_cache = false })
  }

  assert {
    condition     = !strcontains(output.user_data, "fetch_verified \"runners/") && !strcontains(output.user_data, "runners/latest") && strcontains(output.user_data, "source=GitHub\nif [ \"$source\" = GitHub ]; then") && strcontains(output.user_data, "/ghr-agent.sh\" \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" /usr/local/bin/ghr-agent 5")
    error_message = "Without the cache user data downloads actions/runner from GitHub only; the agent still comes from the bucket."
  }
}

run "rejects_latest_without_the_cache" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    artifacts = merge(var.artifacts, { runner_cache = false })
    pool      = merge(var.pool, { runner_version = "latest", runner_fallback_version = "2.329.0" })
  }

  expect_failures = [aws_launch_template.this]
}

run "launch_template_follows_the_ami_and_volume_settings" {
  command = apply

  module {
    source = "./modules/runner-pool"
  }

  variables {
    pool = {
      owner                       = "acme"
      enable_organization_runners = true
      enable_ephemeral_runners    = true
      runner_architecture         = "x64"
      ami_id                      = "ami-0123456789abcdef0"
      volume_size_in_gb           = 50
      root_device_name            = "/dev/sda1"
      volume_type                 = "gp3"
      volume_iops                 = 6000
      volume_throughput           = 500
      ebs_kms_key_arn             = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
      key_name                    = "ops"
      metadata_hop_limit          = 2
      security_group_ids          = ["sg-0fedcba9876543210"]
      associate_public_ip_address = true
      enable_detailed_monitoring  = true
      runner_version              = "2.329.0"
      runner_sha256               = "194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d"
      runner_run_as               = "ubuntu"
      enable_ssm_on_runners       = false
      userdata_pre_install        = ""
      userdata_post_install       = ""
    }
  }

  assert {
    condition = (
      aws_launch_template.this.image_id == "ami-0123456789abcdef0" && output.ami_parameter_name == null &&
      aws_launch_template.this.block_device_mappings[0].device_name == "/dev/sda1" &&
      aws_launch_template.this.block_device_mappings[0].ebs[0].volume_size == 50 &&
      aws_launch_template.this.block_device_mappings[0].ebs[0].iops == 6000 &&
      aws_launch_template.this.block_device_mappings[0].ebs[0].throughput == 500 &&
      aws_launch_template.this.block_device_mappings[0].ebs[0].kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555" &&
      aws_launch_template.this.key_name == "ops" && output.key_pair_name == "ops" &&
      output.ebs_kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    )
    error_message = "The launch template takes the AMI's root device, the volume's type, IOPS, throughput and key, and names what scale-up must be allowed to use (no AMI parameter for a fixed AMI id)."
  }

  # A public address moves the groups onto the network interface (EC2 refuses them in both places).
  assert {
    condition = (
      aws_launch_template.this.metadata_options[0].http_put_response_hop_limit == 2 &&
      aws_launch_template.this.metadata_options[0].http_tokens == "required" &&
      length(coalesce(aws_launch_template.this.vpc_security_group_ids, [])) == 0 &&
      aws_launch_template.this.network_interfaces[0].associate_public_ip_address == "true" &&
      tolist(aws_launch_template.this.network_interfaces[0].security_groups) == tolist([aws_security_group.this.id, "sg-0fedcba9876543210"]) &&
      aws_launch_template.this.monitoring[0].enabled == true
    )
    error_message = "The hop limit, the extra security groups (after the pool's own, on the interface when it has a public address) and detailed monitoring reach the launch template; IMDSv2 stays required."
  }
}

run "rejects_bad_hop_limit_and_security_groups" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    pool = {
      owner                       = "acme"
      enable_organization_runners = true
      enable_ephemeral_runners    = true
      runner_architecture         = "x64"
      volume_size_in_gb           = 30
      metadata_hop_limit          = 0
      runner_version              = "2.329.0"
      runner_sha256               = "194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d"
      runner_run_as               = "ec2-user"
      enable_ssm_on_runners       = false
      userdata_pre_install        = ""
      userdata_post_install       = ""
    }
  }

  expect_failures = [var.pool]
}

run "runner_role_touches_only_itself" {
  command = apply

  module {
    source = "./modules/runner-pool"
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.runner.statement :
      s.actions == toset(["ec2:CreateTags"]) &&
      anytrue([for c in s.condition : c.test == "StringEquals" && c.variable == "aws:ARN" && c.values == tolist(["$${ec2:SourceInstanceARN}"])]) &&
      anytrue([for c in s.condition : c.variable == "aws:TagKeys" && sort(c.values) == sort(["ghr:agent-state"])])
    ])
    error_message = "The runner may tag only itself (aws:ARN == ec2:SourceInstanceARN), and only its agent-state tag."
  }

  # The artifact bucket: read only, the agent's and the runner tarballs' prefixes only.
  assert {
    condition     = one([for s in data.aws_iam_policy_document.runner.statement : s if s.sid == "ReadArtifacts"]).actions == toset(["s3:GetObject"]) && one([for s in data.aws_iam_policy_document.runner.statement : s if s.sid == "ReadArtifacts"]).resources == toset(["arn:aws:s3:::ghr-test-artifacts/agent/*", "arn:aws:s3:::ghr-test-artifacts/runners/*"]) && alltrue([for s in data.aws_iam_policy_document.runner.statement : !anytrue([for a in s.actions : startswith(a, "s3:") && a != "s3:GetObject"]) if s.effect != "Deny"])
    error_message = "The runner may only read the artifact bucket's agent/ and runners/ objects: no write, no listing."
  }

  assert {
    condition = alltrue([for s in data.aws_iam_policy_document.runner.statement :
      length(setintersection(s.actions, ["ec2:TerminateInstances", "ec2:DeleteTags", "ssm:PutParameter", "ssm:GetParametersByPath"])) == 0
    if s.effect != "Deny"])
    error_message = "The runner may not terminate, untag, write parameters or list them."
  }

  # Its own registration only: this pool's path AND the instance's own ARN in ghr:instance-arn.
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.runner.statement :
      s.effect != "Deny" && s.actions == toset(["ssm:GetParameter", "ssm:DeleteParameter"]) &&
      s.resources == toset(["arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/runners/config/linux/i-*"]) &&
      anytrue([for c in s.condition : c.test == "StringEquals" && c.variable == "ssm:ResourceTag/ghr:instance-arn" && c.values == tolist(["$${ec2:SourceInstanceARN}"])])
    ])
    error_message = "The runner may read and delete only a registration under its own pool's path that is tagged with its own instance ARN."
  }

  assert {
    condition = alltrue(flatten([for s in data.aws_iam_policy_document.runner.statement : [
      for r in s.resources : startswith(r, "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/runners/config/linux/")
    ] if s.effect != "Deny" && anytrue([for a in s.actions : startswith(a, "ssm:")])]))
    error_message = "No SSM grant of the runner may reach past its own pool's registrations."
  }

  # Guards that hold whatever else is attached to the role (AmazonSSMManagedInstanceCore grants
  # ssm:GetParameter(s) on "*").
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.runner.statement :
      s.effect == "Deny" && contains(s.actions, "ssm:GetParameter") && contains(s.actions, "ssm:GetParameters") &&
      s.resources == toset(["arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/*"]) &&
      anytrue([for c in s.condition : c.test == "StringNotEquals" && c.variable == "ssm:ResourceTag/ghr:instance-arn" && c.values == tolist(["$${ec2:SourceInstanceARN}"])])
    ])
    error_message = "Reads of anything under the fleet's path that is not tagged with the caller's instance ARN must be denied."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.runner.statement :
      s.effect == "Deny" && contains(s.actions, "ssm:GetParameter") && s.resources == toset(var.github_parameter_arns) && length(s.condition) == 0
    ])
    error_message = "Reads of the GitHub App parameters must be denied, wherever they live."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.runner.statement :
      s.effect == "Deny" && s.actions == toset(["ssm:GetParametersByPath"]) && length(s.condition) == 0 &&
      length(setsubtract([
        "arn:aws:ssm:eu-west-1:123456789012:parameter/",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/github-action-runners/ghr-test/*",
      ], s.resources)) == 0
    ])
    error_message = "Listing the fleet's path, or any of its ancestors, must be denied (GetParametersByPath is authorized on the path, not per parameter)."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.runner.statement : !anytrue([for a in s.actions : startswith(a, "sqs:") || startswith(a, "kms:")])])
    error_message = "Ephemeral runners never send recycle requests, so they get no queue or key access."
  }

  assert {
    condition     = length(output.send_message_queue_arns) == 0 && !strcontains(output.user_data, "GHR_QUEUE_URL='")
    error_message = "An ephemeral pool's runner role may send no message, and its agent is given no queue."
  }
}

run "reusable_pool_may_request_recycle" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    queue_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    recycle_queue = {
      arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux_recycle"
      url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_linux_recycle"
    }
    pool = {
      owner                       = "acme"
      enable_organization_runners = true
      enable_ephemeral_runners    = false
      runner_architecture         = "arm64"
      volume_size_in_gb           = 30
      runner_version              = "2.329.0"
      runner_sha256               = "56768348b3d643a6a29d4ad71e9bdae0dc0ef1eb01afe0f7a8ee097b039bfaaf"
      runner_run_as               = "ec2-user"
      enable_ssm_on_runners       = true
      userdata_pre_install        = ""
      userdata_post_install       = ""
    }
  }

  # Its recycle queue only: never the job queue, whose messages drive launches and whose depth is
  # demand (docs/threat-model.md).
  assert {
    condition = (
      toset(flatten([for s in data.aws_iam_policy_document.runner.statement : tolist(s.resources) if anytrue([for a in s.actions : startswith(a, "sqs:")])])) == toset(["arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux_recycle"]) &&
      one([for s in data.aws_iam_policy_document.runner.statement : s.actions if s.sid == "RequestRecycle"]) == toset(["sqs:SendMessage"]) &&
      output.send_message_queue_arns == tolist(["arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux_recycle"])
    )
    error_message = "A reusable pool's runner may send recycle requests to its own recycle queue only, and do nothing else with SQS."
  }

  assert {
    condition     = strcontains(output.user_data, "GHR_QUEUE_URL='https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_linux_recycle'") && strcontains(output.user_data, "GHR_EPHEMERAL='false'")
    error_message = "A reusable pool's agent sends its recycle requests to the pool's recycle queue."
  }

  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.runner.statement :
      s.actions == toset(["kms:GenerateDataKey", "kms:Decrypt"]) && s.resources == toset([var.queue_kms_key_arn]) &&
      anytrue([for c in s.condition : c.variable == "kms:ViaService" && c.values == tolist(["sqs.eu-west-1.amazonaws.com"])])
    ])
    error_message = "With an encrypted queue, the runner may use its key through SQS only."
  }

  assert {
    condition     = aws_launch_template.this.image_id == "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" && length(aws_iam_role_policy_attachment.ssm_core) == 1
    error_message = "arm64 pools use the arm64 AMI; enable_ssm_on_runners attaches the SSM core policy."
  }

  assert {
    condition     = strcontains(output.user_data, "actions-runner-linux-arm64-$version.tar.gz") && strcontains(output.user_data, "sum=56768348b3d643a6a29d4ad71e9bdae0dc0ef1eb01afe0f7a8ee097b039bfaaf\n")
    error_message = "An arm64 pool installs the arm64 tarball and checks the arm64 checksum."
  }
}

# The Ubuntu profile: Canonical's AMI for the architecture, its root device, apt, Docker from
# Ubuntu's archive and the AWS CLI the agent needs (Canonical's AMIs lack it).
run "ubuntu_profile" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    pool = {
      owner                       = "acme"
      enable_organization_runners = true
      enable_ephemeral_runners    = true
      runner_architecture         = "arm64"
      image_profile               = "ubuntu"
      volume_size_in_gb           = 30
      runner_version              = "2.329.0"
      runner_sha256               = "56768348b3d643a6a29d4ad71e9bdae0dc0ef1eb01afe0f7a8ee097b039bfaaf"
      runner_run_as               = "ubuntu"
      enable_ssm_on_runners       = false
      userdata_pre_install        = ""
      userdata_post_install       = ""
    }
  }

  assert {
    condition = (
      aws_launch_template.this.image_id == "resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id" &&
      output.ami_parameter_name == "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id" &&
      aws_launch_template.this.block_device_mappings[0].device_name == "/dev/sda1"
    )
    error_message = "An Ubuntu pool launches Canonical's 24.04 AMI for its architecture (scale-up is told the parameter) with Ubuntu's root device."
  }

  assert {
    condition = (
      strcontains(output.user_data, "apt-get -o DPkg::Lock::Timeout=600 install -y -q $packages") && strcontains(output.user_data, "packages=\"curl tar gzip git docker.io\"") &&
      strcontains(output.user_data, "command -v aws >/dev/null || snap install aws-cli --classic") &&
      !strcontains(output.user_data, "dnf install") && strcontains(output.user_data, "usermod -aG docker ubuntu") &&
      strcontains(output.user_data, "actions-runner-linux-arm64-$version.tar.gz")
    )
    error_message = "Ubuntu user data installs with apt (git, docker.io), adds the AWS CLI snap, puts the runner user in the docker group and downloads the runner."
  }
}

# A prebuilt AMI: user data installs nothing and refuses an image without the runner.
run "prebuilt_profile" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    pool = {
      owner                       = "acme"
      enable_organization_runners = true
      enable_ephemeral_runners    = true
      runner_architecture         = "x64"
      image_profile               = "prebuilt"
      ami_id                      = "ami-0123456789abcdef0"
      root_device_name            = "/dev/nvme0n1"
      install_docker              = false
      volume_size_in_gb           = 30
      runner_version              = "2.329.0"
      runner_sha256               = "194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d"
      runner_run_as               = "runner"
      enable_ssm_on_runners       = false
      userdata_pre_install        = ""
      userdata_post_install       = ""
    }
  }

  assert {
    condition = (
      aws_launch_template.this.image_id == "ami-0123456789abcdef0" && aws_launch_template.this.block_device_mappings[0].device_name == "/dev/nvme0n1" &&
      !strcontains(output.user_data, "dnf install") && !strcontains(output.user_data, "apt-get") && !strcontains(output.user_data, "curl -fsSL") &&
      !strcontains(output.user_data, "systemctl enable --now docker") &&
      strcontains(output.user_data, "test -x \"$runner_dir/run.sh\" || {") && strcontains(output.user_data, "fetch_verified \"agent/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/ghr-agent.sh\"") && !strcontains(output.user_data, "runners/latest")
    )
    error_message = "A prebuilt pool's user data downloads and installs nothing but the agent, checks the image has the runner, and uses the pool's AMI and root device."
  }
}

run "rejects_prebuilt_profile_without_its_ami" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    pool = {
      owner                       = "acme"
      enable_organization_runners = true
      enable_ephemeral_runners    = true
      runner_architecture         = "x64"
      image_profile               = "prebuilt"
      volume_size_in_gb           = 30
      runner_version              = "2.329.0"
      runner_sha256               = "194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d"
      runner_run_as               = "runner"
      enable_ssm_on_runners       = false
      userdata_pre_install        = ""
      userdata_post_install       = ""
    }
  }

  expect_failures = [var.pool]
}

run "rejects_bad_pool_name_and_checksum" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    pool_name = "Linux_Pool"
    pool = {
      owner                       = "acme"
      enable_organization_runners = true
      enable_ephemeral_runners    = true
      runner_architecture         = "x64"
      volume_size_in_gb           = 30
      runner_version              = "2.329.0"
      runner_sha256               = "not-a-checksum"
      runner_run_as               = "ec2-user"
      enable_ssm_on_runners       = false
      userdata_pre_install        = ""
      userdata_post_install       = ""
    }
  }

  expect_failures = [var.pool_name, var.pool]
}

# The recycle queue comes with reusable pools only: a reusable pool without one could not recycle,
# and an ephemeral pool with one would give its jobs a queue to write to.
run "rejects_reusable_pool_without_recycle_queue" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    pool = {
      owner                       = "acme"
      enable_organization_runners = true
      enable_ephemeral_runners    = false
      runner_architecture         = "x64"
      volume_size_in_gb           = 30
      runner_version              = "2.329.0"
      runner_sha256               = "194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d"
      runner_run_as               = "ec2-user"
      enable_ssm_on_runners       = false
      userdata_pre_install        = ""
      userdata_post_install       = ""
    }
  }

  expect_failures = [var.recycle_queue]
}

run "rejects_recycle_queue_for_ephemeral_pool" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    recycle_queue = {
      arn = "arn:aws:sqs:eu-west-1:123456789012:ghr-test_linux_recycle"
      url = "https://sqs.eu-west-1.amazonaws.com/123456789012/ghr-test_linux_recycle"
    }
  }

  expect_failures = [var.recycle_queue]
}

# A pool's own template replaces the module's whole, with the same variables.
run "userdata_template_replaces_the_module_template" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    pool = merge(var.pool, { runner_run_as = "builder", userdata_template = "tests/fixtures/user-data-custom.sh.tftpl" })
  }

  assert {
    condition = (
      startswith(output.user_data, "#!/bin/bash\n# A pool's own user data") &&
      strcontains(output.user_data, "custom bootstrap for builder: runner 2.329.0 x64 194f1e1e") &&
      strcontains(output.user_data, "GHR_CONFIG_PATH='/github-action-runners/ghr-test/runners/config/linux'") &&
      !strcontains(output.user_data, "pre-install-marker") && !strcontains(output.user_data, "ghr-agent")
    )
    error_message = "userdata_template must replace the module's user data whole, rendered with the agent settings and runner variables."
  }
}

run "user_data_over_the_ec2_limit_is_refused_at_plan" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  variables {
    # Hex digests barely compress below half: 43 KB of them is over 16 KB gzip-compressed.
    pool = merge(var.pool, { userdata_pre_install = join("\n", [for i in range(640) : "# ${sha256(tostring(i))}"]) })
  }

  expect_failures = [aws_launch_template.this]
}

# Instance logs: the pool's own group, and the runner role may write to that group only.
run "instance_logs_go_to_the_pools_own_group" {
  command = apply

  module {
    source = "./modules/runner-pool"
  }

  variables {
    logs = { enabled = true, retention_in_days = 14, kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
  }

  override_resource {
    target = aws_cloudwatch_log_group.runner
    values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/github-runners/ghr-test_linux" }
  }

  assert {
    condition     = aws_cloudwatch_log_group.runner[0].name == "/github-runners/ghr-test_linux" && aws_cloudwatch_log_group.runner[0].retention_in_days == 14 && aws_cloudwatch_log_group.runner[0].kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "The pool's log group is /github-runners/<prefix>_<pool>, with the retention and key asked for."
  }

  assert {
    condition = (
      length(data.aws_iam_policy_document.logs[0].statement) == 1 &&
      data.aws_iam_policy_document.logs[0].statement[0].resources == toset(["arn:aws:logs:eu-west-1:123456789012:log-group:/github-runners/ghr-test_linux:*"]) &&
      data.aws_iam_policy_document.logs[0].statement[0].actions == toset(["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]) &&
      aws_iam_role_policy.logs[0].role == aws_iam_role.this.id
    )
    error_message = "The runner role may create streams in and write to its pool's log group, nothing else."
  }

  assert {
    condition     = strcontains(output.user_data, "\"log_group_name\": \"/github-runners/ghr-test_linux\"") && strcontains(output.user_data, "dnf install -y -q amazon-cloudwatch-agent")
    error_message = "User data must install the CloudWatch agent and ship to the pool's group."
  }

  assert {
    condition     = length(aws_launch_template.this.user_data) * 3 / 4 < 16384
    error_message = "User data with instance logs must stay under EC2's 16 KB limit."
  }
}

run "no_instance_logs_by_default_in_the_sub_module" {
  command = plan

  module {
    source = "./modules/runner-pool"
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.runner) == 0 && length(aws_iam_role_policy.logs) == 0 && !strcontains(output.user_data, "cloudwatch")
    error_message = "With logs disabled the pool has no log group, no logs permission and no CloudWatch agent."
  }
}
