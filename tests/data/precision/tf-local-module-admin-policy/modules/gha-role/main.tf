variable "role_name" {
  type = string
}

variable "github_repo" {
  type = string
}

variable "policy_arns" {
  type    = list(string)
  default = []
}

data "aws_caller_identity" "current" {}

resource "aws_iam_role" "this" {
  name                = var.role_name
  managed_policy_arns = var.policy_arns
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:${var.github_repo}:ref:refs/heads/main"
        }
      }
    }]
  })
}
