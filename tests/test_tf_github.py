"""Terraform GitHub provider: plain-text Actions secrets and a static provider token."""

from __future__ import annotations


def _lines(result, rule_id: str) -> list[int]:
    return sorted(f.loc.line for f in result.findings if f.rule_id == rule_id)


def test_plaintext_secrets_and_provider_token(scan) -> None:
    result = scan(
        {
            "main.tf": """
provider "github" {
  owner = "acme"
  token = var.github_token
}

resource "github_actions_secret" "deploy" {
  repository      = "api"
  secret_name     = "DEPLOY_TOKEN"
  plaintext_value = "q8Zt3vN1xK7mB2wR9pL4sD6fH0jY5cVa"
}

resource "github_actions_environment_secret" "webhook" {
  repository      = "api"
  environment     = "production"
  secret_name     = "SLACK_WEBHOOK"
  plaintext_value = "Vb7nQ2xL9kT4mW8rZ1pS6dF3hJ0yC5gA"
}

resource "github_actions_secret" "placeholder" {
  repository      = "api"
  secret_name     = "API_KEY"
  plaintext_value = "changeme"
}

resource "github_actions_secret" "encrypted" {
  repository      = "api"
  secret_name     = "NPM_TOKEN"
  encrypted_value = var.npm_token_encrypted
}
"""
        }
    )
    assert _lines(result, "NHI105") == [4]
    # a secret is a secret whatever its name; placeholders and encrypted values are not findings
    assert _lines(result, "NHI101") == [10, 17]
    assert all("q8Zt3vN1" not in f.message and "Vb7nQ2x" not in f.message for f in result.findings)
