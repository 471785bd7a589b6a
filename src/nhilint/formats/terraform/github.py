"""Terraform GitHub provider: secrets written in plain text into the configuration (NHI101) and a
static provider token (NHI105).

`plaintext_value` is a secret by definition, so its literal is handed to NHI101 under the secret's
own name when that name says credential (`DEPLOY_TOKEN`), else under `secret_value`: either way
the credential heuristics apply, placeholders stay ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import Fact
from nhilint.formats.terraform.module import Module
from nhilint.formats.terraform.shared import keyed_string, provider_credentials
from nhilint.knowledge import credential_names

SECRET_TYPES = (
    "github_actions_secret",
    "github_actions_environment_secret",
    "github_actions_organization_secret",
    "github_dependabot_secret",
    "github_dependabot_organization_secret",
    "github_codespaces_secret",
    "github_codespaces_organization_secret",
)


def extract(module: Module) -> Iterator[Fact]:
    for resource in module.resources(*SECRET_TYPES):
        if not isinstance(resource.raw("plaintext_value"), str):
            continue
        name = resource.get("secret_name")
        key = name if isinstance(name, str) and credential_names.is_credential_name(name) else "secret_value"
        yield keyed_string(
            resource, resource.block, "plaintext_value", key, f"{resource.address}.plaintext_value"
        )
    yield from provider_credentials(module, "github", ("token",))
