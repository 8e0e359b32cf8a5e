data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  # `<prefix>_<pool>`: `_` is in neither part, so names of different (prefix, pool) pairs never
  # collide (docs/terraform.md, "Names"); the role and instance profile append `_runner`.
  name       = "${var.prefix}_${var.pool_name}"
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  # The profile's public SSM parameter (Amazon Linux 2023, or Canonical's Ubuntu 24.04), resolved by
  # EC2 at every launch (`resolve:ssm:`), so new launches pick up patched AMIs without a Terraform
  # run. A prebuilt pool names its own AMI (validated).
  arm64 = var.pool.runner_architecture == "arm64"
  default_ami_parameter = var.pool.image_profile == "ubuntu" ? (
    "/aws/service/canonical/ubuntu/server/24.04/stable/current/${local.arm64 ? "arm64" : "amd64"}/hvm/ebs-gp3/ami-id"
  ) : "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${local.arm64 ? "arm64" : "x86_64"}"
  # The root device of the profile's AMIs (Amazon Linux: /dev/xvda; Ubuntu: /dev/sda1): another
  # name would attach an empty extra volume and leave the root disk at the AMI's size.
  root_device_name   = coalesce(var.pool.root_device_name, var.pool.image_profile == "ubuntu" ? "/dev/sda1" : "/dev/xvda")
  ami_parameter_name = var.pool.ami_id == null ? coalesce(var.pool.ami_ssm_parameter_name, local.default_ami_parameter) : null
  image_id           = var.pool.ami_id != null ? var.pool.ami_id : "resolve:ssm:${local.ami_parameter_name}"

  # The pool's own egress-only group first, then the user's (e.g. one that reaches an internal registry).
  security_group_ids = concat([aws_security_group.this.id], var.pool.security_group_ids)

  # Written to /etc/ghr-agent.env in shell syntax (KEY='value'), which the agent sources. Unset
  # settings are left out: an ephemeral pool's agent gets no GHR_QUEUE_URL (it sends nothing).
  agent_settings = { for k, v in {
    GHR_POOL        = var.pool_name
    GHR_EPHEMERAL   = tostring(var.pool.enable_ephemeral_runners)
    GHR_QUEUE_URL   = try(var.recycle_queue.url, null)             # reusable pools: the pool's recycle queue, never its job queue
    GHR_CONFIG_PATH = "${var.runner_config_path}/${var.pool_name}" # the agent reads <path>/<instance-id>
    GHR_RUNNER_DIR  = "/opt/actions-runner"
    GHR_RUNNER_USER = var.pool.runner_run_as
    GHR_ENVIRONMENT = var.environment
  } : k => v if v != null }

  # A pool's own template (upstream's `userdata_template`) replaces ours whole and gets the same
  # variables: docs/terraform.md, "Your own user data", says what it must do with them.
  user_data = templatefile(coalesce(var.pool.userdata_template, "${path.module}/templates/user-data.sh.tftpl"), {
    # The agent ships once, in agent/, and reaches instances through the artifact bucket. Its text
    # stays available to a pool's own userdata_template, which earlier versions inlined.
    agent_script   = trimspace(file("${path.module}/../../agent/ghr-agent.sh"))
    agent_unit     = trimspace(file("${path.module}/../../agent/ghr-agent.service"))
    agent_settings = local.agent_settings
    # "latest" reads the cache's pointer first; the pinned release below is what it falls back to.
    runner_latest         = var.pool.runner_version == "latest"
    runner_version        = var.pool.runner_version == "latest" ? var.pool.runner_fallback_version : var.pool.runner_version
    runner_arch           = var.pool.runner_architecture
    runner_sha256         = var.pool.runner_sha256
    runner_cache          = var.artifacts.runner_cache
    artifact_bucket       = var.artifacts.bucket
    agent_key             = var.artifacts.script_key
    agent_sha256          = var.artifacts.script_sha256
    unit_key              = var.artifacts.unit_key
    unit_sha256           = var.artifacts.unit_sha256
    region                = local.region
    run_as                = var.pool.runner_run_as
    image_profile         = var.pool.image_profile
    install_docker        = var.pool.install_docker
    install_git           = var.pool.install_git
    userdata_pre_install  = var.pool.userdata_pre_install
    userdata_post_install = var.pool.userdata_post_install
    log_group             = local.log_group_name
  })
}

resource "aws_security_group" "this" {
  name_prefix = "${local.name}-"
  description = "GitHub runners of pool ${var.pool_name}: egress only, nothing may connect in"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = local.name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.this.id
  description       = "Runners reach GitHub, package registries and AWS APIs"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
  tags              = var.tags
}

resource "aws_launch_template" "this" {
  name                   = local.name
  description            = "GitHub runners of pool ${var.pool_name} (${var.environment})"
  image_id               = local.image_id
  key_name               = var.pool.key_name
  update_default_version = true
  user_data              = base64gzip(local.user_data)
  # A public address needs the groups on the network interface (EC2 refuses both places at once);
  # scale-up's CreateFleet overrides still pick the subnet of that interface.
  vpc_security_group_ids = var.pool.associate_public_ip_address ? null : local.security_group_ids

  dynamic "network_interfaces" {
    for_each = var.pool.associate_public_ip_address ? [true] : []
    content {
      associate_public_ip_address = true
      security_groups             = local.security_group_ids
      delete_on_termination       = true
    }
  }

  # EC2 limits user data to 16 KB before base64 (EC2 user guide, "Run commands when you launch an
  # EC2 instance with user data input"): a longer script would fail every launch, at scale-up.
  lifecycle {
    precondition {
      condition     = var.pool.runner_version != "latest" || (var.artifacts.runner_cache && var.pool.runner_fallback_version != null)
      error_message = "runner_version \"latest\" is served by the runner binary cache (runner_binary_cache.enabled) and needs the pinned release user data falls back to (runner_fallback_version)."
    }
    precondition {
      condition     = length(base64gzip(local.user_data)) * 3 / 4 <= 16384
      error_message = "The pool's user data is over EC2's 16 KB limit once gzip-compressed: shorten userdata_pre_install / userdata_post_install or the userdata_template, or bake the steps into a prebuilt AMI."
    }
  }

  # An ephemeral runner powers itself off after its job: that must end the instance, not park it.
  instance_initiated_shutdown_behavior = "terminate"

  iam_instance_profile {
    arn = aws_iam_instance_profile.this.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"                  # IMDSv2 only
    http_put_response_hop_limit = var.pool.metadata_hop_limit # 1: containers on a bridge network cannot reach the instance's credentials
    instance_metadata_tags      = "enabled"                   # the agent reads its own tags (retiring mark) without API calls
  }

  block_device_mappings {
    device_name = local.root_device_name

    ebs {
      volume_size           = var.pool.volume_size_in_gb
      volume_type           = var.pool.volume_type
      iops                  = var.pool.volume_iops
      throughput            = var.pool.volume_throughput
      encrypted             = true
      kms_key_id            = var.pool.ebs_kms_key_arn
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = var.pool.enable_detailed_monitoring
  }

  tag_specifications {
    resource_type = "instance"
    tags          = var.instance_tags
  }

  tag_specifications {
    resource_type = "volume"
    tags          = var.instance_tags
  }

  tags = var.tags
}
