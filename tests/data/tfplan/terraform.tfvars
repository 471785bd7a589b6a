environments = {
  staging = { branch = "ref:refs/heads/develop", admin = false }
  prod    = { branch = "ref:refs/heads/main", admin = true }
}

ops_policy_arns = [
  "arn:aws:iam::aws:policy/AdministratorAccess",
]
