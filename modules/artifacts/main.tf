data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  # Content-addressed: a module upgrade uploads the new agent beside the old one, so an instance
  # launched from the previous launch template version still finds the agent its user data names.
  agent_sha256 = filesha256("${path.module}/../../agent/ghr-agent.sh")
  unit_sha256  = filesha256("${path.module}/../../agent/ghr-agent.service")
  agent_key    = "agent/${local.agent_sha256}/ghr-agent.sh"
  unit_key     = "agent/${local.unit_sha256}/ghr-agent.service"

  # Known at plan time (user data names it), unique per account and region; at most 32 + 1 + 12 +
  # 1 + 14 = 60 characters, within S3's 63.
  bucket_name = "${var.prefix}-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"
  bucket_arn  = "arn:${data.aws_partition.current.partition}:s3:::${local.bucket_name}"
}

# What runner instances fetch at boot: the agent, its unit and (with the cache) the actions/runner
# tarballs. Written only by Terraform (agent/) and the runner-cache function (runners/); runner
# instances may only read (modules/runner-pool/iam.tf), so nothing a job can write reaches another
# instance (docs/threat-model.md).
resource "aws_s3_bucket" "this" {
  bucket = local.bucket_name
  # Everything in it is rebuilt from the module and GitHub: destroying the fleet removes it.
  force_destroy = true
  tags          = merge(var.tags, { Name = "${var.prefix}-artifacts" })
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# SSE-S3: public software, nothing secret; a customer key would need a grant for every runner role.
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json
  # S3 refuses a policy while the public access block is being written.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_object" "agent" {
  bucket        = aws_s3_bucket.this.id
  key           = local.agent_key
  source        = "${path.module}/../../agent/ghr-agent.sh"
  source_hash   = local.agent_sha256
  content_type  = "text/x-shellscript"
  tags          = var.tags
  force_destroy = true
}

resource "aws_s3_object" "unit" {
  bucket        = aws_s3_bucket.this.id
  key           = local.unit_key
  source        = "${path.module}/../../agent/ghr-agent.service"
  source_hash   = local.unit_sha256
  content_type  = "text/plain"
  tags          = var.tags
  force_destroy = true
}
