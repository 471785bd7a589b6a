"""Terraform Vault provider: role and token TTLs, JWT roles without bound claims, provider token."""

from __future__ import annotations

MAIN = """
provider "vault" {
  token = "hvs.CAESIJ2y7xQ0vYv1cLmT8kQeXr9uW3pZcA5bN6dE7fG8hI9j"
}

resource "vault_jwt_auth_backend" "gha" {
  path               = "jwt"
  oidc_discovery_url = "https://token.actions.githubusercontent.com"
  bound_issuer       = "https://token.actions.githubusercontent.com"
}

resource "vault_jwt_auth_backend_role" "open" {
  backend         = vault_jwt_auth_backend.gha.path
  role_name       = "open"
  role_type       = "jwt"
  user_claim      = "actor"
  bound_audiences = ["https://github.com/acme"]
  token_ttl       = 0
  token_max_ttl   = "24h"
}

resource "vault_jwt_auth_backend_role" "glob" {
  backend           = vault_jwt_auth_backend.gha.path
  role_name         = "glob"
  role_type         = "jwt"
  user_claim        = "actor"
  bound_claims_type = "glob"
  bound_claims = {
    sub = "repo:acme/*"
  }
  token_ttl = 900
}

resource "vault_jwt_auth_backend_role" "pinned" {
  backend    = vault_jwt_auth_backend.gha.path
  role_name  = "deploy"
  role_type  = "jwt"
  user_claim = "actor"
  bound_claims = {
    repository = "acme/api"
    ref        = "refs/heads/main"
  }
  token_ttl     = 900
  token_max_ttl = "1h"
}

resource "vault_jwt_auth_backend_role" "people" {
  backend   = vault_jwt_auth_backend.gha.path
  role_name = "people"
  role_type = "oidc"
}

resource "vault_approle_auth_backend_role" "ci" {
  role_name     = "ci"
  secret_id_ttl = 0
  token_ttl     = 600
}

resource "vault_token" "bootstrap" {
  policies = ["bootstrap"]
  ttl      = "768h"
}
"""


def _lines(result, rule_id: str) -> list[int]:
    return sorted(f.loc.line for f in result.unfolded if f.rule_id == rule_id)  # folded ones too


def test_vault_roles_tokens_and_provider(scan) -> None:
    result = scan({"main.tf": MAIN})
    assert _lines(result, "NHI105") == [3]
    assert _lines(result, "NHI101") == [3]
    assert _lines(result, "NHI205") == [12, 28]  # no claims (header); a glob sub (the bound_claims line)
    assert _lines(result, "NHI303") == [18, 19, 55, 61]
    messages = {f.loc.line: f.message for f in result.findings if f.rule_id == "NHI303"}
    assert "`token_ttl` of vault_jwt_auth_backend_role open is unbounded" in messages[18]
    assert "86400 s (1 d)" in messages[19]
    assert "2764800 s (32 d)" in messages[61]
