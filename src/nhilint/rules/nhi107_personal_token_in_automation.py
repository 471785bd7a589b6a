"""NHI107 personal-token-in-automation: Automation runs on a person's access token instead of an
identity made for machines."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from nhilint.facts import AgentServer, CiSecretUse, StringValue
from nhilint.findings import Finding, IdentityRef, Related
from nhilint.knowledge.ci_credentials import is_pat_name
from nhilint.rules import RuleContext, rule
from nhilint.rules._shared import job_named

_LITERAL_PAT = re.compile(r"\b(?:ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,}|glpat-[A-Za-z0-9_-]{20,})")


@rule("NHI107")
def personal_token_in_automation(ctx: RuleContext) -> Iterator[Finding]:
    groups: dict[tuple[str, str, str], list[CiSecretUse]] = defaultdict(list)
    for use in ctx.of(CiSecretUse):
        if use.usage not in ("other", "inherit", "all") and is_pat_name(use.secret):
            groups[(use.loc.file, use.job, use.secret)].append(use)
    for (_, job, secret), uses in groups.items():
        uses.sort(key=lambda u: u.loc)
        first = uses[0]
        yield ctx.finding(
            "NHI107",
            first.loc,
            f"{job_named(ctx, first.ci, job)} runs on `{secret}`, a person's access token ({first.usage}): "
            "it acts with all of that person's rights and dies with their account; use an app or project "
            "token.",
            identity=IdentityRef("personal token", secret),
            fix=ctx.ci_formats.get(first.ci),
            related=[Related(u.loc, f"`{secret}` used again ({u.usage})") for u in uses[1:]],
        )
    yield from _literal_tokens(ctx)
    yield from _agent_servers(ctx)


def _literal_tokens(ctx: RuleContext) -> Iterator[Finding]:
    from nhilint.knowledge.redaction import redact

    for value in ctx.of(StringValue):
        if ctx.format_of(value.loc) not in ctx.ci_formats.values():
            continue
        match = _LITERAL_PAT.search(value.value)
        if match:
            yield ctx.finding(
                "NHI107",
                value.loc,
                f"a personal access token ({redact(match.group())}) is written at "
                f"`{value.path}`: automation must not run as a person; revoke it and use an app or project "
                "token.",
                identity=IdentityRef("personal token", redact(match.group())),
            )


def _agent_servers(ctx: RuleContext) -> Iterator[Finding]:
    """The GitHub or GitLab MCP server handed a person's token: one finding per server, at the
    setting that hands it over."""
    from nhilint.knowledge.agent_servers import personal_token

    for server in ctx.of(AgentServer):
        if not server.forge:
            continue
        for credential in server.credentials:
            why = personal_token(credential.name, credential.value, list(credential.refs))
            if why is None or credential.context == "url":
                continue
            forge = "GitHub" if server.forge == "github" else "GitLab"
            yield ctx.finding(
                "NHI107",
                credential.loc,
                f"MCP server `{server.name}` ({forge}) runs on {why}, a person's access token: the agent "
                "acts with everything that person can do, in every repository they reach, and no one can "
                f"tell the agent from them; give it a {forge} App or scoped token instead.",
                identity=IdentityRef("mcp-server", server.name),
            )
            break
