"""NHI102 long-lived-key-resource: Infrastructure code mints a long-lived access key for a machine
identity."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import Credential
from nhilint.findings import Finding, IdentityRef
from nhilint.rules import RuleContext, rule

# kind -> (what is minted, how long it lives, remediation key). Azure secrets do expire (their
# `end_date`, two years by default), which NHI303 judges: the message must not say they never do.
_UNTIL_REVOKED = "that lives until someone revokes it"
_UNTIL_END_DATE = "that stays valid until its end date (two years unless set)"
LONG_LIVED_KEYS = {
    "aws_access_key": ("an IAM access key", _UNTIL_REVOKED, "terraform-aws"),
    "gcp_service_account_key": ("a service-account key", _UNTIL_REVOKED, "terraform-gcp"),
    "azure_application_password": ("an application client secret", _UNTIL_END_DATE, "terraform-azure"),
    "azure_service_principal_password": (
        "a service-principal client secret",
        _UNTIL_END_DATE,
        "terraform-azure",
    ),
    # an Azure OpenAI / AI Services account with local authentication on (the provider's default)
    "azure_cognitive_account_key": (
        "two static API keys (local authentication)",
        "that live until someone regenerates them",
        "terraform-azure-ai",
    ),
}


@rule("NHI102")
def long_lived_key_resource(ctx: RuleContext) -> Iterator[Finding]:
    for cred in ctx.of(Credential):
        if cred.kind not in LONG_LIVED_KEYS:
            continue
        what, lifetime, fix = LONG_LIVED_KEYS[cred.kind]
        owner = ctx.identity(cred.identity)
        name = owner.name if owner else (cred.identity or "an unnamed identity")
        yield ctx.finding(
            "NHI102",
            cred.loc,
            f"`{cred.resource_type}` {cred.name} mints {what} for {name} {lifetime}: federate the workload "
            "instead.",
            identity=owner or IdentityRef("identity", name),
            fix=(fix, ctx.format_of(cred.loc)),
        )
