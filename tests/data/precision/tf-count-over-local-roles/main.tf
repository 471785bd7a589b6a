provider "google" {
  project = "module-ci"
}

locals {
  ci_roles = [
    "roles/owner",
  ]
}

resource "google_service_account" "ci" {
  account_id   = "ci-runner"
  display_name = "ci runner"
  description  = "owner: platform-team"
}

resource "google_project_iam_member" "ci" {
  count   = length(local.ci_roles)
  project = "module-ci"
  role    = local.ci_roles[count.index]
  member  = "serviceAccount:${google_service_account.ci.email}"
}
