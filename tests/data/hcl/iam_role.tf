# IAM role assumed by GitHub Actions through OIDC, with an inline jsonencode policy.
resource "aws_iam_role" "deploy" {
  name                 = "github-deploy-${var.env}"
  max_session_duration = 3600
  path                 = "/ci/"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Federated = aws_iam_openid_connect_provider.github.arn
        }
        Action = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringLike = {
            "token.actions.githubusercontent.com:sub" = "repo:acme/infra:*"
          }
        }
      },
    ]
  })

  tags = merge(local.common_tags, {
    Owner = "platform-team"
  })
}

resource "aws_iam_role_policy" "deploy" {
  name = "deploy-inline"
  role = aws_iam_role.deploy.id // trailing comment

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "Everything"
      Effect   = "Allow"
      Action   = ["s3:*", "iam:PassRole"]
      Resource = "*"
    }]
  })
}

/* Access key for a legacy integration.
   Rotated manually, see runbook. */
resource "aws_iam_access_key" "legacy" {
  user    = aws_iam_user.legacy.name
  pgp_key = null
  status  = "Active"
}
