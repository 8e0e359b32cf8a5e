data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  environment = var.prefix

  # What AWS puts in ec2:SourceInstanceARN for this fleet's instances, minus the instance id:
  # scale-up tags each runner config with it + the id (lambdas/src/core/scale-up/runner-config.ts).
  instance_arn_prefix = "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:instance/"

  ssm_base           = "/${var.ssm_paths.root}/${var.prefix}"
  app_path           = "${local.ssm_base}/${var.ssm_paths.app}"
  runner_config_path = "${local.ssm_base}/${var.ssm_paths.runners}/config"
  lease_parameter    = "${local.ssm_base}/${var.ssm_paths.scale_down}/lease"

  # Identity tags shared with the upstream module (ghr:*), so fleets can migrate.
  tags = merge(var.tags, {
    "ghr:environment" = local.environment
  })

  lambda_vpc = length(var.lambda.subnet_ids) == 0 ? null : {
    subnet_ids         = var.lambda.subnet_ids
    security_group_ids = var.lambda.security_group_ids
  }

  lambda_common = {
    runtime                   = var.lambda.runtime
    architecture              = var.lambda.architecture
    log_retention_in_days     = var.lambda.log_retention_in_days
    log_kms_key_arn           = var.lambda.log_kms_key_arn
    vpc                       = local.lambda_vpc
    role_path                 = var.lambda.role_path
    role_permissions_boundary = var.lambda.role_permissions_boundary
  }

  # Unset packages default to this module's own `npm run build` output.
  zips = { for fn, file in { webhook = "webhook", scale_up = "scale-up", scale_down = "scale-down", runner_cache = "runner-cache" } : fn => merge(var.lambda_zips[fn], {
    path = var.lambda_zips[fn].s3_bucket == null ? coalesce(var.lambda_zips[fn].path, "${path.module}/dist/lambdas/${file}.zip") : null
  }) }

  github_parameter_arns = [for p in values(module.github_app.parameters) : p.arn]
  ssm_kms_key_arns      = compact([var.kms_key_arn, var.github_app.kms_key_arn])

  # Reusable pools' runners ask for their next registration on a recycle queue of their own;
  # ephemeral pools' runners send nothing (docs/threat-model.md).
  reusable_pools = toset([for name, pool in var.runner_pools : name if !pool.enable_ephemeral_runners])

  # Scale-up's queue triggers: one per pool's job queue, one per reusable pool's recycle queue.
  scale_up_triggers = length(var.runner_pools) + length(local.reusable_pools)

  # Scale-up's reservation: enough for 2 per queue trigger (the SQS minimum) and for the
  # triggers' maximum concurrency, never less than 10 (variables.tf, scale_up).
  scale_up_reserved = var.scale_up.reserved_concurrency != null ? var.scale_up.reserved_concurrency : max(
    10, 2 * local.scale_up_triggers, coalesce(var.scale_up.maximum_concurrency, 0) * local.scale_up_triggers
  )
}

module "github_app" {
  source = "./modules/github-app"

  parameter_path  = local.app_path
  secrets         = var.github_app_secrets
  secrets_version = var.github_app.secrets_version
  kms_key_arn     = var.kms_key_arn
  tags            = local.tags

  existing = {
    id_ssm             = var.github_app.id_ssm
    key_base64_ssm     = var.github_app.key_base64_ssm
    webhook_secret_ssm = var.github_app.webhook_secret_ssm
  }
}

module "webhook" {
  source = "./modules/webhook"

  prefix              = var.prefix
  environment         = local.environment
  pool_names          = toset(keys(var.runner_pools))
  reusable_pool_names = local.reusable_pools
  ingress             = var.webhook.ingress
  config_json         = module.lambda_config.webhook_json
  zip                 = local.zips.webhook
  lambda = merge(local.lambda_common, {
    timeout              = var.webhook.timeout
    memory_size          = var.webhook.memory_size
    reserved_concurrency = var.webhook.reserved_concurrency
  })

  queue = {
    kms_key_arn                   = var.queues.kms_key_arn
    message_retention_seconds     = var.queues.message_retention_seconds
    dlq_max_receive_count         = var.queues.dlq_max_receive_count
    dlq_message_retention_seconds = var.queues.dlq_message_retention_seconds
    # AWS: at least six times the consumer's timeout, so a message is not redelivered mid-launch.
    visibility_timeout_seconds = var.scale_up.timeout * 6
  }

  webhook_secret_parameter_arn = module.github_app.parameters.webhook_secret.arn
  ssm_kms_key_arns             = local.ssm_kms_key_arns
  tags                         = local.tags
}

# The agent, its unit and the runner binary cache, which runner instances fetch at boot.
module "artifacts" {
  source = "./modules/artifacts"

  prefix      = var.prefix
  environment = local.environment
  log_level   = var.log_level
  lambda      = local.lambda_common
  zip         = local.zips.runner_cache
  runner_cache = var.runner_binary_cache.enabled ? {
    latest              = local.cache_latest_archs
    pinned              = local.cache_pinned
    schedule_expression = var.runner_binary_cache.schedule_expression
    timeout             = var.runner_binary_cache.timeout
    memory_size         = var.runner_binary_cache.memory_size
  } : null
  tags = local.tags
}

module "runner_pool" {
  source   = "./modules/runner-pool"
  for_each = var.runner_pools

  artifacts = merge(module.artifacts.agent, {
    bucket       = module.artifacts.bucket
    bucket_arn   = module.artifacts.bucket_arn
    runner_cache = var.runner_binary_cache.enabled
  })

  prefix             = var.prefix
  environment        = local.environment
  pool_name          = each.key
  vpc_id             = var.vpc_id
  runner_config_path = local.runner_config_path
  queue_kms_key_arn  = var.queues.kms_key_arn
  role_path          = var.lambda.role_path
  logs               = var.runner_logs

  # A reusable pool's runners may send to its recycle queue only, never the job queue; an
  # ephemeral pool's get no queue (and no sqs:SendMessage).
  recycle_queue = contains(local.reusable_pools, each.key) ? {
    arn = module.webhook.recycle_queue_arns[each.key]
    url = module.webhook.recycle_queue_urls[each.key]
  } : null

  fleet_parameter_path  = local.ssm_base
  github_parameter_arns = local.github_parameter_arns

  role_permissions_boundary = var.lambda.role_permissions_boundary

  pool = {
    owner                       = each.value.owner
    enable_organization_runners = each.value.enable_organization_runners
    enable_ephemeral_runners    = each.value.enable_ephemeral_runners
    runner_architecture         = each.value.runner_architecture
    ami_id                      = each.value.ami_id
    ami_ssm_parameter_name      = each.value.ami_ssm_parameter_name
    volume_size_in_gb           = each.value.volume_size_in_gb
    image_profile               = each.value.image_profile
    root_device_name            = each.value.root_device_name
    volume_type                 = each.value.volume_type
    volume_iops                 = each.value.volume_iops
    volume_throughput           = each.value.volume_throughput
    ebs_kms_key_arn             = each.value.ebs_kms_key_arn
    install_docker              = each.value.install_docker
    install_git                 = each.value.install_git
    runner_version              = each.value.runner_version
    runner_sha256               = local.runner_sha256[each.key]
    runner_fallback_version     = local.runner_download_version[each.key]
    runner_run_as               = coalesce(each.value.runner_run_as, each.value.image_profile == "ubuntu" ? "ubuntu" : "ec2-user")
    enable_ssm_on_runners       = each.value.enable_ssm_on_runners
    userdata_pre_install        = each.value.userdata_pre_install
    userdata_post_install       = each.value.userdata_post_install
    key_name                    = each.value.key_name
    metadata_hop_limit          = each.value.metadata_hop_limit
    security_group_ids          = each.value.security_group_ids
    associate_public_ip_address = each.value.associate_public_ip_address
    enable_detailed_monitoring  = each.value.enable_detailed_monitoring
    userdata_template           = each.value.userdata_template
  }

  instance_tags = merge(local.tags, {
    "ghr:Application" = "github-action-runner"
    "ghr:Type"        = each.value.enable_organization_runners ? "Org" : "Repo"
    "ghr:Owner"       = each.value.owner
    "ghr:pool"        = each.key
    Name              = "${var.prefix}_${each.key}"
  })
  tags = local.tags
}

module "scale_up" {
  source = "./modules/scale-up"

  prefix      = var.prefix
  environment = local.environment
  config_json = module.lambda_config.scale_up_json
  zip         = local.zips.scale_up
  lambda = merge(local.lambda_common, {
    timeout              = var.scale_up.timeout
    memory_size          = var.scale_up.memory_size
    reserved_concurrency = local.scale_up_reserved
  })

  queue_arns         = module.webhook.queue_arns
  recycle_queue_arns = module.webhook.recycle_queue_arns
  dlq_arns           = module.webhook.dlq_arns
  queue_kms_key_arn  = var.queues.kms_key_arn
  batch = {
    size                               = var.scale_up.batch_size
    maximum_batching_window_in_seconds = var.scale_up.maximum_batching_window_in_seconds
    maximum_concurrency                = var.scale_up.maximum_concurrency
  }

  github_parameter_arns = [module.github_app.parameters.id.arn, module.github_app.parameters.key_base64.arn]
  runner_config_path    = local.runner_config_path
  ssm_kms_key_arns      = local.ssm_kms_key_arns
  launch_template_arns  = [for p in module.runner_pool : p.launch_template_arn]
  ami_parameter_names   = compact([for p in module.runner_pool : p.ami_parameter_name])
  key_pair_names        = compact([for p in module.runner_pool : p.key_pair_name])
  ebs_kms_key_arns      = compact([for p in module.runner_pool : p.ebs_kms_key_arn])
  runner_role_arns      = [for p in module.runner_pool : p.role_arn]
  warm_pools            = anytrue([for p in values(var.runner_pools) : length(coalesce(p.pool_config, [])) > 0])
  spot_warnings         = anytrue([for p in values(var.runner_pools) : p.instance_target_capacity_type == "spot"])
  spot_rebalance        = anytrue([for p in values(var.runner_pools) : p.instance_target_capacity_type == "spot" && p.drain_on_rebalance == true])
  tags                  = local.tags
}

module "scale_down" {
  source = "./modules/scale-down"

  prefix              = var.prefix
  environment         = local.environment
  schedule_expression = var.scale_down.schedule_expression
  config_json         = module.lambda_config.scale_down_json
  zip                 = local.zips.scale_down
  lambda              = merge(local.lambda_common, { timeout = var.scale_down.timeout, memory_size = var.scale_down.memory_size })

  github_parameter_arns = [module.github_app.parameters.id.arn, module.github_app.parameters.key_base64.arn]
  runner_config_path    = local.runner_config_path
  lease_parameter_name  = local.lease_parameter
  queue_arns            = values(module.webhook.queue_arns) # job queues only: recycle requests are not demand
  ssm_kms_key_arns      = local.ssm_kms_key_arns
  tags                  = local.tags
}
