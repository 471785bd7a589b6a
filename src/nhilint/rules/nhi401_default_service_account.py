"""NHI401 default-service-account: A workload runs as its platform's default identity, which every
other unconfigured workload shares."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import Workload
from nhilint.findings import Finding, IdentityRef
from nhilint.rules import RuleContext, rule


@rule("NHI401")
def default_service_account(ctx: RuleContext) -> Iterator[Finding]:
    for workload in ctx.of(Workload):
        if not workload.uses_default or not _token_mounted(ctx, workload):
            continue
        who = workload.identity or "the platform's default identity"
        yield ctx.finding(
            "NHI401",
            workload.identity_loc or workload.loc,
            f"{workload.kind} {workload.name} runs as {who}, which every other unconfigured workload shares: "
            "give it a dedicated identity.",
            identity=IdentityRef("default identity", who),
            fix=f"{ctx.format_of(workload.loc)}-{workload.platform}",
        )


def _token_mounted(ctx: RuleContext, workload: Workload) -> bool:
    """The workload's own setting, else its identity's (a ServiceAccount anywhere in the scan)."""
    if workload.token_mounted is not None:
        return workload.token_mounted
    identity = ctx.identity(workload.identity)
    return identity is None or identity.automount_token is not False
