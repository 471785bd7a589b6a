"""NHI105 provider-static-credentials: A Terraform provider is configured with a static credential
instead of a federated identity."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import ProviderCredentials
from nhilint.findings import Finding, IdentityRef
from nhilint.rules import RuleContext, rule
from nhilint.rules._shared import provider_cause

# Terraform provider name -> platform of its remediation key (`<format>-<platform>`: `terraform-gcp`)
PROVIDER_PLATFORMS = {
    "google": "gcp",
    "google-beta": "gcp",
    "azurerm": "azure",
    "azuread": "azure",
    "helm": "kubernetes",
}


def _names(attributes: str) -> str:
    """`access_key and secret_key` -> "`access_key` and `secret_key`"."""
    return " and ".join(f"`{name}`" for name in attributes.split(" and "))


@rule("NHI105")
def provider_static_credentials(ctx: RuleContext) -> Iterator[Finding]:
    for cfg in ctx.of(ProviderCredentials):
        how = "a literal value" if cfg.literal else "a variable (the secret still lives outside any TTL)"
        yield ctx.finding(
            "NHI105",
            cfg.loc,
            f'provider "{cfg.provider}" authenticates with static {_names(cfg.attribute)} from {how}: '
            "let it use the runner's federated (OIDC) identity instead.",
            identity=IdentityRef("terraform provider", cfg.provider),
            fix=f"{ctx.format_of(cfg.loc)}-{PROVIDER_PLATFORMS.get(cfg.provider, cfg.provider)}",
            severity="error" if cfg.literal else "warning",
            cause=provider_cause(cfg.provider),
            clause=f'provider "{cfg.provider}" configured with static credentials',
        )
