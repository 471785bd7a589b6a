provider "aws" {
  region = "eu-west-1"
}

resource "aws_iam_role" "app" {
  name = "app"

  inline_policy {
    name = "s3"
    policy = jsonencode({ Statement = [] })

}
