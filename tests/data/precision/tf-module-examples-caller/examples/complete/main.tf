provider "aws" {
  region = "eu-west-1"
}

module "worker_role" {
  source = "../../modules/worker-role"
  name   = "example-worker"
}
