# Names cannot collide (docs/terraform.md, "Names"): pool-level resources are named
# `<prefix>_<pool>[_<kind>]`, and neither the prefix nor a pool name may contain "_". Before, prefix
# "ghr" + pool "prod-x" and prefix "ghr-prod" + pool "x" both named their queue "ghr-prod-x", and
# pool "x-dlq"'s queue was pool "x"'s dead-letter queue.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0123456789abcdef0"]
  github_app_secrets = {
    id             = "123456"
    key_base64     = "LS0tLS1CRUdJTi0tLS0t"
    webhook_secret = "not-a-real-secret"
  }
  lambda_zips = {
    webhook      = { path = "tests/fixtures/lambda.zip" }
    scale_up     = { path = "tests/fixtures/lambda.zip" }
    scale_down   = { path = "tests/fixtures/lambda.zip" }
    runner_cache = { path = "tests/fixtures/lambda.zip" }
  }
}

run "names_prefix_ghr_pool_prod_x" {
  command = plan

  variables {
    prefix       = "ghr"
    runner_pools = { prod-x = { owner = "acme", runner_labels = ["l"] } }
  }

  assert {
    condition = (
      module.webhook.queue_names["prod-x"] == "ghr_prod-x" && module.webhook.dlq_names["prod-x"] == "ghr_prod-x_dlq" &&
      output.runner_pools["prod-x"].launch_template_name == "ghr_prod-x" && output.runner_pools["prod-x"].role_name == "ghr_prod-x_runner" &&
      contains(keys(output.alarm_arns), "ghr_prod-x_dlq-depth")
    )
    error_message = "Pool-level names must be <prefix>_<pool>[_<kind>]."
  }
}

run "names_prefix_ghr_prod_pool_x" {
  command = plan

  variables {
    prefix       = "ghr-prod"
    runner_pools = { x = { owner = "acme", runner_labels = ["l"] } }
  }

  assert {
    condition = (
      module.webhook.queue_names["x"] == "ghr-prod_x" && module.webhook.dlq_names["x"] == "ghr-prod_x_dlq" &&
      output.runner_pools["x"].launch_template_name == "ghr-prod_x" && output.runner_pools["x"].role_name == "ghr-prod_x_runner"
    )
    error_message = "Pool-level names must be <prefix>_<pool>[_<kind>]."
  }

  # The two deployments share no name: not a pool's, not a function's, not an alarm's.
  assert {
    condition = (
      output.runner_pools["x"].launch_template_name != run.names_prefix_ghr_pool_prod_x.runner_pools["prod-x"].launch_template_name &&
      output.runner_pools["x"].role_name != run.names_prefix_ghr_pool_prod_x.runner_pools["prod-x"].role_name &&
      output.webhook_function_name != run.names_prefix_ghr_pool_prod_x.webhook_function_name &&
      length(setintersection(keys(output.alarm_arns), keys(run.names_prefix_ghr_pool_prod_x.alarm_arns))) == 0
    )
    error_message = "Prefix ghr + pool prod-x and prefix ghr-prod + pool x must not share any resource name."
  }
}

run "names_pool_and_its_dlq_lookalike" {
  command = plan

  variables {
    prefix = "ghr"
    runner_pools = {
      x     = { owner = "acme", runner_labels = ["x"] }
      x-dlq = { owner = "acme", runner_labels = ["x-dlq"] }
    }
  }

  assert {
    condition     = length(toset(concat(values(module.webhook.queue_names), values(module.webhook.dlq_names)))) == 4
    error_message = "Pool x-dlq's queue must not be pool x's dead-letter queue."
  }
}

# A reusable pool's recycle queue is `<prefix>_<pool>_recycle`; a pool named `x-recycle` has the
# queue `<prefix>_x-recycle` ("-", not "_"), so it is never pool x's recycle queue.
run "names_pool_and_its_recycle_lookalike" {
  command = plan

  variables {
    prefix = "ghr"
    runner_pools = {
      x         = { owner = "acme", runner_labels = ["x"], enable_ephemeral_runners = false }
      x-recycle = { owner = "acme", runner_labels = ["x-recycle"], enable_ephemeral_runners = false }
    }
  }

  assert {
    condition = (
      module.webhook.recycle_queue_names["x"] == "ghr_x_recycle" && module.webhook.queue_names["x-recycle"] == "ghr_x-recycle" &&
      length(toset(concat(values(module.webhook.queue_names), values(module.webhook.dlq_names), values(module.webhook.recycle_queue_names)))) == 6
    )
    error_message = "Pool x-recycle's queue must not be pool x's recycle queue: six pools' queues, six names."
  }
}

# The longest names the validations allow (prefix 32, pool 24 characters) stay within SQS's 80
# characters; the longest is a reusable pool's recycle queue, 32 + 1 + 24 + 8 = 65.
run "names_longest_fit_sqs" {
  command = plan

  variables {
    prefix       = "p2345678901234567890123456789012"
    runner_pools = { q23456789012345678901234 = { owner = "acme", runner_labels = ["l"], enable_ephemeral_runners = false } }
  }

  assert {
    condition = (
      length(module.webhook.recycle_queue_names["q23456789012345678901234"]) == 65 &&
      alltrue([for n in concat(values(module.webhook.queue_names), values(module.webhook.dlq_names), values(module.webhook.recycle_queue_names)) : length(n) <= 80])
    )
    error_message = "Every queue name must fit SQS's 80 characters at the longest prefix and pool name."
  }
}

run "rejects_separator_in_prefix_and_pool" {
  command = plan

  variables {
    prefix       = "ghr_prod"
    runner_pools = { x_y = { owner = "acme", runner_labels = ["l"] } }
  }

  expect_failures = [var.prefix, var.runner_pools]
}
