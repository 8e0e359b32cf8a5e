# SHA-256 of each actions/runner Linux tarball the module can install, by version and
# architecture. User data downloads the tarball from GitHub's releases and refuses it unless it
# matches (modules/runner-pool/templates/user-data.sh.tftpl); a pool whose runner_version has no
# checksum here or in var.runner_checksums is refused at plan time (runner_pools validation).
#
# Source: the SHA-256 lines of the actions/runner v2.329.0 release notes
# (https://github.com/actions/runner/releases/tag/v2.329.0), which GitHub's "New self-hosted runner"
# page repeats; copied identically in several independent public repositories. To add a version,
# take both lines from its release notes.
locals {
  pinned_runner_checksums = {
    "2.329.0" = {
      x64   = "194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d"
      arm64 = "56768348b3d643a6a29d4ad71e9bdae0dc0ef1eb01afe0f7a8ee097b039bfaaf"
    }
  }

  runner_checksums = merge(local.pinned_runner_checksums, var.runner_checksums)

  # What a pool on "latest" installs when the cache cannot serve it (not filled yet, unreachable):
  # the module's pinned release from GitHub, which the runner then updates itself from.
  fallback_runner_version = "2.329.0"

  runner_download_version = { for name, p in var.runner_pools :
    name => p.runner_version == "latest" ? local.fallback_runner_version : p.runner_version
  }
  runner_sha256 = { for name, p in var.runner_pools :
    name => try(local.runner_checksums[local.runner_download_version[name]][p.runner_architecture], null)
  }

  # What the runner-cache function keeps: the architectures of "latest" pools, and each pinned
  # (version, architecture) with its checksum.
  cache_latest_archs = sort(distinct([for p in values(var.runner_pools) : p.runner_architecture if p.runner_version == "latest" && p.image_profile != "prebuilt"]))
  cache_pinned = [for key in sort(distinct([for p in values(var.runner_pools) : "${p.runner_version}/${p.runner_architecture}" if p.runner_version != "latest" && p.image_profile != "prebuilt"])) : {
    version = split("/", key)[0]
    arch    = split("/", key)[1]
    sha256  = local.runner_checksums[split("/", key)[0]][split("/", key)[1]]
  }]
}

variable "runner_checksums" {
  description = "SHA-256 of further actions/runner Linux tarballs, by version: `{ \"2.330.0\" = { x64 = \"...\", arm64 = \"...\" } }` (from the release notes). The module pins its default version; user data refuses a tarball that does not match."
  type = map(object({
    x64   = optional(string)
    arm64 = optional(string)
  }))
  default = {}

  validation {
    condition = alltrue([for version, sums in var.runner_checksums : can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", version)) && alltrue([
      for sum in [sums.x64, sums.arm64] : sum == null || can(regex("^[0-9a-f]{64}$", coalesce(sum, "-")))
    ])])
    error_message = "runner_checksums maps a runner version (such as 2.330.0) to lowercase hex SHA-256 values for x64 and/or arm64, as the actions/runner release notes list them."
  }
}
