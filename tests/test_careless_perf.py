"""A careless user against the performance work: what a scan did before it must still do."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import run_cli


@pytest.mark.parametrize("jobs", [[], ["--jobs", "1"], ["--jobs", "2"]])
def test_a_scan_with_nothing_to_read_leaves_the_cache_alone(tmp_path: Path, jobs: list[str]) -> None:
    """A repository without infrastructure files reads no unit: no cache directory is made for it, and
    a cache that would be refused (here inside a git work tree) is not even looked at, so no note."""
    repo = tmp_path / "docs-only"
    repo.mkdir()
    (repo / "README.md").write_text("# Release notes\n\nNothing to deploy here.\n")
    (repo / "notes.txt").write_text("aws_iam_user is mentioned in prose only.\n")
    fresh = tmp_path / "fresh-cache"
    done = run_cli("scan", ".", *jobs, cwd=repo, env={"XDG_CACHE_HOME": str(fresh)})
    assert done.returncode == 0, done.stderr
    assert not fresh.exists()

    checkout = tmp_path / "checkout"
    checkout.mkdir()
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    planted = checkout / ".cache"
    done = run_cli("scan", ".", *jobs, cwd=repo, env={"XDG_CACHE_HOME": str(planted)})
    assert done.returncode == 0 and done.stderr == "", done.stderr
