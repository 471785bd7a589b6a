provider "aws" {
  region = "eu-west-1"
}

# The deploy role of the CI (see docs/deploy.md)
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
  EOT

  tags = {
    team          = "payments" # who pays for it
    "cost-center" = "cc-42"
    owner         = "@acme/payments"
    expires       = "{EXPIRES}"
  }
}

resource "aws_iam_user" "reporting" {
  name = "reporting"
  path = "/system/"
  tags = {
    owner   = "@acme/payments"
    expires = "{EXPIRES}"
  }
}

resource "aws_iam_role" "audit" {
    name = "audit"
    assume_role_policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
    })
    tags = {
      owner   = "@acme/payments"
      expires = "{EXPIRES}"
    }
}
