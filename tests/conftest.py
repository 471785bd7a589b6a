"""Shared test helpers: real scans of real files, through the library and through the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from nhilint.config import Config
from nhilint.findings import ScanResult
from nhilint.pipeline.scan import scan as scan_paths

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
REQUIRE_TOOLS = "NHILINT_REQUIRE_TOOLS"
# The user's cache, read before the session points XDG_CACHE_HOME at a private one: tools the tests
# build once (checkov's venv) live there, across sessions.
# An IAM user with a long-lived access key (NHI102), tagged with an owner.
USER_WITH_KEY = """\
resource "aws_iam_user" "ci" {
  name = "ci-bot"
  tags = { owner = "platform", expires = "2099-01-01" }
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}
"""
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every scan of the session, in process or in a child, uses a cache of its own: the user's
    `~/.cache` (maybe an old 0755 one that nhilint refuses, with a note) never decides a result."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


def missing_tool(why: str) -> NoReturn:
    """Skip a test whose external tool is not installed, or fail it when the run requires every tool
    (CI sets NHILINT_REQUIRE_TOOLS=1 after installing them): a green CI never hides a check not run."""
    if os.environ.get(REQUIRE_TOOLS) == "1":
        pytest.fail(f"{why} ({REQUIRE_TOOLS}=1: this run must have the tool)", pytrace=False)
    pytest.skip(why)


def scan_tree(root: Path, files: dict[str, str], config: Config | None = None) -> ScanResult:
    """Write `files` under `root` and scan them for real."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return scan_paths([root], config or Config(), root=root)


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `nhilint` entry point as a user would."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "nhilint.cli", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def scan(tmp_path: Path):
    def _scan(files: dict[str, str], config: Config | None = None) -> ScanResult:
        return scan_tree(tmp_path, files, config)

    return _scan
