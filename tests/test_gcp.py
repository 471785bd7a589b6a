"""Terraform Google provider: service accounts, keys, IAM grants, WIF providers and workloads."""

from __future__ import annotations

from nhilint.config import Config

TEN_YEARS = Config(max_identity_lifetime_days=3650)

SA = """
resource "google_service_account" "api" {
  account_id  = "api"
  description = "Serves the API. owner: platform-team expires: 2035-01-01"
}
"""


def _lines(result, rule_id: str) -> list[int]:
    return sorted(f.loc.line for f in result.unfolded if f.rule_id == rule_id)  # folded ones too


def _messages(result, rule_id: str) -> list[str]:
    return [f.message for f in result.findings if f.rule_id == rule_id]


def test_description_convention_gives_owner_and_expiry(scan) -> None:
    result = scan(
        {"main.tf": SA + 'resource "google_service_account" "bare" {\n  account_id = "bare"\n}\n'}, TEN_YEARS
    )
    assert _lines(result, "NHI301") == [6]
    assert _lines(result, "NHI302") == [6]


def test_key_and_admin_grants_at_every_level(scan) -> None:
    result = scan(
        {
            "main.tf": SA
            + """
resource "google_service_account_key" "api" {
  service_account_id = google_service_account.api.name
}

resource "google_project_iam_member" "api" {
  project = "acme"
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.api.email}"
}

resource "google_folder_iam_binding" "api" {
  folder  = "folders/1"
  role    = "roles/iam.serviceAccountTokenCreator"
  members = ["serviceAccount:api@acme.iam.gserviceaccount.com", "user:jane@acme.com"]
}

data "google_iam_policy" "org" {
  binding {
    role    = "roles/owner"
    members = ["serviceAccount:${google_service_account.api.email}"]
  }
  binding {
    role    = "roles/viewer"
    members = ["serviceAccount:${google_service_account.api.email}"]
  }
}

resource "google_organization_iam_policy" "org" {
  org_id      = "1"
  policy_data = data.google_iam_policy.org.policy_data
}

resource "google_project_iam_member" "human" {
  project = "acme"
  role    = "roles/owner"
  member  = "user:jane@acme.com"
}
"""
        }
    )
    assert _lines(result, "NHI102") == [7]
    assert "for api" in _messages(result, "NHI102")[0]
    assert _lines(result, "NHI204") == [13, 19, 25]  # the role lines; the person and roles/viewer are not
    assert all(m.startswith("api is granted") for m in _messages(result, "NHI204"))


def test_wif_provider_conditions(scan) -> None:
    def provider(name: str, condition: str) -> str:
        return f"""
resource "google_iam_workload_identity_pool_provider" "{name}" {{
  workload_identity_pool_id          = "github"
  workload_identity_pool_provider_id = "{name}"
  {condition}
  oidc {{
    issuer_uri = "https://token.actions.githubusercontent.com"
  }}
}}
"""

    result = scan(
        {
            "main.tf": provider("none", "")
            + provider("owner", "attribute_condition = \"assertion.repository_owner == 'acme'\"")
            + provider("two", "attribute_condition = \"assertion.repository in ['acme/a', 'acme/b']\"")
            + provider(
                "pinned", "attribute_condition = \"assertion.sub == 'repo:acme/a:ref:refs/heads/main'\""
            )
            + provider("variable", "attribute_condition = var.condition")
        }
    )
    assert _lines(result, "NHI205") == [2, 14, 23]  # header when absent, else the condition line
    assert "admits 2 repositories (acme/a, acme/b)" in _messages(result, "NHI205")[2]


def test_default_and_shared_service_accounts(scan) -> None:
    result = scan(
        {
            "main.tf": SA
            + """
resource "google_compute_instance" "batch" {
  name = "batch"
  service_account {
    email  = "123-compute@developer.gserviceaccount.com"
    scopes = ["cloud-platform"]
  }
}

resource "google_container_node_pool" "pool" {
  name = "pool"
  node_config {
    machine_type = "e2-medium"
  }
}

resource "google_cloud_run_v2_service" "api" {
  name = "api"
  template {
    service_account = google_service_account.api.email
    containers {
      image = "api"
      env {
        name  = "DB_PASSWORD"
        value = "Zx9-long-plain-pw"
      }
    }
  }
}

resource "google_cloudfunctions2_function" "hook" {
  name = "hook"
  service_config {
    service_account_email = "api@acme.iam.gserviceaccount.com"
  }
}

resource "google_cloudfunctions_function" "legacy" {
  name = "legacy"
  environment_variables = {
    API_TOKEN = "plain-token-value-1"
  }
}

resource "google_container_cluster" "gke" {
  name                     = "gke"
  remove_default_node_pool = true
}

resource "google_container_node_pool" "dynamic" {
  name = "dynamic"
  dynamic "node_config" {
    for_each = var.configs
    content {
      service_account = node_config.value.sa
    }
  }
}
"""
        }
    )
    assert _lines(result, "NHI401") == [10, 17, 43]  # the email line, the node_config header, the resource
    assert _lines(result, "NHI402") == [2]  # declared SA: reference and literal email group together
    shared = next(f for f in result.findings if f.rule_id == "NHI402")
    assert sorted(r.loc.line for r in shared.related) == [25, 39]
    assert _lines(result, "NHI106") == [46]
    assert _lines(result, "NHI101") == [30]  # keyed by DB_PASSWORD, not `value`


def test_provider_credentials_literal_variable_and_ambient(scan) -> None:
    result = scan(
        {
            "main.tf": """
provider "google" {
  credentials = file(var.key_path)
}

provider "google-beta" {
  access_token = data.google_client_config.default.access_token
}
"""
        }
    )
    assert _lines(result, "NHI105") == [3]
    finding = next(f for f in result.findings if f.rule_id == "NHI105")
    assert finding.severity == "warning"
    assert 'provider "google"' in (finding.suggestion.snippet or "")  # the terraform-gcp remediation
