"""NHI201 wildcard-action: A policy lets a machine identity call every action of AWS, or of a whole
service, on every resource."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import PolicyStatement
from nhilint.findings import Finding
from nhilint.knowledge import iam
from nhilint.rules import RuleContext, rule
from nhilint.rules._agents import agent_users
from nhilint.rules._shared import allows, statement_identity, via_policy


@rule("NHI201")
def wildcard_action(ctx: RuleContext) -> Iterator[Finding]:
    for statement in ctx.of(PolicyStatement):
        if not allows(statement) or not iam.on_any_resource(statement) or iam.is_narrowed(statement):
            continue
        wild = iam.wildcard_actions(statement.actions)
        if wild:
            name, ref, fix = statement_identity(ctx, statement)
            users = agent_users(ctx, statement.identity)
            name += f"{users}," if users else ""
            actions = ", ".join(f"`{a}`" for a in wild)
            yield ctx.finding(
                "NHI201",
                statement.action_loc or statement.loc,
                f"{name} is allowed {actions} on every resource{via_policy(statement)}: list the actions it "
                "calls on named ARNs (IAM Access Analyzer can generate them from its activity).",
                identity=ref,
                fix=fix,
                related=statement.via,
            )
