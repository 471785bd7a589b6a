"""MCP client configurations: JSONC, which files they are, and the servers they configure, with the
line and column of every setting. The layouts are the ones each client documents."""

from __future__ import annotations

import json

import pytest

from nhilint.formats.mcp.jsonc import blank_comments
from nhilint.formats.mcp.servers import (
    is_mcp_path,
    mentions_servers,
    password_inputs,
    references,
    servers_of,
)
from nhilint.parse.json import parse_json
from nhilint.parse.tree import Pos
from nhilint.parse.yaml import parse_yaml_stream

# VS Code's documented layout (JSONC): prompted inputs, a remote server and a local one.
VSCODE = """\
{
  // Secrets are prompted once and kept in the OS keychain.
  "inputs": [
    {
      "type": "promptString",
      "id": "perplexity-key",
      "description": "Perplexity API Key",
      "password": true
    },
  ],
  "servers": {
    /* the GitHub remote server */
    "github": {
      "type": "http",
      "url": "https://api.githubcopilot.com/mcp/",
      "headers": { "Authorization": "Bearer ${input:github_mcp_pat}" },
    },
    "perplexity": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "server-perplexity-ask", "--api-key=${input:perplexity-key}"],
      "env": { "PERPLEXITY_API_KEY": "${input:perplexity-key}" }
    }
  }
}
"""


def test_jsonc_blanks_comments_and_trailing_commas_keeping_every_position() -> None:
    text = blank_comments(VSCODE)
    assert len(text) == len(VSCODE)
    assert text.count("\n") == VSCODE.count("\n")
    assert json.loads(text)["servers"]["github"]["url"] == "https://api.githubcopilot.com/mcp/"
    # a `//` inside a string is text, a comment's words are gone
    assert "Secrets are prompted" not in text and "https://api" in text


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "x\\"// not a comment", }',
        '{"a": [1, 2, /* two */ ], // end\n}',
        '{"a": "/*", "b": "*/"}',
        '{"a": 1, /* a, } */ "b": [2, // ]\n ],\n}',
        '{"url": "https://x//y/*z*/", "esc": "\\\\", "q": "\\"//"}',
    ],
)
def test_jsonc_reads_what_json_with_comments_means(text: str) -> None:
    blanked = blank_comments(text)
    assert len(blanked) == len(text)
    json.loads(blanked)


@pytest.mark.parametrize("text", ['{"a": 1 /* never closed', '{"a": "never closed // }\n, }'])
def test_unterminated_comment_or_string_is_a_parse_error_of_the_same_length(text: str) -> None:
    blanked = blank_comments(text)
    assert len(blanked) == len(text)
    with pytest.raises(ValueError):
        json.loads(blanked)


def test_strict_json_is_returned_as_is() -> None:
    text = '{"mcpServers": {"a": {"url": "https://mcp.example.com/mcp", "args": ["a, ]"]}}}'
    assert blank_comments(text) == text


def test_vscode_servers_inputs_and_positions() -> None:
    tree = parse_json(blank_comments(VSCODE))
    servers, known = servers_of(tree, ".vscode/mcp.json")
    assert known
    github, perplexity = servers
    assert (github.name, github.pos, github.client) == ("github", Pos(13, 5), "vscode")
    assert (github.transport, github.url, github.url_pos) == (
        "http",
        "https://api.githubcopilot.com/mcp/",
        Pos(15, 14),
    )
    assert github.headers and not github.oauth
    header = next(s for s in github.settings if s.context == "header")
    assert (header.name, header.pos, header.path) == (
        "Authorization",
        Pos(16, 37),
        "servers.github.headers.Authorization",
    )
    assert perplexity.transport == "stdio" and perplexity.command == "npx"
    api_key = next(s for s in perplexity.settings if s.name == "api-key")
    # the value after `--api-key=`, inside the argument whose quote is at column 47
    assert (api_key.value, api_key.pos) == ("${input:perplexity-key}", Pos(21, 58))
    assert password_inputs(tree) == {"perplexity-key": True}


def test_common_layout_remote_stdio_and_bridged_servers() -> None:
    text = """\
{
  "mcpServers": {
    "remote": {"type": "http", "url": "http://mcp.internal.example.com/mcp",
               "headers": {"X-API-Key": "${API_KEY}"}},
    "docker-github": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_PAT}"}
    },
    "bridge": {"command": "npx",
               "args": ["mcp-remote", "https://mcp.example.org/sse",
                        "--header", "Authorization: Bearer ${TOKEN}"]}
  }
}
"""
    servers, known = servers_of(parse_json(text), "tools/agents.json")
    assert known
    remote, github, bridge = servers
    assert (remote.transport, remote.url_pos) == ("http", Pos(3, 39))
    assert remote.runs == "http://mcp.internal.example.com/mcp"
    assert github.runs == "docker ghcr.io/github/github-mcp-server"
    env_arg = [s for s in github.settings if s.context == "arg" and s.name == "e"]
    assert [s.value for s in env_arg] == ["GITHUB_PERSONAL_ACCESS_TOKEN"]
    assert (bridge.url, bridge.transport) == ("https://mcp.example.org/sse", "http")
    header = next(s for s in bridge.settings if s.name == "Authorization")
    assert header.value == "Bearer ${TOKEN}"


def test_continue_yaml_lists_servers_by_name() -> None:
    text = """\
name: Team assistant
version: 1.0.0
schema: v1
mcpServers:
  - name: SQLite MCP
    command: npx
    args:
      - "-y"
      - "mcp-sqlite"
      - "/path/to/your/database.db"
    env:
      SQLITE_TOKEN: ${{ secrets.SQLITE_TOKEN }}
"""
    docs = parse_yaml_stream(text)[0]
    servers, known = servers_of(docs[0], ".continue/mcpServers/sqlite.yaml")
    assert known
    (sqlite,) = servers
    assert (sqlite.name, sqlite.pos, sqlite.client) == ("SQLite MCP", Pos(5, 5), "continue")
    token = next(s for s in sqlite.settings if s.context == "env")
    assert (token.name, token.pos) == ("SQLITE_TOKEN", Pos(12, 21))
    assert references(token.value) == ["secrets:SQLITE_TOKEN"]


def test_a_settings_file_without_servers_is_not_an_mcp_config() -> None:
    servers, known = servers_of(
        parse_json('{"theme": "Dracula", "mcp": {"allowed": ["x"]}}'), ".gemini/settings.json"
    )
    assert (servers, known) == ([], False)


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        (".mcp.json", True),
        ("sub/dir/.mcp.json", True),
        (".cursor/mcp.json", True),
        (".vscode/mcp.json", True),
        (".roo/mcp.json", True),
        ("claude_desktop_config.json", True),
        (".gemini/settings.json", True),
        (".continue/config.yaml", True),
        (".continue/config.json", True),
        (".continue/mcpServers/playwright.yaml", True),
        ("mcp.json", False),  # no client reads a bare mcp.json by path: content decides
        (".vscode/settings.json", False),
        ("settings.json", False),
        ("config.yaml", False),
    ],
)
def test_documented_paths(rel: str, expected: bool) -> None:
    assert is_mcp_path(rel) is expected


def test_content_mentions_servers_only_as_a_key() -> None:
    assert mentions_servers('{\n  "mcpServers": {}\n}')
    assert mentions_servers("mcpServers:\n  - name: x\n")
    assert not mentions_servers("# see the mcpServers section of the docs\nkey: value\n")


@pytest.mark.parametrize(
    ("value", "refs"),
    [
        ("${env:GITHUB_TOKEN}", ["env:GITHUB_TOKEN"]),
        ("Bearer ${input:github_mcp_pat}", ["input:github_mcp_pat"]),
        ("${API_KEY:-none}", ["env:API_KEY"]),
        ("$MY_API_TOKEN", ["env:MY_API_TOKEN"]),
        ("${{ secrets.OPENAI_KEY }}", ["secrets:OPENAI_KEY"]),
        ("literal", []),
    ],
)
def test_references(value: str, refs: list[str]) -> None:
    assert references(value) == refs


def test_gemini_http_url_headers_and_oauth() -> None:
    text = """\
{
  "theme": "Dracula",
  "mcpServers": {
    "spreadjs": {
      "httpUrl": "https://developer.example.com/mcp/spreadjs",
      "headers": { "Authorization": "Bearer $SPREADJS_TOKEN" },
      "timeout": 30000
    },
    "sso": { "httpUrl": "https://mcp.example.org/mcp", "oauth": { "enabled": true } }
  }
}
"""
    (spreadjs, sso), _ = servers_of(parse_json(blank_comments(text)), ".gemini/settings.json")
    assert (spreadjs.transport, spreadjs.url_pos, spreadjs.headers, spreadjs.oauth) == (
        "http",
        Pos(5, 18),
        True,
        False,
    )
    url = next(s for s in spreadjs.settings if s.context == "url")
    assert (url.name, url.path) == ("httpUrl", "mcpServers.spreadjs.httpUrl")
    assert sso.oauth and not sso.headers


def test_continue_legacy_transport_layout() -> None:
    text = """\
{
  "experimental": {
    "modelContextProtocolServers": [
      { "transport": { "type": "stdio", "command": "uvx",
                       "args": ["mcp-server-sqlite", "--db-path", "data/x.db"] } }
    ]
  }
}
"""
    (server,), known = servers_of(parse_json(text), ".continue/config.json")
    assert known and server.name == "#1" and server.command == "uvx"
    db = next(s for s in server.settings if s.name == "db-path")
    assert (db.value, db.path) == (
        "data/x.db",
        "experimental.modelContextProtocolServers[0].transport.args[2]",
    )
