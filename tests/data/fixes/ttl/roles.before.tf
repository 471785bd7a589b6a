# Deployment roles and the Vault logins of the CI.
variable "ttl" {
  type    = number
  default = 86400
}

resource "aws_iam_role" "deploy" {
  name                 = "deploy"
  max_session_duration = 43200 # 12 h for the long migrations
  assume_role_policy   = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
  EOT
  tags = {
    owner   = "platform"
    expires = "2027-01-31"
  }
}

resource "vault_jwt_auth_backend_role" "ci" {
  backend         = "jwt"
  role_name       = "ci"
  role_type       = "jwt"
  bound_audiences = ["https://github.com/acme"]
  user_claim      = "sub"
  bound_claims    = { sub = "repo:acme/app:ref:refs/heads/main" }
  token_ttl       = "768h"   # 32 days
  token_max_ttl   = "86400"
  token_policies  = ["ci"]
}

resource "vault_approle_auth_backend_role" "app" {
  role_name      = "app"
  token_ttl      = var.ttl
  token_max_ttl  = 0 // no limit
  token_policies = ["app"]
}
