resource "aws_iam_user" "pipeline" {
  name = "pipeline-runner"
}

resource "aws_iam_user_policy" "pipeline" {
  user = aws_iam_user.pipeline.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["dynamodb:*"]
      Resource = "*"
    }]
  })
}
