resource "aws_iam_user" "ci" {
  name = "ci-bot"
}

resource "aws_iam_access_key" "ci" {
  user = "ci-bot
  status = "Active"
}

resource "aws_iam_user" "later" {
  name = "later"
}
