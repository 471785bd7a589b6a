data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "TrustEc2"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  statement {
    effect = "Deny"
    not_actions = [
      "iam:*",
      "organizations:*",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_policy" "app" {
  name   = "app-s3"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"]
    }
  ]
}
EOF
}

resource "aws_iam_policy" "indented" {
  name   = "kms"
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
      ]
    }
  POLICY
}

resource "aws_iam_policy" "templated" {
  name   = "bucket-${var.env}"
  policy = <<-EOT
    {
      "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "${aws_s3_bucket.data.arn}/*"}]
    }
  EOT
}
