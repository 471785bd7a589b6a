provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { repository = "contact-centre" }
  }
}

resource "aws_iam_role" "stream_delivery" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "firehose.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}
