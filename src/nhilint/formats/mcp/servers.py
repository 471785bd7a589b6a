"""MCP client configurations: which files they are, and the servers they configure.

Pure functions over paths, text and located trees (no facts): `is_mcp_path` and `mentions_servers`
recognise a file, `servers_of` reads every server of a parsed file, with where each setting is
written, `references` names the variables a value reads and `arg_settings` pairs command-line
options with their values.

Clients and their files (documented path conventions):
* Claude Code `.mcp.json`, Claude Desktop `claude_desktop_config.json`, Cursor `.cursor/mcp.json`,
  Roo Code `.roo/mcp.json`, Gemini CLI `.gemini/settings.json`, Windsurf / Cline files: a top-level
  `mcpServers` map of name -> server;
* VS Code `.vscode/mcp.json`: a top-level `servers` map and `inputs` (prompted values, `password:
  true` ones kept in the OS keychain); VS Code user settings: `mcp.servers`;
* Continue `.continue/config.yaml` and `.continue/mcpServers/*.yaml`: an `mcpServers` list of
  servers with a `name`; the deprecated `config.json`: `experimental.modelContextProtocolServers`,
  each with a `transport`.
Any other JSON or YAML file with a top-level `mcpServers` map or list is one too (by content).

A server runs a local `command` with `args` and `env` (stdio), or reaches a remote `url` (Gemini
CLI: `httpUrl`; Windsurf: `serverUrl`) with `headers`; `oauth`/`auth` settings configure OAuth.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from msgspec import Struct, field

from nhilint.knowledge.credential_names import lazy
from nhilint.parse.tree import LMap, LSeq, Pos

# (directory, file name) conventions; `None` directory: any directory.
_PATHS: dict[str, tuple[str | None, ...]] = {
    ".mcp.json": (None,),
    "mcp.json": (".cursor", ".vscode", ".roo", ".kiro", ".amazonq", ".windsurf", ".codeium"),
    "claude_desktop_config.json": (None,),
    "settings.json": (".gemini",),
    "config.json": (".continue",),
    "config.yaml": (".continue",),
    "mcp_config.json": (None,),
    "cline_mcp_settings.json": (None,),
}
_SERVER_URL_KEYS = ("url", "httpUrl", "serverUrl")
_MENTIONS = lazy(r"""(?:^|["'\s{,])(?:mcpServers|modelContextProtocolServers)["']?\s*:""", re.M)


def is_mcp_path(rel: str) -> bool:
    """A file at a documented MCP client path (`.vscode/mcp.json`, `.continue/mcpServers/x.yaml`...)."""
    path = PurePosixPath(rel)
    parent = path.parent.name
    if parent == "mcpServers" and path.parent.parent.name == ".continue":
        return path.suffix in (".yaml", ".yml", ".json")
    dirs = _PATHS.get(path.name)
    return dirs is not None and (None in dirs or parent in dirs)


def is_jsonc(rel: str) -> bool:
    """Files whose client reads JSON with comments and trailing commas (VS Code, Gemini CLI).

    Every MCP JSON file is read that way (a secret in a file its client would refuse is still a
    secret in the repository); this only says which clients document it."""
    path = PurePosixPath(rel)
    return path.parent.name in (".vscode", ".gemini")


def mentions_servers(text: str) -> bool:
    """Cheap content test before parsing a JSON/YAML file of no known path: does a key name MCP
    servers? (`mcp.servers` of VS Code user settings is read only at its documented path.)"""
    return ("mcpServers" in text or "modelContextProtocolServers" in text) and _MENTIONS().search(
        text
    ) is not None


class Setting(Struct):
    """One string setting of a server: its `name` (env variable, header, option), value and place."""

    name: str
    value: str
    pos: Pos
    path: str  # where it is written, for messages: `env.GITHUB_TOKEN`, `headers.Authorization`, `args[3]`
    context: str  # env | header | arg | url | other


class Server(Struct):
    """One MCP server of a client configuration."""

    name: str
    pos: Pos  # where its name is written
    node: LMap
    path: str  # `mcpServers.github`, `servers.github`, `mcpServers[0]`
    client: str  # vscode | continue | mcp (the common `mcpServers` layout)
    command: str = ""
    url: str = ""
    url_pos: Pos | None = None
    transport: str = "stdio"  # stdio | http | sse
    headers: bool = False  # headers are configured (whatever their values)
    oauth: bool = False  # an OAuth setting is configured
    settings: list[Setting] = field(default_factory=list)

    @property
    def runs(self) -> str:
        """What the server is, whatever its name: the remote URL without query, or the package or
        image it starts (`@modelcontextprotocol/server-github`, `ghcr.io/github/github-mcp-server`),
        else its command. Two clients' files configuring the same server agree on it."""
        if self.url:
            return self.url.split("?", 1)[0].split("#", 1)[0].rstrip("/").lower()
        words = [
            s.value
            for s in self.settings
            if s.context == "arg"
            and not s.value.startswith("-")
            and "=" not in s.value
            and "://" not in s.value
        ]
        package = next((w for w in words if _PACKAGE_HINT().search(w)), "") or next(
            (w for w in words if w not in _SUBCOMMANDS), ""
        )
        return f"{self.command} {package}".strip()


# A package, module or image argument names MCP, a scope or a registry: `@scope/name`, `mcp-server-git`,
# `ghcr.io/org/image`; else the first argument that is not a runner's subcommand (`server.py`).
_PACKAGE_HINT = lazy(r"(?i)mcp|/|@")
_SUBCOMMANDS = frozenset({"run", "exec", "x", "dlx", "tool", "start", "serve", "stdio"})


def servers_of(tree: Any, rel: str) -> tuple[list[Server], bool]:
    """Every server a parsed client configuration declares, and whether it is one at all (a file
    with an `mcpServers` map that is empty is one; a `settings.json` without one is not)."""
    if not isinstance(tree, LMap):
        return [], False
    path = PurePosixPath(rel)
    found: list[Server] = []
    known = False
    if path.name == "mcp.json" and path.parent.name == ".vscode" and isinstance(tree.get("servers"), LMap):
        found += _named(tree["servers"], "servers", "vscode")
        known = True
    mcp = tree.get("mcp")
    if path.name == "settings.json" and isinstance(mcp, LMap) and isinstance(mcp.get("servers"), LMap):
        found += _named(mcp["servers"], "mcp.servers", "vscode")
        known = True
    servers = tree.get("mcpServers")
    if isinstance(servers, LMap):
        found += _named(servers, "mcpServers", "mcp")
        known = True
    elif isinstance(servers, LSeq):
        found += _listed(servers, "mcpServers", "continue")
        known = True
    experimental = tree.get("experimental")
    legacy = experimental.get("modelContextProtocolServers") if isinstance(experimental, LMap) else None
    if isinstance(legacy, LSeq):
        found += _listed(legacy, "experimental.modelContextProtocolServers", "continue")
        known = True
    return found, known


def password_inputs(tree: Any) -> dict[str, bool]:
    """VS Code `inputs` by id: True when the input is a `password` (kept in the OS keychain)."""
    inputs = tree.get("inputs") if isinstance(tree, LMap) else None
    if not isinstance(inputs, LSeq):
        return {}
    return {
        str(item["id"]): item.get("password") is True
        for item in inputs
        if isinstance(item, LMap) and isinstance(item.get("id"), str)
    }


def _named(servers: LMap, at: str, client: str) -> Iterator[Server]:
    for name, node in servers.items():
        if isinstance(node, LMap):
            yield _server(str(name), servers.kpos(name), node, f"{at}.{name}", client)


def _listed(servers: LSeq, at: str, client: str) -> Iterator[Server]:
    for i, node in enumerate(servers):
        if isinstance(node, LMap):
            name = node.get("name")
            where = node.kpos("name") if isinstance(name, str) else servers.ipos(i)
            yield _server(
                str(name) if isinstance(name, str) else f"#{i + 1}", where, node, f"{at}[{i}]", client
            )


def _server(name: str, pos: Pos, node: LMap, at: str, client: str) -> Server:
    # Continue's deprecated layout nests the process under `transport`; its newer one, the headers
    # under `requestOptions`.
    transport = node.get("transport")
    body: LMap = transport if isinstance(transport, LMap) else node
    body_at = f"{at}.transport" if body is not node else at
    server = Server(name, pos, node, at, client)
    command = body.get("command")
    server.command = command if isinstance(command, str) else ""
    for key in _SERVER_URL_KEYS:
        url = body.get(key)
        if isinstance(url, str):
            server.url, server.url_pos = url, body.vpos(key)
            kind = str(body.get("type", "")).lower()
            server.transport = (
                "sse" if "sse" in kind or (key == "url" and kind == "" and "/sse" in url) else "http"
            )
            break
    args = body.get("args")
    if isinstance(args, LSeq):
        server.settings += arg_settings(args, f"{body_at}.args")
        if not server.url and (remote := _bridged_url(args)):
            server.url, server.url_pos = remote
            server.transport = "http"
    for section, context in (("env", "env"), ("headers", "header")):
        server.settings += _mapping(body.get(section), f"{body_at}.{section}", context)
    options = body.get("requestOptions")
    if isinstance(options, LMap):
        server.settings += _mapping(options.get("headers"), f"{at}.requestOptions.headers", "header")
    server.headers = any(s.context == "header" for s in server.settings)
    server.oauth = any(isinstance(body.get(k), (LMap, str)) or body.get(k) is True for k in ("oauth", "auth"))
    url_key = next((k for k in _SERVER_URL_KEYS if body.get(k) == server.url), "")
    if url_key and server.url_pos:
        server.settings.append(Setting(url_key, server.url, server.url_pos, f"{body_at}.{url_key}", "url"))
    return server


def _mapping(node: Any, at: str, context: str) -> list[Setting]:
    if not isinstance(node, LMap):
        return []
    return [
        Setting(str(k), v, node.vpos(k), f"{at}.{k}", context) for k, v in node.items() if isinstance(v, str)
    ]


# Options whose value is a header line (`--header "Authorization: Bearer ..."`, mcp-remote) or an
# environment assignment (`-e TOKEN=...`, docker): the name is inside the value.
_HEADER_OPTIONS = frozenset({"--header", "-H"})
_ENV_OPTIONS = frozenset({"-e", "--env"})
_OPTION = lazy(r"--?[A-Za-z][\w.-]*")


def arg_settings(args: LSeq, at: str) -> list[Setting]:
    """Each string argument as a setting named for the option it is the value of: `--api-key X` and
    `--api-key=X` give `api-key` = X, `-e NAME=X` gives NAME = X, `--header "Authorization: Bearer X"`
    gives `Authorization` = `Bearer X`; other arguments are unnamed. A JSON string's value starts one
    column after its quote; the column of `X` inside `--api-key=X` is counted from there."""
    found: list[Setting] = []
    previous = ""
    for i, arg in enumerate(args):
        if not isinstance(arg, str):
            previous = ""
            continue
        pos = args.ipos(i)
        where = f"{at}[{i}]"
        name, value, offset = "", arg, 0
        if previous in _HEADER_OPTIONS and ":" in arg:
            name, _, rest = arg.partition(":")
            value = rest.strip()
            offset = len(arg) - len(rest.lstrip()) if value else 0
        elif previous in _ENV_OPTIONS and "=" in arg:
            name, _, value = arg.partition("=")
            offset = len(name) + 1
        elif previous and _OPTION().fullmatch(previous):
            name = previous.lstrip("-")
        elif _OPTION().match(arg) and "=" in arg:
            option, _, value = arg.partition("=")
            if _OPTION().fullmatch(option):
                name, offset = option.lstrip("-"), len(option) + 1
            else:
                value = arg
        column = pos.col + (offset + 1 if offset else 0)
        found.append(Setting(name, value, Pos(pos.line, column) if offset else pos, where, "arg"))
        previous = arg if _OPTION().fullmatch(arg) else ""
    return found


# `npx mcp-remote URL` and its kin bridge a stdio client to a remote server given as an argument.
_BRIDGES = lazy(r"(?:^|/)(?:mcp-remote|mcp-proxy|supergateway)(?:@[\w.-]+)?$")


def _bridged_url(args: LSeq) -> tuple[str, Pos] | None:
    strings = [(a, args.ipos(i)) for i, a in enumerate(args) if isinstance(a, str)]
    if not any(_BRIDGES().search(a) for a, _ in strings):
        return None
    return next(((a, p) for a, p in strings if re.match(r"(?i)(?:https?|wss?)://", a)), None)


# `${env:NAME}` (VS Code, Cursor, Roo), `${input:id}` (VS Code), `${NAME}` / `${NAME:-default}` / `$NAME`
# (Claude Code, Gemini CLI), `${{ secrets.NAME }}` (Continue).
_REFERENCE = lazy(
    r"\$\{(?:env:)?(?P<env>[A-Za-z_]\w*)(?::-[^}]*)?\}|\$\{input:(?P<input>[\w.-]+)\}"
    r"|\$\{\{\s*secrets\.(?P<secret>[\w.-]+)\s*\}\}|(?<![\w$])\$(?P<bare>[A-Za-z_]\w*)"
)


def references(value: str) -> list[str]:
    """The variables `value` reads: `env:NAME`, `input:id`, `secrets:NAME` (in order, no repeats)."""
    found: list[str] = []
    for m in _REFERENCE().finditer(value):
        ref = (
            f"input:{m['input']}"
            if m["input"]
            else f"secrets:{m['secret']}"
            if m["secret"]
            else f"env:{m['env'] or m['bare']}"
        )
        if ref not in found:
            found.append(ref)
    return found
