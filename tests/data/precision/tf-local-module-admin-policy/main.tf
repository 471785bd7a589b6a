provider "aws" {
  region = "us-west-2"
}

module "deployer_role" {
  source      = "./modules/gha-role"
  role_name   = "gha-deployer"
  github_repo = "example-org/website"
  policy_arns = [
    "arn:aws:iam::aws:policy/AdministratorAccess"
  ]
}
