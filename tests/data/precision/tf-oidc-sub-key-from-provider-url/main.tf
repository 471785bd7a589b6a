provider "aws" {
  region = "eu-west-1"
}

resource "aws_iam_openid_connect_provider" "ci" {
  url            = "https://gitlab.example.org"
  client_id_list = ["https://gitlab.example.org"]
}

data "aws_iam_policy_document" "ci_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.ci.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${aws_iam_openid_connect_provider.ci.url}:sub"
      values   = ["project_path:platform/deployer:ref_type:branch:ref:main"]
    }
  }
}

resource "aws_iam_role" "ci_deployer" {
  name_prefix        = "ci-deployer"
  assume_role_policy = data.aws_iam_policy_document.ci_trust.json
}
