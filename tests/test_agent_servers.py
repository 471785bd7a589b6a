"""Knowledge about the MCP servers agents are given: loopback hosts (NHI209), the GitHub and GitLab
servers and the settings that hand them a person's token (NHI107)."""

from __future__ import annotations

import pytest

from nhilint.knowledge.agent_servers import (
    forge_of,
    is_loopback,
    literal_key,
    personal_token,
    plain_remote_host,
)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://mcp.tickets.example.com/mcp", "mcp.tickets.example.com"),
        ("http://10.0.4.7:3000/mcp", "10.0.4.7"),
        ("HTTP://Intranet-MCP/sse", "intranet-mcp"),
        ("ws://agents.example.org/ws", "agents.example.org"),
        ("http://localhost:8080/mcp", None),
        ("http://api.localhost/mcp", None),
        ("http://127.0.0.1:9000/sse", None),
        ("http://127.8.0.1/sse", None),
        ("http://[::1]:3000/mcp", None),
        ("http://0.0.0.0:3000/mcp", None),
        ("http://host.docker.internal:8000/mcp", None),
        ("https://mcp.example.com/mcp", None),
        ("wss://mcp.example.com/ws", None),
        ("http://${MCP_HOST}/mcp", None),  # the host is a variable: not known to be remote
        ("http://[not-an-ip/mcp", None),  # unparsable: not judged
        ("not a url", None),
    ],
)
def test_plain_remote_host(url: str, host: str | None) -> None:
    assert plain_remote_host(url) == host


def test_loopback_names() -> None:
    assert is_loopback("LOCALHOST.") and is_loopback("[::1]") and not is_loopback("localhost.example.com")


@pytest.mark.parametrize(
    ("runs", "forge"),
    [
        ("npx @modelcontextprotocol/server-github", "github"),
        ("docker ghcr.io/github/github-mcp-server", "github"),
        ("https://api.githubcopilot.com/mcp", "github"),
        ("github-mcp-server", "github"),
        ("npx @modelcontextprotocol/server-gitlab", "gitlab"),
        ("npx @zereight/mcp-gitlab", "gitlab"),
        ("https://gitlab.example.com/api/v4/mcp", "gitlab"),
        ("npx @acme/github-issues-summary", None),
        ("uvx mcp-server-git", None),
    ],
)
def test_forge_servers(runs: str, forge: str | None) -> None:
    assert forge_of(runs) == forge


GHP = "ghp" + "_" + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5"


@pytest.mark.parametrize(
    ("name", "value", "refs", "why"),
    [
        ("GITHUB_PERSONAL_ACCESS_TOKEN", GHP, [], "a personal access token written in the file"),
        ("Authorization", f"Bearer {GHP}", [], "a personal access token written in the file"),
        ("GITHUB_PERSONAL_ACCESS_TOKEN", "${GITHUB_PAT}", ["env:GITHUB_PAT"], "`GITHUB_PAT`"),
        (
            "GITHUB_PERSONAL_ACCESS_TOKEN",
            "${env:GH_TOKEN}",
            ["env:GH_TOKEN"],
            "`GITHUB_PERSONAL_ACCESS_TOKEN`",
        ),
        ("Authorization", "Bearer ${input:github_mcp_pat}", ["input:github_mcp_pat"], "`github_mcp_pat`"),
        (
            "GITLAB_PERSONAL_ACCESS_TOKEN",
            "${GITLAB_TOKEN}",
            ["env:GITLAB_TOKEN"],
            "`GITLAB_PERSONAL_ACCESS_TOKEN`",
        ),
        # a placeholder wires nothing; a token that is not named for a person says nothing
        ("GITHUB_PERSONAL_ACCESS_TOKEN", "<your-token>", [], None),
        ("GITHUB_PERSONAL_ACCESS_TOKEN", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", [], None),
        ("Authorization", "Bearer ${input:github_app_token}", ["input:github_app_token"], None),
        ("PATH", "${PATH}", ["env:PATH"], None),
    ],
)
def test_personal_token(name: str, value: str, refs: list[str], why: str | None) -> None:
    assert personal_token(name, value, refs) == why


def test_literal_key_is_stable_and_does_not_hold_the_value() -> None:
    assert literal_key(GHP) == literal_key(GHP) != literal_key(GHP + "x")
    assert GHP[4:] not in literal_key(GHP)
