"""The `nhilint-fix` pre-commit hook for real: it fixes the staged file, pre-commit fails the commit
because the hook changed it, and the reviewed, re-staged commit goes through."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from nhilint.parse.yaml import load_plain

from .conftest import ROOT
from .test_precommit import PRE_COMMIT, committed_copy_of_this_checkout, git, hook_env

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  serviceAccountName: web
  containers:
    - name: app
      image: registry.example.com/web:1.0
  volumes:
    - name: tok
      projected:
        sources:
          - serviceAccountToken:
              path: token
              expirationSeconds: 86400  # a day
"""


def test_manifest_declares_the_fix_hook_like_the_scan_hook() -> None:
    hooks = {h["id"]: h for h in load_plain((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["nhilint-fix"]["entry"] == "nhilint fix --context . --skip-plans --"
    assert hooks["nhilint-fix"]["files"] == hooks["nhilint"]["files"]


@pytest.mark.slow
def test_the_hook_fixes_the_staged_file_and_the_commit_waits_for_review(tmp_path: Path) -> None:
    env = hook_env(tmp_path)
    source = tmp_path / "nhilint-src"
    source.mkdir()
    rev = committed_copy_of_this_checkout(source, env)
    repo = tmp_path / "repo"
    repo.mkdir()
    assert git(repo, "init", "-q", env=env).returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {rev}\n    hooks:\n      - id: nhilint-fix\n"
    )
    (repo / "legacy.yaml").write_text(POD)  # committed before the hook: never edited by it
    assert git(repo, "add", "-A", env=env).returncode == 0
    assert git(repo, "commit", "-q", "-m", "before nhilint", env=env).returncode == 0
    install = subprocess.run([PRE_COMMIT, "install"], cwd=repo, env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr

    (repo / "pod.yaml").write_text(POD)
    git(repo, "add", "pod.yaml", env=env)
    blocked = git(repo, "commit", "-m", "add the pod", env=env)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "files were modified by this hook" in output and "Fixed 1 finding in 1 file" in output
    fixed = POD.replace("expirationSeconds: 86400", "expirationSeconds: 3600")
    assert (repo / "pod.yaml").read_text() == fixed
    assert (repo / "legacy.yaml").read_text() == POD

    git(repo, "add", "pod.yaml", env=env)  # reviewed
    allowed = git(repo, "commit", "-m", "add the pod", env=env)
    output = allowed.stdout + allowed.stderr
    assert allowed.returncode == 0, output
    assert "nhilint fix (non-human identities)" in output and "Passed" in output
