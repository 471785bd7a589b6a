"""An error of the system (here a full disk) ends a command with one sentence on stderr and exit 2,
not a traceback and exit 1, which a gate would read as "findings" (even under --exit-zero)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FULL = Path("/dev/full")  # Linux: every write fails with ENOSPC

WORKFLOW = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
"""


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full (Linux) to make stdout fail")
@pytest.mark.parametrize("extra", [[], ["--exit-zero"], ["--format", "json"], ["--format", "sarif"]])
def test_an_unwritable_report_is_exit_2_with_one_sentence(tmp_path: Path, extra: list[str]) -> None:
    workflow = tmp_path / ".github" / "workflows" / "deploy.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(WORKFLOW)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("NHILINT_DEBUG", None)
    with FULL.open("w") as stdout:
        proc = subprocess.run(
            [sys.executable, "-m", "nhilint.cli", "scan", str(tmp_path), *extra],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=120,
        )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nhilint: error: "), proc.stderr
