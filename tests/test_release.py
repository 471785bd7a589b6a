"""The project practises what it preaches: its own workflows and action pass nhilint (and zizmor), are
valid, least-privilege and pinned; and the version comes from the git tag however nhilint is built."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from nhilint.parse.yaml import load_plain

from .conftest import ROOT, missing_tool
from .test_precommit import committed_copy_of_this_checkout, git

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = ROOT / "action.yml"
BIN = Path(sys.executable).parent
OWN_CI_FILES = [".github", "action.yml", "docs/examples"]


def load(path: Path) -> dict[str, Any]:
    document = load_plain(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_the_project_has_ci_and_release_workflows() -> None:
    assert {w.name for w in WORKFLOWS} >= {"ci.yml", "release.yml"}


def test_nhilint_finds_nothing_in_its_own_workflows_action_and_examples(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", *OWN_CI_FILES, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    report = json.loads(done.stdout)
    assert report["findings"] == []
    assert report["summary"]["files_scanned"] >= len(WORKFLOWS) + 2


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_valid_against_githubs_schema(path: Path) -> None:
    tool = shutil.which("check-jsonschema", path=str(BIN))
    if tool is None:
        missing_tool("needs check-jsonschema (a test dependency)")
    schema = "vendor.github-actions" if path == ACTION else "vendor.github-workflows"
    done = subprocess.run(
        [tool, "--builtin-schema", schema, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_zizmor_finds_nothing_in_the_projects_workflows_and_action() -> None:
    tool = shutil.which("zizmor", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if tool is None:
        missing_tool("needs zizmor (`pip install zizmor`; .ci/run installs it)")
    done = subprocess.run(
        [tool, "--offline", "--persona=pedantic", "--no-progress", ".github/workflows", "action.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def uses_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if re.match(r"\s*(- )?uses:", line)]


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_every_action_is_pinned_by_full_sha_with_its_version(path: Path) -> None:
    lines = uses_lines(path)
    assert lines
    for line in lines:
        assert re.fullmatch(r"(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40}\s+# v\d+(\.\d+)*", line), line


def jobs(path: Path) -> dict[str, dict[str, Any]]:
    return load(path)["jobs"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_per_job_and_no_persisted_credentials(path: Path) -> None:
    assert load(path)["permissions"] == {}, "nothing at the top: each job asks for its own"
    for name, job in jobs(path).items():
        assert isinstance(job.get("permissions"), dict) and job["permissions"], f"{name}: no permissions"
        assert "write-all" not in str(job["permissions"])
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, name


def test_release_publishes_with_trusted_publishing_from_a_protected_environment() -> None:
    release = ROOT / ".github" / "workflows" / "release.yml"
    assert "secrets." not in release.read_text(), "no stored token: OIDC only"
    by_name = jobs(release)
    with_id_token = [name for name, job in by_name.items() if job["permissions"].get("id-token") == "write"]
    assert with_id_token == ["publish"], "id-token: write on the publishing job only"
    publish = by_name["publish"]
    assert publish["environment"]["name"] == "pypi"
    steps = [str(step.get("uses", "")) for step in publish["steps"]]
    assert any(s.startswith("actions/attest-build-provenance@") for s in steps)
    assert any(s.startswith("pypa/gh-action-pypi-publish@") for s in steps)
    assert not any("password" in step.get("with", {}) for step in publish["steps"])
    # Built once: only the build job builds; the others download its artifact.
    builders = [name for name, job in by_name.items() if "python -m build" in json.dumps(job)]
    assert builders == ["build"]
    assert by_name["publish"]["needs"] == "build" and by_name["github-release"]["needs"] == "publish"


def test_ci_runs_what_ci_run_runs_on_every_supported_python() -> None:
    (job,) = jobs(ROOT / ".github" / "workflows" / "ci.yml").values()
    assert any(step.get("run") == "bash .ci/run" for step in job["steps"])
    minimum = re.search(r'requires-python = ">=(\d+\.\d+)"', (ROOT / "pyproject.toml").read_text())
    assert minimum and minimum.group(1) in job["strategy"]["matrix"]["python"]


# The version comes from the git tag, however nhilint is built: pip from a git URL at a tag, a GitHub
# tarball (`git archive`, what the Actions runner downloads an action as), a copy with no git metadata.


def build_version(source: str, tmp_path: Path, name: str) -> str:
    """Install SOURCE (a directory or pip URL) without dependencies into a target directory, return what
    `python -m nhilint --version` prints from there."""
    target = tmp_path / name
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), source],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    version = subprocess.run(
        [sys.executable, "-m", "nhilint", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(target)},
    )
    assert version.returncode == 0, version.stderr
    answered = subprocess.run(
        [sys.executable, "-c", "import nhilint; print(nhilint.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(target)},
    )
    assert str(target) in answered.stdout  # the copy under test answered, not the checkout
    return version.stdout.strip()


@pytest.mark.slow
def test_the_version_is_the_git_tag_however_nhilint_is_built(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    repo = tmp_path / "repo"
    repo.mkdir()
    commit = committed_copy_of_this_checkout(repo, env)

    # A clean clone with no tag at all still builds, as a development version of the fallback.
    untagged = build_version(str(repo), tmp_path, "untagged")
    assert re.fullmatch(r"nhilint, version 0\.0\.1\.dev\d+\+g[0-9a-f]+", untagged)

    assert git(repo, "tag", "v9.8.7", env=env).returncode == 0
    # pip from the repository at the tag (docs/install.md's `git+https://...@ref`, here a local URL).
    assert build_version(f"git+file://{repo}@v9.8.7", tmp_path, "pip-git") == "nhilint, version 9.8.7"

    # A tarball of the tag (GitHub's archives, the action's checkout): no .git, the version still known.
    archive = tmp_path / "nhilint.tar"
    archived = git(
        repo, "archive", "--format=tar", "--prefix=nhilint/", "-o", str(archive), "v9.8.7", env=env
    )
    assert archived.returncode == 0
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "archive-src", filter="data")
    unpacked = tmp_path / "archive-src" / "nhilint"
    assert commit[:7] in (unpacked / ".git_archival.txt").read_text()
    assert build_version(str(unpacked), tmp_path, "tarball") == "nhilint, version 9.8.7"

    # A plain copy with no git metadata builds too, as the fallback version.
    plain = tmp_path / "plain"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
    assert build_version(str(plain), tmp_path, "plain") == "nhilint, version 0.0.0"
