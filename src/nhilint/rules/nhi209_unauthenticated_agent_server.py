"""NHI209 unauthenticated-agent-server: an AI agent reaches a remote MCP server over plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import AgentServer
from nhilint.findings import Finding, IdentityRef
from nhilint.knowledge.agent_servers import plain_remote_host
from nhilint.rules import RuleContext, rule


@rule("NHI209")
def unauthenticated_agent_server(ctx: RuleContext) -> Iterator[Finding]:
    for server in ctx.of(AgentServer):
        host = plain_remote_host(server.url) if server.url else None
        if host is None:
            continue
        carried = "its credentials, " if server.headers else ""
        yield ctx.finding(
            "NHI209",
            server.url_loc or server.loc,
            f"MCP server `{server.name}` is reached over plain HTTP at {host}: {carried}every tool call "
            "and every result cross the network in clear text, readable and rewritable on the way; "
            "use https.",
            identity=IdentityRef("mcp-server", server.name),
        )
