"""NHI202 not-action-allow: An Allow statement uses NotAction or NotResource, granting everything
except a list."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import PolicyStatement
from nhilint.findings import Finding
from nhilint.rules import RuleContext, rule
from nhilint.rules._shared import allows, statement_identity, via_policy


@rule("NHI202")
def not_action_allow(ctx: RuleContext) -> Iterator[Finding]:
    for statement in ctx.of(PolicyStatement):
        if not allows(statement) or not (statement.not_actions or statement.not_resources):
            continue
        name, ref, fix = statement_identity(ctx, statement)
        if statement.not_actions:
            what, loc = f"every action except {', '.join(statement.not_actions)}", statement.action_loc
        else:
            what, loc = (
                f"its actions on every resource except {', '.join(statement.not_resources)}",
                statement.resource_loc,
            )
        yield ctx.finding(
            "NHI202",
            loc or statement.loc,
            f"{name} is allowed {what}{via_policy(statement)}, including any action AWS adds later: "
            "write an explicit allow list.",
            identity=ref,
            fix=fix,
            related=statement.via,
        )
