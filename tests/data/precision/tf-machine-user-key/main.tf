resource "aws_iam_user" "broker" {
  name = "storage-broker"
  tags = { owner = "platform" }
}

resource "aws_iam_access_key" "broker" {
  user = aws_iam_user.broker.name
}
