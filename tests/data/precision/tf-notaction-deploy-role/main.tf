resource "aws_iam_role" "pipeline_deploy" {
  name = "pipeline-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codebuild.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_policy" "pipeline_deploy" {
  name = "pipeline-deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        NotAction = ["iam:*", "organizations:*", "account:*"]
        Resource  = "*"
      },
      {
        Effect   = "Allow"
        Action   = ["iam:PassRole", "iam:AttachRolePolicy", "iam:PutRolePolicy"]
        Resource = "*"
      }
    ]
  })
}

resource "aws_iam_role_policy_attachment" "pipeline_deploy" {
  role       = aws_iam_role.pipeline_deploy.name
  policy_arn = aws_iam_policy.pipeline_deploy.arn
}
