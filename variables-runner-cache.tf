# The runner binary cache and the artifact bucket it lives in (modules/artifacts).
variable "runner_binary_cache" {
  description = "The runner binary cache: a scheduled function keeps the actions/runner tarball of every version and architecture the pools use in the module's artifact bucket, verified against its SHA-256 (the module's pin, or GitHub's published one for `runner_version = \"latest\"`); instances download it from there (through the VPC's S3 gateway endpoint when it has one) and fall back to GitHub. `schedule_expression`: how often it checks GitHub (EventBridge Scheduler rate() or cron()); `timeout`/`memory_size` of the function (the tarball is held in memory). Off: every boot downloads from GitHub, and every pool must pin a release."
  type = object({
    enabled             = optional(bool, true)
    schedule_expression = optional(string, "rate(6 hours)")
    timeout             = optional(number, 300)
    memory_size         = optional(number, 1024)
  })
  default = {}

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.runner_binary_cache.schedule_expression))
    error_message = "runner_binary_cache.schedule_expression must be rate(N minutes|hours|days) or cron(...) as EventBridge Scheduler expects."
  }

  validation {
    condition     = var.runner_binary_cache.timeout >= 60 && var.runner_binary_cache.timeout <= 900 && var.runner_binary_cache.memory_size >= 512 && var.runner_binary_cache.memory_size <= 10240
    error_message = "runner_binary_cache.timeout is 60-900 seconds and memory_size 512-10240 MB (the tarball, over 100 MB, is held in memory while it is hashed and uploaded)."
  }
}
