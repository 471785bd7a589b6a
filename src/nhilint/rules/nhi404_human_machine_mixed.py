"""NHI404 human-machine-mixed: One IAM user is used both by a person (console password) and by
automation (access keys)."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import Credential
from nhilint.findings import Finding, IdentityRef, Related
from nhilint.rules import RuleContext, rule


@rule("NHI404")
def human_machine_mixed(ctx: RuleContext) -> Iterator[Finding]:
    by_identity: dict[str, dict[str, Credential]] = {}
    for cred in ctx.of(Credential):
        if cred.identity and cred.kind in ("aws_login_profile", "aws_access_key"):
            by_identity.setdefault(cred.identity, {}).setdefault(cred.kind, cred)
    for address, kinds in by_identity.items():
        if len(kinds) == 2:
            login, key = kinds["aws_login_profile"], kinds["aws_access_key"]
            user = ctx.identity(address)
            name = user.name if user else address
            yield ctx.finding(
                "NHI404",
                login.loc,
                f"IAM user {name} has both a console password (people) and access keys (automation): "
                "split it into an SSO user for people and a role for the automation.",
                identity=user or IdentityRef("aws_iam_user", name),
                related=[Related(key.loc, f"access key of {name}")],
            )
