# The runner pools and their instances' logs (kept apart from variables.tf: the largest inputs, with one validation per rule).

variable "runner_pools" {
  description = "Runner pools keyed by pool name (1-24 lowercase letters, digits, dashes). Each pool gets its own job queue (and, if reusable, recycle queue), launch template, role and security group. Jobs must target a pool by one of its `runner_labels`. `instance_types` default to m7i/m6i/m5.large (x64) or m7g/m6g.large (arm64). `image_profile`: al2023 (default), ubuntu (apt, Docker from Ubuntu's archive, the AWS CLI snap; default AMI Canonical's 24.04, root device /dev/sda1, user `ubuntu`) or prebuilt (your AMI, which must hold actions/runner in /opt/actions-runner and the AWS CLI; user data installs nothing). The root volume: `root_device_name` must be the AMI's root device (default: the profile's, /dev/xvda or /dev/sda1), `volume_type` gp2/gp3/io1/io2 with optional `volume_iops` and (gp3) `volume_throughput`, always encrypted, with `ebs_kms_key_arn` when the key is customer-managed (set it to your account's default EBS key if EBS encryption by default uses one: scale-up is granted exactly that key). Scale-up is also allowed the pool's `resolve:ssm:` AMI parameter and `key_name`, which every launch needs. User data installs git and Docker (the runner user in the `docker` group) unless `install_git` or `install_docker` is false. Launch template: `metadata_hop_limit` (IMDSv2 only; 1 keeps containers from the instance's credentials), `security_group_ids` added to the pool's own egress-only group, `associate_public_ip_address` for subnets without a NAT, `enable_detailed_monitoring` (1-minute CloudWatch metrics, billed). `instance_allocation_strategy`: the spot allocation strategy (default price-capacity-optimized). `runner_ec2_tags`: tags for the pool's instances only. `userdata_template`: the path of your own user-data template, which replaces the module's whole (docs/terraform.md, \"Your own user data\"). `pool_config` is upstream's warm pool: while a rule's `schedule_expression` (EventBridge `cron(...)`/`rate(...)`, or an idle_config-style cron) matches the minute in its `schedule_expression_timezone`, scale-up keeps `size` runners ready for jobs (launching what is missing once a minute) and scale-down keeps them idle; outside it, they retire like any idle runner. `rerun_jobs_lost_to_spot`: when EC2 reclaims a spot instance under a job, ask GitHub to re-run that job (the GitHub App needs Actions: read and write; a re-run repeats the job's side effects, so it is off by default: unset means false); the re-run launches on-demand when `enable_on_demand_fallback` allows. `drain_on_rebalance`: at EC2's rebalance recommendation, quarantine the spot runner (a running job runs on), replace it in a warm pool and retire it once idle (off by default: recommendations often come without an interruption, and each drain costs a boot). `matcherConfig` is upstream's: `labelMatchers` (default: the runner's labels), `exactMatch` (every job label in one matcher; default: one shared label), `priority` (0-999, default 999; among pools that fit, exactMatch pools first, then the lowest priority, then the name); a job is never routed to a pool whose runners lack one of its labels, and never on default labels alone."
  type = map(object({
    owner                           = string
    enable_organization_runners     = optional(bool, true)
    runner_labels                   = list(string)
    enable_ephemeral_runners        = optional(bool, true)
    runner_group_id                 = optional(number)
    runners_maximum_count           = optional(number, 10)
    idle_config                     = optional(list(object({ cron = string, timeZone = optional(string), idleCount = number, evictionStrategy = optional(string) })))
    pool_config                     = optional(list(object({ schedule_expression = string, schedule_expression_timezone = optional(string), size = number })))
    rerun_jobs_lost_to_spot         = optional(bool)
    drain_on_rebalance              = optional(bool)
    minimum_running_time_in_minutes = optional(number)
    runner_boot_time_in_minutes     = optional(number)
    max_job_duration_in_minutes     = optional(number)
    maximum_lifetime_in_hours       = optional(number)
    instance_types                  = optional(list(string))
    instance_target_capacity_type   = optional(string, "spot")
    enable_on_demand_fallback       = optional(bool)
    instance_allocation_strategy    = optional(string)
    runner_ec2_tags                 = optional(map(string), {})
    subnet_ids                      = optional(list(string))
    runner_architecture             = optional(string, "x64")
    ami_id                          = optional(string)
    ami_ssm_parameter_name          = optional(string)
    volume_size_in_gb               = optional(number, 30)
    image_profile                   = optional(string, "al2023")
    root_device_name                = optional(string)
    volume_type                     = optional(string, "gp3")
    volume_iops                     = optional(number)
    volume_throughput               = optional(number)
    ebs_kms_key_arn                 = optional(string)
    install_docker                  = optional(bool, true)
    install_git                     = optional(bool, true)
    runner_version                  = optional(string, "latest")
    runner_run_as                   = optional(string)
    enable_ssm_on_runners           = optional(bool, false)
    userdata_pre_install            = optional(string, "")
    userdata_post_install           = optional(string, "")
    key_name                        = optional(string)
    metadata_hop_limit              = optional(number, 1)
    security_group_ids              = optional(list(string), [])
    associate_public_ip_address     = optional(bool, false)
    enable_detailed_monitoring      = optional(bool, false)
    userdata_template               = optional(string)
    matcherConfig = optional(object({
      labelMatchers = optional(list(list(string)))
      exactMatch    = optional(bool)
      priority      = optional(number)
    }))
  }))

  # No "_" in a pool name either: `_` separates prefix, pool and kind in pool-level names.
  validation {
    condition     = length(var.runner_pools) > 0 && alltrue([for name in keys(var.runner_pools) : can(regex("^[a-z0-9-]{1,24}$", name))])
    error_message = "runner_pools needs at least one pool; pool names are 1-24 lowercase letters, digits and dashes (no \"_\", the separator of `<prefix>_<pool>_runner`), so role names fit IAM's 64 characters."
  }

  validation {
    condition = alltrue([for p in values(var.runner_pools) : p.enable_organization_runners ?
      can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}$", p.owner)) :
    can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", p.owner))])
    error_message = "A pool's owner is an organization name when enable_organization_runners is true, and \"owner/repo\" when it is false."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : length(p.runner_labels) > 0 && alltrue([for l in p.runner_labels : can(regex("^[^,\\s]{1,100}$", l)) && !contains(["self-hosted", "linux", "x64", "arm64"], lower(l))])])
    error_message = "Each pool needs at least one custom runner label (1-100 characters, no spaces or commas, not a default label such as self-hosted): quarantine removes custom labels, so jobs must target pools by one."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.userdata_template == null || try(fileexists(p.userdata_template), false)])
    error_message = "userdata_template must be the path of a template file that exists, such as \"$${path.module}/user-data.sh.tftpl\" (a relative path is read from the directory terraform runs in)."
  }

  # A matcher label the runners do not carry routes jobs to runners GitHub never assigns them to.
  validation {
    condition = alltrue([for p in values(var.runner_pools) : p.matcherConfig == null || try(
      (p.matcherConfig.priority == null || try(p.matcherConfig.priority >= local.limits["pools.*.priority"].min && p.matcherConfig.priority <= local.limits["pools.*.priority"].max && floor(p.matcherConfig.priority) == p.matcherConfig.priority, false)) &&
      (p.matcherConfig.labelMatchers == null || try(length(p.matcherConfig.labelMatchers) > 0 && alltrue([for m in p.matcherConfig.labelMatchers : length(m) > 0 && alltrue([for l in m : contains(concat(["self-hosted", "linux", p.runner_architecture], [for r in p.runner_labels : lower(r)]), lower(l))])]), false))
    , false)])
    error_message = "matcherConfig: priority is a whole number from ${local.limits["pools.*.priority"].min} to ${local.limits["pools.*.priority"].max} (lower wins), and every label of labelMatchers must be one the pool's runners carry (self-hosted, linux, the pool's runner_architecture, or one of its runner_labels): GitHub gives a job only to a runner with every label it asks for."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.runners_maximum_count >= local.limits["pools.*.maxRunners"].min && p.runners_maximum_count <= local.limits["pools.*.maxRunners"].max && floor(p.runners_maximum_count) == p.runners_maximum_count])
    error_message = "runners_maximum_count must be a whole number from ${local.limits["pools.*.maxRunners"].min} to ${local.limits["pools.*.maxRunners"].max}. Upstream's -1 (no limit) has no equivalent: set the most instances of this pool you will pay for."
  }

  validation {
    condition = alltrue([for p in values(var.runner_pools) : (
      (p.minimum_running_time_in_minutes == null || try(p.minimum_running_time_in_minutes >= local.limits["pools.*.minimumRunningTimeMinutes"].min && p.minimum_running_time_in_minutes <= local.limits["pools.*.minimumRunningTimeMinutes"].max, false)) &&
      (p.runner_boot_time_in_minutes == null || try(p.runner_boot_time_in_minutes >= local.limits["pools.*.bootTimeoutMinutes"].min && p.runner_boot_time_in_minutes <= local.limits["pools.*.bootTimeoutMinutes"].max, false)) &&
      (p.max_job_duration_in_minutes == null || try(p.max_job_duration_in_minutes >= local.limits["pools.*.maxJobDurationMinutes"].min && p.max_job_duration_in_minutes <= local.limits["pools.*.maxJobDurationMinutes"].max, false)) &&
      (p.runner_group_id == null || try(p.runner_group_id >= 1 && floor(p.runner_group_id) == p.runner_group_id, false))
    )])
    error_message = "minimum_running_time_in_minutes must be ${local.limits["pools.*.minimumRunningTimeMinutes"].min}-${local.limits["pools.*.minimumRunningTimeMinutes"].max}, runner_boot_time_in_minutes ${local.limits["pools.*.bootTimeoutMinutes"].min}-${local.limits["pools.*.bootTimeoutMinutes"].max}, max_job_duration_in_minutes ${local.limits["pools.*.maxJobDurationMinutes"].min}-${local.limits["pools.*.maxJobDurationMinutes"].max} (GitHub's job limit is 5 days), runner_group_id a positive whole number."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.maximum_lifetime_in_hours == null || try(p.maximum_lifetime_in_hours >= local.limits["pools.*.maximumLifetimeHours"].min && p.maximum_lifetime_in_hours <= local.limits["pools.*.maximumLifetimeHours"].max && floor(p.maximum_lifetime_in_hours) == p.maximum_lifetime_in_hours, false)])
    error_message = "maximum_lifetime_in_hours must be a whole number ${local.limits["pools.*.maximumLifetimeHours"].min}-${local.limits["pools.*.maximumLifetimeHours"].max}: the hard bound on an instance's life, which nothing a job writes can extend (docs/threat-model.md)."
  }

  validation {
    condition = alltrue(flatten([for p in values(var.runner_pools) : [for r in coalesce(p.idle_config, []) : (
      contains([5, 6], length(regexall("[^ ]+", r.cron))) && r.idleCount >= 0 && floor(r.idleCount) == r.idleCount &&
      (r.evictionStrategy == null || contains(local.limits["pools.*.idleConfig[].evictionStrategy"].values, coalesce(r.evictionStrategy, "oldest_first")))
    )]]))
    error_message = "idle_config entries need a five-field cron (minute hour day month weekday) or upstream's six-field form (seconds first, read per minute), a whole idleCount >= 0, and evictionStrategy oldest_first or newest_first."
  }

  validation {
    condition = alltrue(flatten([for p in values(var.runner_pools) : [for r in coalesce(p.pool_config, []) : (
      (contains([5, 6], length(regexall("[^ ]+", r.schedule_expression))) || can(regex("^(cron|rate)\\(.+\\)$", r.schedule_expression))) &&
      r.size >= 0 && r.size <= p.runners_maximum_count && floor(r.size) == r.size
    )]]))
    error_message = "pool_config entries (warm pools) need a schedule_expression — upstream's EventBridge cron(...) or rate(...), or a five- or six-field cron like idle_config's — and a whole size from 0 to the pool's runners_maximum_count. While the schedule matches the minute, scale-up keeps that many runners ready and scale-down keeps them idle."
  }

  # Upstream's EventBridge cron(...) is read per minute (lambdas/src/config/cron.ts); what that
  # reading cannot express is refused here rather than at the Lambdas' cold start.
  validation {
    condition = alltrue(flatten([for p in values(var.runner_pools) : [for r in coalesce(p.pool_config, []) : (
      !startswith(r.schedule_expression, "cron(") || try(
        length(regexall("[^ ]+", trimsuffix(trimprefix(r.schedule_expression, "cron("), ")"))) == 6 &&
        regexall("[^ ]+", trimsuffix(trimprefix(r.schedule_expression, "cron("), ")"))[5] == "*" &&
        length(regexall("(?i)[LW#]", replace(join(" ", [
          regexall("[^ ]+", trimsuffix(trimprefix(r.schedule_expression, "cron("), ")"))[2],
          regexall("[^ ]+", trimsuffix(trimprefix(r.schedule_expression, "cron("), ")"))[4],
        ]), "/(?i)(SUN|MON|TUE|WED|THU|FRI|SAT)/", ""))) == 0
      , false)
    )]]))
    error_message = "pool_config: an EventBridge cron(...) needs six fields (minutes hours day month weekday year) with year *, and no L, W or # in the day or weekday field (list the days instead)."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : contains(["spot", "on-demand"], p.instance_target_capacity_type) && (p.instance_types == null || try(length(p.instance_types) > 0, false))])
    error_message = "instance_target_capacity_type must be spot or on-demand, and instance_types must list at least one type (several widen spot capacity)."
  }

  validation {
    condition     = alltrue(flatten([for p in values(var.runner_pools) : [for k, v in p.runner_ec2_tags : can(regex("^[A-Za-z0-9+=.,_:@-]{1,128}$", k)) && !startswith(lower(k), "aws:") && !startswith(k, "ghr:") && length(v) <= 256]]))
    error_message = "runner_ec2_tags keys may hold only letters, digits and + - = . , _ : @ (runners read their tags through instance metadata), must not start with aws: or ghr: (the module's own), and values are at most 256 characters."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.instance_allocation_strategy == null || contains(local.limits["pools.*.spotAllocationStrategy"].values, coalesce(p.instance_allocation_strategy, "-"))])
    error_message = "instance_allocation_strategy is a spot allocation strategy of EC2 Fleet: ${join(", ", local.limits["pools.*.spotAllocationStrategy"].values)} (default ${local.limits["pools.*.spotAllocationStrategy"].default})."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.subnet_ids == null || try(length(p.subnet_ids) > 0 && alltrue([for s in p.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))]), false)])
    error_message = "A pool's subnet_ids, when set, must list at least one subnet id (subnet-...)."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : contains(["x64", "arm64"], p.runner_architecture) && (p.runner_version == "latest" || can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", p.runner_version)))])
    error_message = "runner_architecture must be x64 or arm64 and runner_version \"latest\" or an actions/runner release such as 2.329.0 (no leading v)."
  }

  # "latest" is what the runner binary cache keeps current; without the cache a pool pins a release.
  validation {
    condition     = var.runner_binary_cache.enabled || alltrue([for p in values(var.runner_pools) : p.runner_version != "latest" || p.image_profile == "prebuilt"])
    error_message = "runner_version \"latest\" (the default) needs the runner binary cache (runner_binary_cache.enabled = true): set an exact release such as 2.329.0 on each pool, or enable the cache."
  }

  # User data installs only a tarball whose SHA-256 it knows (checksums.tf): a version without
  # one is refused here rather than at boot, where every instance would fail to register.
  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.runner_version == "latest" || try(local.runner_checksums[p.runner_version][p.runner_architecture] != null, false)])
    error_message = "Each pool's runner_version (other than \"latest\") needs a pinned SHA-256 for its runner_architecture: the module pins 2.329.0; add other versions with runner_checksums (both values from the actions/runner release notes)."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.volume_size_in_gb >= 8 && p.volume_size_in_gb <= 16384 && (p.runner_run_as == null || can(regex("^[a-z_][a-z0-9_-]{0,31}$", p.runner_run_as)))])
    error_message = "volume_size_in_gb must be 8-16384 and runner_run_as a Linux user name."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.root_device_name == null || can(regex("^/dev/[a-z0-9]{2,16}$", p.root_device_name))])
    error_message = "root_device_name must be the AMI's root device, such as /dev/xvda (Amazon Linux) or /dev/sda1 (Ubuntu): another name attaches an extra empty volume and leaves the root disk unresized."
  }

  validation {
    condition = alltrue([for p in values(var.runner_pools) : contains(["gp2", "gp3", "io1", "io2"], p.volume_type) && (
      p.volume_iops == null || try(contains(["gp3", "io1", "io2"], p.volume_type) && p.volume_iops >= 100 && floor(p.volume_iops) == p.volume_iops, false)) && (
    p.volume_throughput == null || try(p.volume_type == "gp3" && p.volume_throughput >= 125 && floor(p.volume_throughput) == p.volume_throughput, false))])
    error_message = "volume_type must be gp2, gp3, io1 or io2; volume_iops (a whole number >= 100) only for gp3, io1 and io2; volume_throughput (whole MiB/s >= 125) only for gp3. EC2 checks the upper limits of each type at launch."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.ebs_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", p.ebs_kms_key_arn))])
    error_message = "ebs_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias: scale-up is granted that key to create the encrypted root volume. Set it to your account's default EBS key when EBS encryption by default uses a customer-managed key."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.ami_ssm_parameter_name == null || try(can(regex("^/?[A-Za-z0-9_./-]+$", p.ami_ssm_parameter_name)) && length(p.ami_ssm_parameter_name) <= 1011, false)])
    error_message = "ami_ssm_parameter_name must be an SSM parameter name such as /aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id, not an ARN or a resolve:ssm: string."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.key_name == null || can(regex("^[\\x20-\\x7e]{1,255}$", p.key_name))])
    error_message = "key_name must be the name of an EC2 key pair (1-255 printable ASCII characters)."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : contains(["al2023", "ubuntu", "prebuilt"], p.image_profile) && (p.image_profile != "prebuilt" || p.ami_id != null || p.ami_ssm_parameter_name != null)])
    error_message = "image_profile must be al2023 (Amazon Linux 2023, the default), ubuntu (Canonical's Ubuntu 22.04 or 24.04) or prebuilt (your AMI with actions/runner in /opt/actions-runner and the AWS CLI; user data installs nothing); a prebuilt pool must name its AMI with ami_id or ami_ssm_parameter_name."
  }

  # Graviton families carry a "g" after their generation (m7g, c6gn, t4g, im4gn, is4gen), plus a1.
  validation {
    condition     = alltrue([for p in values(var.runner_pools) : alltrue([for t in coalesce(p.instance_types, []) : can(regex("^(a1|[a-z]+[0-9]+g[a-z0-9-]*)\\.", t)) == (p.runner_architecture == "arm64")])])
    error_message = "A pool's instance_types must match its runner_architecture: arm64 pools take Graviton types only (m7g.large, c7g.xlarge, t4g.medium, ...), x64 pools none of them (EC2 would launch an AMI of the other architecture and the runner would never start)."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : p.metadata_hop_limit >= 1 && p.metadata_hop_limit <= 64 && floor(p.metadata_hop_limit) == p.metadata_hop_limit])
    error_message = "metadata_hop_limit must be a whole number from 1 to 64. Keep 1 unless jobs run containers on a bridge network that need the runner role's credentials: 2 lets every container on the runner (service containers included) read them (docs/terraform.md, \"Instance metadata\")."
  }

  validation {
    condition     = alltrue([for p in values(var.runner_pools) : length(p.security_group_ids) <= 4 && alltrue([for g in p.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", g))])])
    error_message = "security_group_ids lists at most 4 security group ids (sg-...), added to the pool's own egress-only group (EC2 allows 5 per network interface)."
  }
}

variable "runner_logs" {
  description = "Instance logs in CloudWatch (upstream: enable_cloudwatch_agent, on by default too): each pool gets a log group `/github-runners/<prefix>_<pool>` with a stream per instance and file (`<instance-id>/user-data`, `/agent`, `/runner`, `/runner-diag`), written by the CloudWatch agent that user data installs (al2023: dnf; ubuntu: AWS's package; prebuilt: used when the image has it). `retention_in_days` as CloudWatch Logs accepts it; `kms_key_arn` a key whose policy lets CloudWatch Logs use it. Best effort: a boot never fails for its logs."
  type = object({
    enabled           = optional(bool, true)
    retention_in_days = optional(number, 30)
    kms_key_arn       = optional(string)
  })
  default = {}

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.runner_logs.retention_in_days) && (var.runner_logs.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", coalesce(var.runner_logs.kms_key_arn, "-"))))
    error_message = "runner_logs.retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ... 3653), and kms_key_arn a KMS key ARN."
  }
}
