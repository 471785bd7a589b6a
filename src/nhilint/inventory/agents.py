"""What each MCP server in the inventory can reach, and with which credential.

A remote server reaches its endpoint (shown without the user, password or query a key hides in);
a local one runs a process (its package or image). Its credentials are the settings (env, headers,
arguments, URL) that hand it one: a variable, VS Code input or CI secret it reads, named, or a
literal secret, redacted to its prefix.
"""

from __future__ import annotations

from nhilint.facts import AgentServer
from nhilint.inventory.model import Entry
from nhilint.knowledge.agent_servers import endpoint, handed_credentials

_SETTING = {"env": "env", "header": "header", "arg": "argument"}


def attach_agent_servers(entries: dict[str, Entry], servers: list[AgentServer]) -> None:
    for server in servers:
        entry = entries.get(server.address)
        if entry is None:
            continue
        if server.url:
            where = server.url_loc or server.loc
            entry.reaches.append(f"{server.transport} {endpoint(server.url)} ({where.file}:{where.line})")
        else:
            entry.reaches.append(f"local process {server.runs or '(no command)'}")
        for credential in server.credentials:
            setting = " ".join(filter(None, (_SETTING.get(credential.context), credential.name)))
            for source, what in handed_credentials(credential.name, credential.value, credential.refs):
                entry.credentials.append(
                    f"{source} {what} in {setting} ({credential.loc.file}:{credential.loc.line})"
                )
