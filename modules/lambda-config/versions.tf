# A pure module: no providers, no resources. It only renders JSON, so it can be applied
# offline (the config contract test in lambdas/test/terraform does exactly that).
terraform {
  required_version = ">= 1.7"
}
