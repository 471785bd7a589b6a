"""MCP client configurations through the real CLI: credentials given to agents (NHI101), a person's
token given to the GitHub/GitLab server (NHI107), remote servers over plain HTTP (NHI209), one
credential given to several servers (NHI403), and MCP servers in the inventory.

Layouts follow each client's documentation (Claude Code `.mcp.json`, Cursor `.cursor/mcp.json`,
VS Code `.vscode/mcp.json`, Gemini CLI `.gemini/settings.json`, Continue `config.yaml`). Every token
is built at run time from a seeded generator, so no secret-shaped text is written in this file.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path
from typing import Any

from tests.conftest import run_cli

_RNG = random.Random(2109)
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"


def rnd(n: int, alphabet: str = ALNUM) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


OPENAI = "sk-" + "proj-" + rnd(74, URLSAFE) + "T3Blbk" + "FJ" + rnd(74, URLSAFE)
ANTHROPIC = "sk-" + "ant-api03-" + rnd(93, URLSAFE) + "AA"
HF = "hf" + "_" + rnd(34, string.ascii_letters)
GHP = "ghp" + "_" + rnd(36)
GLPAT = "glpat" + "-" + rnd(20, URLSAFE)
SECRETS = (OPENAI, ANTHROPIC, HF, GHP, GLPAT)


def scan(tmp_path: Path, files: dict[str, str], *args: str) -> tuple[int, list[dict[str, Any]], int]:
    """Write `files`, scan the directory as a user would: the exit code, the JSON findings and the
    number of files scanned. No report (JSON or text) may hold a secret."""
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    done = run_cli("scan", ".", "--format", "json", *args, cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    text = run_cli("scan", ".", *args, cwd=tmp_path)
    shown = done.stdout + done.stderr + text.stdout + text.stderr
    for secret in SECRETS:
        assert secret[6:] not in shown
    report = json.loads(done.stdout)
    return done.returncode, report["findings"], report["summary"]["files_scanned"]


def where(findings: list[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    return sorted((f["rule_id"], f["file"], f["line"], f["column"]) for f in findings)


def test_literal_llm_key_in_a_servers_env(tmp_path: Path) -> None:
    code, findings, _ = scan(
        tmp_path,
        {
            ".cursor/mcp.json": (
                "{\n"
                '  "mcpServers": {\n'
                '    "research": {\n'
                '      "command": "npx",\n'
                '      "args": ["-y", "@acme/research-mcp"],\n'
                f'      "env": {{ "OPENAI_API_KEY": "{OPENAI}" }}\n'
                "    }\n"
                "  }\n"
                "}\n"
            )
        },
    )
    assert code == 1
    assert where(findings) == [("NHI101", ".cursor/mcp.json", 6, 34)]
    (finding,) = findings
    assert finding["identity"] == {"kind": "mcp-server", "name": "research"}
    assert "OpenAI API key" in finding["message"] and "sk-p****" in finding["message"]
    assert "${env:" in finding["suggestion"]["text"] + (finding["suggestion"]["snippet"] or "")


VSCODE_GITHUB = """\
{
  // the remote GitHub MCP server, with a token pasted in
  "servers": {
    "github": {
      "type": "http",
      "url": "https://api.githubcopilot.com/mcp/",
      "headers": {
        "Authorization": "Bearer %s",
      },
    },
  },
}
"""


def test_vscode_jsonc_header_with_a_personal_token(tmp_path: Path) -> None:
    _, findings, _ = scan(tmp_path, {".vscode/mcp.json": VSCODE_GITHUB % GHP})
    assert where(findings) == [("NHI101", ".vscode/mcp.json", 8, 26), ("NHI107", ".vscode/mcp.json", 8, 26)]
    nhi101 = next(f for f in findings if f["rule_id"] == "NHI101")
    # the client's own indirection: a password input, prompted once and kept in the keychain
    fix = nhi101["suggestion"]["text"] + (nhi101["suggestion"]["snippet"] or "")
    assert '"password": true' in fix and "${input:" in fix
    nhi107 = next(f for f in findings if f["rule_id"] == "NHI107")
    assert "GitHub App" in nhi107["suggestion"]["text"] and "fine-grained" in nhi107["suggestion"]["text"]


def test_references_and_placeholders_stay_silent(tmp_path: Path) -> None:
    code, findings, scanned = scan(
        tmp_path,
        {
            ".mcp.json": json.dumps(
                {
                    "mcpServers": {
                        "api": {
                            "type": "http",
                            "url": "https://mcp.example.com/mcp",
                            "headers": {"Authorization": "Bearer ${API_KEY}"},
                        },
                        "search": {
                            "command": "npx",
                            "args": ["-y", "tavily-mcp"],
                            "env": {"TAVILY_API_KEY": "<your-key>"},
                        },
                        "llm": {"command": "uvx", "args": ["llm-mcp", "--api-key", "YOUR_API_KEY"]},
                        "hf": {
                            "command": "uvx",
                            "args": ["hf-mcp"],
                            "env": {"HF_TOKEN": "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
                        },
                    }
                },
                indent=2,
            ),
            ".vscode/mcp.json": json.dumps(
                {
                    "inputs": [{"type": "promptString", "id": "pplx", "password": True}],
                    "servers": {
                        "perplexity": {
                            "command": "npx",
                            "args": ["-y", "pplx-mcp"],
                            "env": {"PPLX": "${input:pplx}"},
                        }
                    },
                },
                indent=2,
            ),
            ".gemini/settings.json": (
                "{\n  // Gemini expands $VAR\n"
                '  "mcpServers": {"x": {"command": "x-mcp", "env": {"X_TOKEN": "$X_TOKEN"}}}\n}\n'
            ),
        },
    )
    assert (code, findings, scanned) == (0, [], 3)


def test_remote_server_over_plain_http(tmp_path: Path) -> None:
    _, findings, _ = scan(
        tmp_path,
        {
            ".mcp.json": (
                "{\n"
                '  "mcpServers": {\n'
                '    "tickets": {"type": "http", "url": "http://mcp.tickets.example.com/mcp"},\n'
                '    "local": {"type": "http", "url": "http://localhost:8080/mcp"},\n'
                '    "loopback": {"type": "sse", "url": "http://127.0.0.1:9000/sse"},\n'
                '    "tls": {"type": "http", "url": "https://mcp.example.com/mcp"},\n'
                '    "bridged": {"command": "npx",\n'
                '                "args": ["mcp-remote", "http://10.0.4.7:3000/mcp", "--allow-http"]}\n'
                "  }\n"
                "}\n"
            )
        },
    )
    assert where(findings) == [("NHI209", ".mcp.json", 3, 40), ("NHI209", ".mcp.json", 8, 40)]
    assert all(f["severity"] == "warning" and f["owasp"] == "NHI4" for f in findings)
    assert findings[0]["identity"] == {"kind": "mcp-server", "name": "tickets"}


def test_one_credential_given_to_several_servers(tmp_path: Path) -> None:
    def config(server: str, package: str, ref: str) -> str:
        return json.dumps(
            {"mcpServers": {server: {"command": "npx", "args": ["-y", package], "env": {"API_TOKEN": ref}}}},
            indent=2,
        )

    _, findings, _ = scan(
        tmp_path,
        {
            ".cursor/mcp.json": config("jira", "@acme/jira-mcp", "${env:ACME_API_TOKEN}"),
            ".roo/mcp.json": config("wiki", "@acme/wiki-mcp", "${env:ACME_API_TOKEN}"),
            # the same server in another client's file is the same agent server: not a second user
            ".vscode/mcp.json": json.dumps(
                {
                    "servers": {
                        "jira": {
                            "command": "npx",
                            "args": ["-y", "@acme/jira-mcp"],
                            "env": {"API_TOKEN": "${env:ACME_API_TOKEN}"},
                        }
                    }
                },
                indent=2,
            ),
        },
    )
    (finding,) = findings
    assert (finding["rule_id"], finding["file"], finding["line"]) == ("NHI403", ".cursor/mcp.json", 10)
    assert "ACME_API_TOKEN" in finding["message"]
    assert [r["file"] for r in finding["related"]] == [".roo/mcp.json"]


def test_secrets_in_arguments(tmp_path: Path) -> None:
    _, findings, _ = scan(
        tmp_path,
        {
            ".mcp.json": (
                "{\n"
                '  "mcpServers": {\n'
                '    "claude-tools": {"command": "uvx", "args": ["claude-tools-mcp", "--api-key", '
                f'"{ANTHROPIC}"]}},\n'
                '    "github": {\n'
                '      "command": "docker",\n'
                f'      "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN={GHP}",\n'
                '               "ghcr.io/github/github-mcp-server"]\n'
                "    }\n"
                "  }\n"
                "}\n"
            )
        },
    )
    assert where(findings) == [
        ("NHI101", ".mcp.json", 3, 82),
        # the value after `GITHUB_PERSONAL_ACCESS_TOKEN=`, inside the argument
        ("NHI101", ".mcp.json", 6, 73),
        ("NHI107", ".mcp.json", 6, 73),
    ]


def test_github_server_on_a_personal_token_reference(tmp_path: Path) -> None:
    _, findings, _ = scan(
        tmp_path,
        {
            "claude_desktop_config.json": json.dumps(
                {
                    "mcpServers": {
                        "github": {
                            "command": "npx",
                            "args": ["-y", "@modelcontextprotocol/server-github"],
                            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_PAT}"},
                        },
                        "gitlab-oauth": {"type": "http", "url": "https://gitlab.com/api/v4/mcp"},
                    }
                },
                indent=2,
            )
        },
    )
    assert where(findings) == [("NHI107", "claude_desktop_config.json", 10, 41)]
    assert findings[0]["identity"] == {"kind": "mcp-server", "name": "github"}


def test_configs_recognised_by_content_and_continue_yaml(tmp_path: Path) -> None:
    _, findings, _ = scan(
        tmp_path,
        {
            "agents/team-tools.json": json.dumps(
                {"mcpServers": {"hub": {"command": "uvx", "args": ["hf-mcp"], "env": {"HF_TOKEN": HF}}}},
                indent=2,
            ),
            ".continue/config.yaml": (
                "name: Team assistant\n"
                "version: 1.0.0\n"
                "schema: v1\n"
                "models:\n"
                "  - name: Claude\n"
                "    provider: anthropic\n"
                "    model: claude-sonnet-4\n"
                f"    apiKey: {ANTHROPIC}\n"
                "mcpServers:\n"
                "  - name: SQLite MCP\n"
                "    command: npx\n"
                '    args: ["-y", "mcp-sqlite", "/data/app.db"]\n'
            ),
            # Gemini settings without servers, and an unrelated JSON file: not configs nhilint reads
            ".gemini/settings.json": '{"theme": "Dracula"}\n',
            "package.json": '{"name": "app", "description": "mcpServers: see docs"}\n',
        },
    )
    assert where(findings) == [
        ("NHI101", ".continue/config.yaml", 8, 13),
        ("NHI101", "agents/team-tools.json", 9, 21),
    ]


def test_broken_config_is_a_parse_error_not_a_silent_pass(tmp_path: Path) -> None:
    _, findings, _ = scan(
        tmp_path, {".cursor/mcp.json": '{\n  "mcpServers": {\n    "x": {"command": "npx",,}\n  }\n}\n'}
    )
    assert [(f["rule_id"], f["line"]) for f in findings] == [("NHI001", 3)]


def test_mcp_servers_are_identities_in_the_inventory(tmp_path: Path) -> None:
    (tmp_path / ".cursor").mkdir()
    (tmp_path / ".cursor/mcp.json").write_text(
        json.dumps(
            {
                "mcpServers": {
                    "research": {
                        "command": "npx",
                        "args": ["-y", "@acme/research-mcp"],
                        "env": {"OPENAI_API_KEY": OPENAI},
                    },
                    "docs": {"type": "http", "url": "https://mcp.example.com/mcp"},
                }
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    done = run_cli("inventory", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert OPENAI[6:] not in done.stdout
    servers = [i for i in json.loads(done.stdout)["identities"] if i["kind"] == "mcp-server"]
    assert sorted((s["name"], s["line"], s["rules"]) for s in servers) == [
        ("docs", 13, []),
        ("research", 3, ["NHI101"]),
    ]
