provider "aws" {
  region = "us-west-2"
}

module "site_deployer" {
  source        = "./modules/gha-role"
  role_name     = "gha-site-deployer"
  github_repo   = "example-org/site"
  github_branch = "refs/heads/*"
  use_wildcard  = true
}
