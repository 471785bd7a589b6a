"""NHI304 secret-without-rotation: A stored secret that holds a credential has no rotation schedule or
expiry in the scan."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import (
    Rotation,
    StoredSecret,
)
from nhilint.findings import Finding, IdentityRef
from nhilint.knowledge.credential_names import stored_credential
from nhilint.rules import RuleContext, rule


@rule("NHI304")
def secret_without_rotation(ctx: RuleContext) -> Iterator[Finding]:
    rotated = {r.secret for r in ctx.of(Rotation)}
    for secret in ctx.of(StoredSecret):
        if secret.rotated or secret.address in rotated or (secret.name and secret.name in rotated):
            continue
        why = stored_credential(secret.name, secret.description, secret.value_keys, secret.generated)
        if why is None:
            continue  # configuration kept in a secret store (an ARN, a bucket), or nothing says
        where = " in this scan" if secret.missing == "rotation schedule" else ""
        yield ctx.finding(
            "NHI304",
            secret.loc,
            f"secret {secret.name or secret.address} holds a credential ({why}) and has no "
            f"{secret.missing}{where}: a copy taken once works until someone changes it.",
            identity=IdentityRef("secret", secret.name or secret.address),
            fix=f"{ctx.format_of(secret.loc)}-{_PLATFORMS.get(secret.address.split('_', 1)[0], 'aws')}",
        )


_PLATFORMS = {"aws": "aws", "azurerm": "azure", "google": "gcp"}  # Terraform type prefix -> fix key
