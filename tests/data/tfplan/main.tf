terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }

  backend "s3" {
    bucket = "acme-tfstate"
    key    = "platform/ci.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      owner   = "platform"
      expires = "2027-06-30"
    }
  }
}

# One deploy role per environment, trusted by GitHub Actions OIDC.
module "ci" {
  source       = "./modules/ci"
  environments = var.environments
  github_repo  = "acme/web"
}

# The registry module: its resources are not in this repository.
module "ops_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  version = "5.39.0"

  create_role             = true
  role_name               = "ops-automation"
  role_requires_mfa       = false
  trusted_role_services   = ["ec2.amazonaws.com"]
  custom_role_policy_arns = var.ops_policy_arns
}

resource "aws_iam_user" "reporting" {
  name = "reporting-bot"
}

resource "aws_iam_access_key" "reporting" {
  user = aws_iam_user.reporting.name
}

resource "aws_iam_user_policy" "reporting" {
  name = "read-reports"
  user = aws_iam_user.reporting.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::acme-reports", "arn:aws:s3:::acme-reports/*"]
    }]
  })
}

resource "aws_lambda_function" "notifier" {
  function_name = "deploy-notifier"
  role          = module.ci.deploy_role_arns["staging"]
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "notifier.zip"

  environment {
    variables = {
      SLACK_TOKEN = var.slack_token
    }
  }
}

resource "aws_iam_user" "ops_viewer" {
  name = "ops-viewer"
}
