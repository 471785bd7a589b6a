"""How findings on an identity name the AI agents that run as it (issue 21): a role's wildcard is the
agent's wildcard, and a reviewer must see that an agent, which picks its own actions, holds it."""

from __future__ import annotations

from nhilint.facts import Workload
from nhilint.rules import RuleContext


def agent_users(ctx: RuleContext, identity: str | None) -> str:
    """`, used by Bedrock agent support` when agents (or what runs for them) use `identity`, else ""."""
    if not identity:
        return ""
    names = list(dict.fromkeys(w.agent for w in ctx.of(Workload) if w.agent and w.identity == identity))
    return f", used by {' and '.join(names)}" if names else ""
