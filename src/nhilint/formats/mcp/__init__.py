"""MCP client configurations: the servers AI agents are given (`.mcp.json`, `.cursor/mcp.json`,
`.vscode/mcp.json`, `claude_desktop_config.json`, `.gemini/settings.json`, Continue's `config.yaml`,
or any JSON/YAML file with a top-level `mcpServers`). See docs/ai-agents.md."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from nhilint.formats.base import Format
from nhilint.formats.mcp.servers import is_mcp_path
from nhilint.knowledge.credential_names import lazy

_SERVERS_KEY = lazy(r"""["']?(?:mcpServers|modelContextProtocolServers)["']?\s*:""")
_VSCODE_SETTINGS = lazy(r'"mcp"\s*:')


def _by_path(path: PurePosixPath, text: str) -> bool:
    if is_mcp_path(str(path)):
        return True
    # VS Code workspace settings hold servers under `mcp.servers` (before `.vscode/mcp.json` existed)
    return (
        path.name == "settings.json"
        and path.parent.name == ".vscode"
        and bool(_VSCODE_SETTINGS().search(text))
    )


def _by_shape(top: Mapping[str, object]) -> bool:
    return "mcpServers" in top


def _by_words(name: str, head: str) -> bool:
    """A file with comments (JSONC) or otherwise unreadable: its `mcpServers` key says it is one."""
    return name.endswith((".json", ".jsonc", ".yaml", ".yml")) and bool(_SERVERS_KEY().search(head))


FORMAT = Format(
    name="mcp",
    title="MCP client configuration",
    language="json",
    extractor="nhilint.formats.mcp.extract",
    suffixes=(".json", ".yaml", ".yml"),
    by_path=_by_path,
    mentions="mcpServers|modelContextProtocolServers",
    by_shape=_by_shape,
    keys=("mcpServers",),  # its value is a mapping (a list in Continue): the key decides
    by_words=_by_words,
    newline_lines=lambda rel, text: text.lstrip().startswith("{"),  # JSON, like the JSON parser
    noun="mcp-server",
    loose_noun="file",  # a value outside every server (a Continue model's apiKey) is the file's
    comment_markers=("//", "#"),
)
