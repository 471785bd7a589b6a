"""NHI104 legacy-service-account-token: A Kubernetes Secret of type `kubernetes.io/service-account-
token` holds a ServiceAccount token that never expires."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import Credential
from nhilint.findings import Finding, IdentityRef
from nhilint.rules import RuleContext, rule


@rule("NHI104")
def legacy_service_account_token(ctx: RuleContext) -> Iterator[Finding]:
    for cred in ctx.of(Credential):
        if cred.kind == "k8s_service_account_token":
            owner = ctx.identity(cred.identity)
            sa = owner.name if owner else (cred.identity or "?").removeprefix("ServiceAccount/")
            yield ctx.finding(
                "NHI104",
                cred.loc,
                f"Secret {cred.name} holds a never-expiring token for ServiceAccount {sa}: use a projected "
                "token with expirationSeconds or the TokenRequest API.",
                identity=IdentityRef("k8s_service_account", sa),
                fix=f"{ctx.format_of(cred.loc)}-kubernetes",
            )
