"""What a CI file pulls in from elsewhere (another project's or a remote include, another
repository's reusable workflow) is never read: the scan says so instead of passing in silence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REMOTE = {
    ".gitlab-ci.yml": (
        "include:\n"
        "  - local: ci/build.yml\n"
        "  - project: acme/ci-templates\n"
        "    ref: v3\n"
        "    file: /deploy.yml\n"
        "build:\n"
        "  script: make\n"
    ),
    ".github/workflows/release.yml": (
        "on: push\n"
        "permissions: {}\n"
        "jobs:\n"
        "  deploy:\n"
        "    uses: acme/shared/.github/workflows/deploy.yml@v1\n"
        "    secrets:\n"
        "      token: ${{ secrets.DEPLOY_TOKEN }}\n"
    ),
}
LOCAL = {
    ".gitlab-ci.yml": "include:\n  - local: ci/build.yml\nbuild:\n  script: make\n",
    ".github/workflows/release.yml": (
        "on: push\npermissions: {}\njobs:\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n"
    ),
}


def skipped(root: Path) -> dict[str, list[str]]:
    proc = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", ".", "--format", "json", "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return dict(json.loads(proc.stdout)["skipped"])


@pytest.mark.parametrize("name", sorted(REMOTE))
def test_a_file_pulled_in_from_elsewhere_is_counted_as_not_read(tmp_path: Path, name: str) -> None:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(REMOTE[name])
    assert [files for files in skipped(tmp_path).values()] == [[name]]


@pytest.mark.parametrize("name", sorted(LOCAL))
def test_a_local_include_or_workflow_is_not_a_skip(tmp_path: Path, name: str) -> None:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(LOCAL[name])
    assert skipped(tmp_path) == {}
