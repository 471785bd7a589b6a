"""NHI203 privilege-escalation-permission: A policy grants an action that lets the identity raise its
own privileges, on any resource."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import PolicyStatement
from nhilint.findings import Finding
from nhilint.knowledge import iam
from nhilint.rules import RuleContext, rule
from nhilint.rules._agents import agent_users
from nhilint.rules._shared import allows, statement_identity, via_policy


def _escalations(statement: PolicyStatement) -> list[str]:
    """Escalation actions granted on "*", except those only reached through `*`/`service:*` (NHI201)."""
    if iam.is_narrowed(
        statement,
        (
            "aws:resourcetag/*",
            "iam:resourcetag/*",
            "aws:resourceaccount",
            "iam:policyarn",
            "iam:permissionsboundary",
        ),
    ):
        return []
    named = [a for a in statement.actions if a not in iam.wildcard_actions(statement.actions)]
    found = iam.escalation_actions(named)
    if any(c.key.lower() == "iam:passedtoservice" for c in statement.conditions):
        found = [a for a in found if a != "iam:PassRole"]
    return found


@rule("NHI203")
def privilege_escalation_permission(ctx: RuleContext) -> Iterator[Finding]:
    for statement in ctx.of(PolicyStatement):
        if not allows(statement) or not iam.on_any_resource(statement):
            continue
        found = _escalations(statement)
        if found:
            name, ref, fix = statement_identity(ctx, statement)
            users = agent_users(ctx, statement.identity)
            name += f"{users}," if users else ""
            actions = ", ".join(f"`{a}`" for a in found)
            pass_role = " (and `iam:PassedToService` for iam:PassRole)" if "iam:PassRole" in found else ""
            yield ctx.finding(
                "NHI203",
                statement.action_loc or statement.loc,
                f"{name} may use {actions} on any resource{via_policy(statement)}, which lets it raise its "
                f"own privileges: scope it to named ARNs{pass_role}.",
                identity=ref,
                fix=fix,
                related=statement.via,
            )
