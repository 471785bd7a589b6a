"""A scan makes no network request, runs no code from the scanned repository and writes nothing
inside it.

The CLI runs in a child process whose `sitecustomize` installs an audit hook that aborts on any
socket connection or name lookup. The scanned repository is a git work tree armed with every
code-running trap we know of (conftest.py, setup.py, Makefile, pre-commit config, git hooks and a
`core.fsmonitor` command, which `git ls-files` would run); each trap writes a marker file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the installed entry point, as users run it (`python -m` would put the scanned directory on sys.path)
NHILINT = str(Path(sys.executable).with_name("nhilint"))

NO_NETWORK = """
import os, sys

def _hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto",
                 "socket.gethostbyaddr", "urllib.Request", "http.client.connect"):
        sys.stderr.write(f"NETWORK ACCESS: {event} {args!r}\\n")
        os._exit(99)

sys.addaudithook(_hook)
"""


def _trap(marker: Path) -> str:
    return f"touch {marker}"


def _armed_repo(repo: Path, marker: Path) -> None:
    shutil.copytree(ROOT / "fixtures" / "insecure", repo)
    python = f"import pathlib; pathlib.Path({str(marker)!r}).touch()\n"
    (repo / "conftest.py").write_text(python)
    (repo / "setup.py").write_text(python)
    (repo / "sitecustomize.py").write_text(python)
    (repo / "nhilint.py").write_text(python)  # shadowing our own package name
    (repo / "Makefile").write_text(f"all:\n\t{_trap(marker)}\n")
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: local\n    hooks:\n      - id: x\n        name: x\n"
        f"        entry: {_trap(marker)}\n"
        "        language: system\n"
    )
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        subprocess.run(
            ["git", "-C", str(repo), "config", "core.fsmonitor", f"{_trap(marker)}; false"], check=True
        )
        for hook in (
            "pre-commit",
            "post-checkout",
            "post-index-change",
            "fsmonitor-watchman",
            "reference-transaction",
        ):
            path = repo / ".git" / "hooks" / hook
            path.write_text(f"#!/bin/sh\n{_trap(marker)}\n")
            path.chmod(0o755)


def _snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    return {
        p.relative_to(root).as_posix(): (p.stat().st_mode, p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if not p.is_symlink()
    }


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_scan_is_offline_inert_and_read_only(tmp_path: Path, fmt: str) -> None:
    repo, marker, hooks = tmp_path / "repo", tmp_path / "MARKER", tmp_path / "hooks"
    _armed_repo(repo, marker)
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(NO_NETWORK)
    before = _snapshot(repo)
    out = tmp_path / f"report.{fmt}"
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(hooks), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run(
        [NHILINT, "scan", ".", "--format", fmt, "--output", str(out)],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # the insecure fixture has findings
    assert "NETWORK ACCESS" not in proc.stderr
    assert out.stat().st_size > 0
    assert not marker.exists()
    assert _snapshot(repo) == before


def test_the_network_guard_itself_works(tmp_path: Path) -> None:
    """The audit hook must catch a lookup, or the test above proves nothing."""
    (tmp_path / "sitecustomize.py").write_text(NO_NETWORK)
    proc = subprocess.run([sys.executable, "-c", "import socket; socket.getaddrinfo('example.com', 443)"],
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert proc.returncode == 99 and "NETWORK ACCESS" in proc.stderr
