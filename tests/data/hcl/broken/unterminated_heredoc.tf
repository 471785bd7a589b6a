resource "aws_iam_role" "ok" {
  name = "ok"
}

resource "aws_iam_policy" "broken" {
  name   = "broken"
  policy = <<EOF
{
  "Version": "2012-10-17"
}
}
