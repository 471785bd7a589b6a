variable "role_name" {
  type = string
}

variable "github_repo" {
  type = string
}

variable "github_branch" {
  type    = string
  default = "refs/heads/main"
}

variable "use_wildcard" {
  type    = bool
  default = false
}

data "aws_caller_identity" "current" {}

locals {
  subject = format("repo:%s:ref:%s", var.github_repo, var.github_branch)
}

resource "aws_iam_role" "this" {
  name = var.role_name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = var.use_wildcard ? {
        StringLike   = { "token.actions.githubusercontent.com:sub" = local.subject }
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        } : {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = local.subject
        }
      }
    }]
  })
}
