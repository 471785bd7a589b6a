terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    google = {
      source = "hashicorp/google"
    }
  }

  backend "s3" {
    bucket = "acme-tf-state"
    key    = "infra/terraform.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Owner      = "platform"
      CostCenter = "1234"
    }
  }

  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/terraform"
    session_name = "terraform"
  }
}

provider "aws" {
  alias      = "legacy"
  region     = "us-east-1"
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}

provider "google" {
  project     = "acme-prod"
  credentials = file("${path.module}/sa-key.json")
}

module "ci_roles" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"
  version = "5.30.0"

  name     = "ci"
  subjects = ["acme/*"]
  policies = {
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
  }
  count = var.enabled ? 1 : 0
}

resource "google_service_account" "workers" {
  for_each     = toset(["etl", "reports"])
  account_id   = "worker-${each.key}"
  display_name = "Worker ${each.value}"
}

resource "google_project_iam_member" "workers" {
  for_each = google_service_account.workers
  project  = "acme-prod"
  role     = "roles/editor"
  member   = "serviceAccount:${each.value.email}"
}

resource "aws_security_group" "web" {
  name = "web"

  dynamic "ingress" {
    for_each = var.ingress_ports
    iterator = port
    content {
      from_port   = port.value
      to_port     = port.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }

  lifecycle {
    create_before_destroy = true
    ignore_changes        = [tags]
  }
}

output "role_arn" {
  value     = aws_iam_role.deploy.arn
  sensitive = true
}
