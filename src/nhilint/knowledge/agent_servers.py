"""What nhilint knows about the MCP servers AI agents are given (knowledge for NHI107, NHI209, NHI403).

Pure functions over strings: which host is this machine, which server is GitHub's or GitLab's, which
setting hands a server a person's token, and which credential a setting reads (to see one credential
given to several servers).
"""

from __future__ import annotations

import hashlib
import ipaddress
from urllib.parse import urlsplit

from nhilint.knowledge.credential_names import lazy

# Names that never leave this machine. `0.0.0.0` as a destination reaches the local host;
# `host.docker.internal` is the machine running the container.
_LOCAL_NAMES = frozenset({"localhost", "host.docker.internal", "0.0.0.0", "::", "::1"})
_PLAIN = frozenset({"http", "ws"})


def is_loopback(host: str) -> bool:
    """`localhost`, `*.localhost`, `127.0.0.0/8`, `::1`, `0.0.0.0`, `host.docker.internal`."""
    host = host.strip("[]").rstrip(".").lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def plain_remote_host(url: str) -> str | None:
    """The host of `url` when it is reached without TLS (`http://`, `ws://`) and is not this machine;
    None for `https://`, loopback, or a URL whose host is still a variable (`${HOST}`)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return None
    if parts.scheme.lower() not in _PLAIN or not host or "$" in url.split("://", 1)[-1].split("/", 1)[0]:
        return None
    return None if is_loopback(host) else host


# The GitHub and GitLab MCP servers: packages, images and remote endpoints, as their docs name them.
_GITHUB = lazy(
    r"(?i)@modelcontextprotocol/server-github|github/github-mcp-server|(?:^|[\s/])github-mcp-server"
    r"|api\.githubcopilot\.com/mcp"
)
_GITLAB = lazy(r"(?i)@modelcontextprotocol/server-gitlab|mcp-gitlab|gitlab-mcp|/api/v4/mcp")


def forge_of(runs: str) -> str | None:
    """`github` or `gitlab` when the server (its package, image or URL) is that forge's MCP server."""
    if _GITHUB().search(runs):
        return "github"
    if _GITLAB().search(runs):
        return "gitlab"
    return None


_LITERAL_PAT = lazy(r"(?<![A-Za-z0-9_])(?:ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,}|glpat-[\w-]{20,})")
# A name for a person's token: GITHUB_PERSONAL_ACCESS_TOKEN, GH_PAT, github_mcp_pat, gitlab-pat...
_PAT_NAME = lazy(r"(?i)(?:^|[_:.-])(?:gh|github|gl|gitlab|mcp)?[_-]?pats?(?:$|[_-])|personal[\w-]*token")


def personal_token(name: str, value: str, refs: list[str]) -> str | None:
    """How the setting `name` = `value` (reading the variables `refs`) hands a server a person's
    token: the literal token's kind, or the name that says so; None otherwise (and for an empty
    value or a placeholder, which wires nothing)."""
    from nhilint.knowledge.secrets import is_reference_or_placeholder

    literal = _LITERAL_PAT().search(value)
    if literal and not is_reference_or_placeholder(literal.group().split("_", 1)[-1].split("-", 1)[-1]):
        return "a personal access token written in the file"
    if not refs:
        return None
    for ref in refs:
        if _PAT_NAME().search(ref.split(":", 1)[1]):
            return f"`{ref.split(':', 1)[1]}`"
    return f"`{name}`" if _PAT_NAME().search(name) else None


def literal_key(value: str) -> str:
    """A stable key for a literal secret, to see the same one given to several servers without
    keeping or showing it: a short hash."""
    return "literal:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def handed_credentials(name: str, value: str, refs: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """The credentials a server setting `name` = `value` (reading the variables `refs`) hands over, as
    (source, what): ("variable" | "input" | "secret", its name) for each variable, VS Code input or
    CI secret it reads when that or the setting is named for a credential, or ("literal", the
    secret's kind and redacted prefix) for a secret written in the file. A placeholder, or a setting
    about something else (`LOG_LEVEL`), hands nothing. The same judgement as NHI403's."""
    from nhilint.knowledge.ci_credentials import is_pat_name
    from nhilint.knowledge.credential_names import is_credential_name
    from nhilint.knowledge.secrets import detect
    from nhilint.quote import redact

    handed: list[tuple[str, str]] = []
    named = bool(name) and is_credential_name(name)
    for ref in refs:
        kind, variable = ref.split(":", 1)
        if named or is_credential_name(variable) or is_pat_name(variable):
            handed.append(({"env": "variable", "secrets": "secret"}.get(kind, kind), variable))
    if not refs and (found := detect(value, name)):
        secret = value[found.start : found.end] or value
        handed.append(("literal", f"{found.kind} ({redact(secret)})"))
    return handed


def endpoint(url: str) -> str:
    """`url` as an inventory may show it: scheme, host, port and path; never the user, password,
    query or fragment, where configurations put keys (`?api_key=...`)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (raises on an invalid port)
    except ValueError:  # an invalid port or IPv6 literal: show no part of it that could hold a key
        return "an invalid URL"
    host = parts.netloc.rpartition("@")[2]  # as written: `${MCP_HOST}` keeps its case
    if not parts.scheme or not host:
        return f"the URL in {url.strip()}" if "$" in url else "an invalid URL"
    return f"{parts.scheme.lower()}://{host}{parts.path}"
