"""The pre-commit hooks for real: a temporary repository installs them from a committed copy of this
checkout, a commit with a hardcoded credential is blocked, and the fixed commit goes through."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nhilint.parse.yaml import load_plain

from .conftest import ROOT

TOKEN = "ghp_R8x2Lq9ZbT4mW7nK3vY6pJ1sD5fH0gC8aE2u"
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or "pre-commit"


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def committed_copy_of_this_checkout(dest: Path, env: dict[str, str]) -> str:
    """pre-commit installs hooks from a commit: copy the working tree (tracked and untracked, not
    ignored) so uncommitted work is tested too, commit it, and return the commit."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout.split("\0")
    for rel in filter(None, listed):
        source = ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "nhilint under test")):
        assert git(dest, *args, env=env).returncode == 0
    return git(dest, "rev-parse", "HEAD", env=env).stdout.strip()


def deployment(name: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n"
        f"  template:\n    spec:\n      serviceAccountName: orders\n      containers:\n"
        f"        - name: app\n          image: registry.example.com/{name}:1.0\n"
    )


def test_context_reads_the_repository_but_reports_only_the_given_files(tmp_path: Path) -> None:
    from nhilint.config import Config
    from nhilint.pipeline.scan import scan as scan_paths

    files = {
        "sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: orders\n  namespace: shop\n",
        "a.yaml": deployment("api"),
        "b.yaml": deployment("worker"),
        "old.tf": f'locals {{\n  token = "{TOKEN}"\n}}\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).write_text(text)
    full = scan_paths([tmp_path], Config(), root=tmp_path)
    shared = [f for f in full.active if f.rule_id == "NHI402"]
    assert shared and {r.loc.file for r in shared[0].related} >= {"a.yaml", "b.yaml"}
    alone = scan_paths([tmp_path / "b.yaml"], Config(), root=tmp_path)
    assert not [f for f in alone.active if f.rule_id == "NHI402"]  # b.yaml alone shares nothing
    staged = scan_paths([tmp_path / "b.yaml"], Config(), root=tmp_path, context=[tmp_path])
    assert [f.rule_id for f in staged.active if f.rule_id == "NHI402"] == ["NHI402"]
    assert "old.tf" not in {f.loc.file for f in staged.findings}
    assert [f.fingerprint for f in staged.findings] == [
        f.fingerprint for f in full.findings if f in staged.findings
    ]


def test_manifest_lists_both_hooks() -> None:
    hooks = {h["id"]: h for h in load_plain((ROOT / ".pre-commit-hooks.yaml").read_text())}
    # file names are never options; a Terraform plan is read only when configured
    assert hooks["nhilint"]["entry"] == "nhilint scan --context . --skip-plans --"
    assert hooks["nhilint-repo"]["pass_filenames"] is False


def hook_env(tmp_path: Path) -> dict[str, str]:
    """pre-commit and git confined to `tmp_path`, with this interpreter's tools first on PATH."""
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }


def repository_with_the_hook(tmp_path: Path, env: dict[str, str]) -> Path:
    """An empty git repository whose pre-commit runs the `nhilint` hook of this checkout."""
    source = tmp_path / "nhilint-src"
    source.mkdir()
    rev = committed_copy_of_this_checkout(source, env)
    repo = tmp_path / "repo"
    repo.mkdir()
    assert git(repo, "init", "-q", env=env).returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {rev}\n    hooks:\n      - id: nhilint\n"
    )
    install = subprocess.run([PRE_COMMIT, "install"], cwd=repo, env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    return repo


@pytest.mark.slow
def test_the_hook_reads_a_terraform_plan_only_when_configured(tmp_path: Path) -> None:
    """A plan is a build output, stale by the next commit: a committed one is not judged by the hook
    (nor read as the context of the `.tf` files) until .nhilint.yaml says `scan-plans: true`."""
    env = hook_env(tmp_path)
    repo = repository_with_the_hook(tmp_path, env)
    plan_dir = ROOT / "tests" / "data" / "tfplan"
    shutil.copytree(plan_dir, repo / "infra", ignore=shutil.ignore_patterns("tfplan.json"))
    assert git(repo, "add", "-A", env=env).returncode == 0
    assert git(repo, "commit", "-q", "--no-verify", "-m", "infra", env=env).returncode == 0

    shutil.copy(plan_dir / "tfplan.json", repo / "infra" / "tfplan.json")
    git(repo, "add", "infra/tfplan.json", env=env)
    ignored = git(repo, "commit", "-m", "plan", env=env)
    assert ignored.returncode == 0, ignored.stdout + ignored.stderr

    (repo / ".nhilint.yaml").write_text("scan-plans: true\n")
    plan = (plan_dir / "tfplan.json").read_text(encoding="utf-8")
    (repo / "infra" / "tfplan.json").write_text(plan.replace("  ", " "), encoding="utf-8")  # re-planned
    git(repo, "add", ".nhilint.yaml", "infra/tfplan.json", env=env)
    judged = git(repo, "commit", "-m", "plan again", env=env)
    output = judged.stdout + judged.stderr
    assert judged.returncode != 0, output
    assert "NHI204" in output and "module.ops_role.aws_iam_role.this[0]" in output


@pytest.mark.slow
def test_commit_blocked_by_a_finding_and_allowed_after_the_fix(tmp_path: Path) -> None:
    env = hook_env(tmp_path)
    source = tmp_path / "nhilint-src"
    source.mkdir()
    rev = committed_copy_of_this_checkout(source, env)

    repo = tmp_path / "repo"
    (repo / "legacy").mkdir(parents=True)
    assert git(repo, "init", "-q", env=env).returncode == 0
    # an old finding elsewhere in the repository must not block an unrelated commit
    (repo / "legacy" / "old.tf").write_text(f'locals {{\n  token = "{TOKEN}"\n}}\n')
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {rev}\n    hooks:\n      - id: nhilint\n"
    )
    assert git(repo, "add", "-A", env=env).returncode == 0
    assert git(repo, "commit", "-q", "-m", "before nhilint", env=env).returncode == 0
    install = subprocess.run([PRE_COMMIT, "install"], cwd=repo, env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr

    (repo / "app").mkdir()
    (repo / "app" / "main.tf").write_text(f'locals {{\n  api_token = "{TOKEN}"\n}}\n')
    # a hostile commit: file names that would be options if pre-commit's list were parsed as such
    (repo / "cfg").mkdir()
    (repo / "cfg" / "evil.yaml").write_text("ignore: [NHI]\n")
    (repo / "--config=cfg").mkdir()
    (repo / "--config=cfg" / "evil.yaml").write_text("ignore: [NHI]\n")
    git(repo, "add", "--", "app/main.tf", "cfg/evil.yaml", "--config=cfg/evil.yaml", env=env)
    blocked = git(repo, "commit", "-m", "add app", env=env)
    output = blocked.stdout + blocked.stderr  # git shows hook output on stderr
    assert blocked.returncode != 0, output
    assert "app/main.tf" in output and "NHI101" in output and "1 of 2 files scanned" in output
    assert "legacy/old.tf" not in output
    assert TOKEN not in output

    (repo / "app" / "main.tf").write_text('variable "api_token" {\n  sensitive = true\n}\n')
    git(repo, "add", "app/main.tf", env=env)
    git(repo, "rm", "-q", "--cached", "--", "cfg/evil.yaml", "--config=cfg/evil.yaml", env=env)
    allowed = git(repo, "commit", "-m", "add app", env=env)
    output = allowed.stdout + allowed.stderr
    assert allowed.returncode == 0, output
    assert "nhilint (non-human identities)" in output and "Passed" in output
