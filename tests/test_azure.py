"""Terraform azuread/azurerm: applications, managed identities, secrets, role assignments, federation."""

from __future__ import annotations

from nhilint.config import Config

TEN_YEARS = Config(max_identity_lifetime_days=3650)

MAIN = """
provider "azurerm" {
  features {}
  client_secret = var.client_secret
}

data "azurerm_subscription" "current" {}

resource "azuread_application" "deployer" {
  display_name = "deployer"
  tags         = ["expires:2035-01-01"]
}

resource "azuread_service_principal" "deployer" {
  client_id = azuread_application.deployer.client_id
}

resource "azuread_application_password" "deployer" {
  application_id = azuread_application.deployer.id
}

resource "azuread_service_principal_password" "deployer" {
  service_principal_id = azuread_service_principal.deployer.id
  end_date_relative    = "8760h"
}

resource "azurerm_role_assignment" "deployer" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Contributor"
  principal_id         = azuread_service_principal.deployer.object_id
}

resource "azurerm_user_assigned_identity" "api" {
  name                = "api"
  resource_group_name = "rg"
  location            = "westeurope"
  tags = {
    owner   = "payments-team"
    expires = "2035-01-01"
  }
}

resource "azurerm_role_assignment" "api_sub" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "Owner"
  principal_id         = azurerm_user_assigned_identity.api.principal_id
}

resource "azurerm_role_assignment" "api_rg" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/api"
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.api.principal_id
}

resource "azurerm_role_assignment" "someone" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "Owner"
  principal_id         = "11111111-1111-1111-1111-111111111111"
}

resource "azurerm_federated_identity_credential" "wild" {
  name                = "github"
  resource_group_name = "rg"
  parent_id           = azurerm_user_assigned_identity.api.id
  audience            = ["api://AzureADTokenExchange"]
  issuer              = "https://token.actions.githubusercontent.com"
  subject             = "repo:acme/*"
}

resource "azurerm_federated_identity_credential" "pinned" {
  name                = "github-main"
  resource_group_name = "rg"
  parent_id           = azurerm_user_assigned_identity.api.id
  audience            = ["api://AzureADTokenExchange"]
  issuer              = "https://token.actions.githubusercontent.com"
  subject             = "repo:acme/api:environment:production"
}
"""


def _lines(result, rule_id: str) -> list[int]:
    return sorted(f.loc.line for f in result.findings if f.rule_id == rule_id)


def test_azure_identities_secrets_grants_and_federation(scan) -> None:
    result = scan({"main.tf": MAIN}, TEN_YEARS)
    assert _lines(result, "NHI105") == [4]
    assert _lines(result, "NHI301") == [11]  # the application's tags; the managed identity has an owner
    assert _lines(result, "NHI302") == []
    assert _lines(result, "NHI102") == [18, 22]
    # no end date: the provider's 2-year default (header); a 1-year relative end date (its line)
    assert _lines(result, "NHI303") == [18, 24]
    assert _lines(result, "NHI204") == [29, 45]  # subscription scope only; unknown principal ids are silent
    messages = [f.message for f in result.findings if f.rule_id == "NHI204"]
    assert messages[0].startswith("deployer is granted the built-in admin role Contributor at subscription")
    assert messages[1].startswith("api is granted the built-in admin role Owner")
    assert _lines(result, "NHI205") == [67]


def test_owners_count_as_owner(scan) -> None:
    result = scan(
        {
            "main.tf": """
resource "azuread_application" "app" {
  display_name = "app"
  owners       = [data.azuread_client_config.current.object_id]
  notes        = "expires: 2035-06-30"
}
"""
        },
        TEN_YEARS,
    )
    assert _lines(result, "NHI301") == []
    assert _lines(result, "NHI302") == []
