"""MCP client configurations to facts: each server an `Identity` (kind `mcp-server`) and an
`AgentServer`, and every string of the file a `StringValue` (a server's env, headers and arguments
named for what they set, so NHI101 judges `--api-key X` as an API key)."""

from __future__ import annotations

from typing import Any

from nhilint.facts import AgentCredential, AgentServer, Fact, Identity, StringValue
from nhilint.formats.base import Extraction, Problem, Skipped, SourceFile
from nhilint.formats.mcp.jsonc import blank_comments
from nhilint.formats.mcp.servers import Server, is_mcp_path, references, servers_of
from nhilint.formats.walk import strings
from nhilint.knowledge.agent_servers import forge_of
from nhilint.parse import ParseError, TooComplex
from nhilint.parse.tree import NOWHERE, LMap, LSeq

NO_SERVERS = "no MCP servers in it"


def parse(file: SourceFile) -> Any:
    """The file's located tree: JSON with comments and trailing commas blanked (same positions), or
    its one YAML document."""
    if file.rel.endswith(".json") or file.text.lstrip().startswith("{"):
        from nhilint.parse.json import parse_json

        try:
            return parse_json(file.text)  # strict JSON (most files): one parse
        except TooComplex:
            raise
        except ParseError:
            return parse_json(blank_comments(file.text))  # same positions: its error is the file's
    from nhilint.parse.yaml import parse_yaml

    docs = parse_yaml(file.text)
    if len(docs) != 1:
        raise ParseError("an MCP client configuration is one YAML document")
    return docs[0]


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    try:
        tree = parse(file)
    except ParseError as exc:
        return Extraction(problems=[Problem(file.loc(exc.line, exc.col), exc.reason)])
    servers, known = servers_of(tree, file.rel)
    if not known and not is_mcp_path(file.rel):  # at a client's own path, its other keys still count
        return Extraction(skipped=[Skipped(file.rel, NO_SERVERS)])
    facts: list[Fact] = []
    named: dict[str, tuple[str, str]] = {}  # setting path -> (its name, its context)
    for server in servers:
        facts += _server(file, server)
        named.update({s.path: (s.name, s.context) for s in server.settings})
    by_path = sorted(((s.path + ".", s.path + "[", s.name) for s in servers), key=lambda p: -len(p[0]))
    for key, value, where, path in strings(tree, tree.pos if isinstance(tree, (LMap, LSeq)) else NOWHERE):
        name, context = named.get(path, (key, "other"))
        owner = next((s for dot, bracket, s in by_path if path.startswith((dot, bracket))), None)
        if path in named and context == "arg":
            continue  # emitted with the server: its column is the value's, inside `--api-key=...`
        facts.append(
            StringValue(
                loc=file.loc(*where), key=name, value=value, path=path, identity=owner, context=context
            )
        )
    return Extraction(facts=facts)


def _server(file: SourceFile, server: Server) -> list[Fact]:
    loc = file.loc(*server.pos)
    address = f"mcp:{file.rel}:{server.path}"
    credentials = [
        AgentCredential(file.loc(*s.pos), s.path, s.name, s.value, tuple(references(s.value)), s.context)
        for s in server.settings
    ]
    facts: list[Fact] = [
        Identity(
            loc=loc, kind="mcp-server", name=server.name, provider="mcp", address=address, tags_known=False
        ),
        AgentServer(
            loc=loc,
            name=server.name,
            address=address,
            client=server.client,
            transport=server.transport,
            url=server.url,
            url_loc=file.loc(*server.url_pos) if server.url_pos else None,
            runs=server.runs,
            forge=forge_of(server.runs) or "",
            headers=server.headers,
            oauth=server.oauth,
            credentials=credentials,
        ),
    ]
    facts += [
        StringValue(loc=c.loc, key=c.name, value=c.value, path=c.setting, identity=server.name, context="arg")
        for c in credentials
        if c.context == "arg"
    ]
    return facts
