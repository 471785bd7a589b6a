"""Recall of discovery: code a deployment uses is judged wherever it lives (a local Terraform module in
a skipped directory, a GitLab include when the scan root is not the repository root, OpenTofu files)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from nhilint.config import DEFAULT_SKIP_DIRECTORIES, Config
from nhilint.pipeline import discover

from .conftest import ROOT, USER_WITH_KEY, run_cli, scan_tree

ADMIN_USER = (
    USER_WITH_KEY
    + """
resource "aws_iam_user_policy_attachment" "admin" {
  user       = aws_iam_user.ci.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""
)

KEY = "AKIA" + "Q3EGRT5YH7UJ2KLP"
DEPLOY_WITH_KEY = f"deploy:\n  variables:\n    AWS_ACCESS_KEY_ID: {KEY}\n  script: [make deploy]\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _tree(root: Path, files: dict[str, str]) -> Path:
    _write(root, files)
    return root


def _json_scan(*args: str, cwd: Path) -> dict:
    out = run_cli("scan", "--format", "json", *args, cwd=cwd)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def _files(report: dict) -> set[str]:
    return {f["file"] for f in report["findings"]}


def _module_call(source: str) -> str:
    return f'module "iam" {{\n  source = "{source}"\n}}\n'


@pytest.mark.parametrize("skipped", sorted(DEFAULT_SKIP_DIRECTORIES))
def test_a_local_module_in_a_skipped_directory_is_read(tmp_path: Path, skipped: str) -> None:
    module = f"modules/{skipped}/iam"
    _write(tmp_path, {"main.tf": _module_call(f"./{module}"), f"{module}/main.tf": ADMIN_USER})
    out = run_cli("scan", ".", cwd=tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"{module}/main.tf" in out.stdout and "no findings" not in out.stdout


def test_vendor_and_third_party_are_scanned_by_default(tmp_path: Path) -> None:
    assert not {"vendor", "third_party"} & set(DEFAULT_SKIP_DIRECTORIES)
    report = _json_scan(
        ".", cwd=_tree(tmp_path, {"vendor/a/main.tf": ADMIN_USER, "third_party/b/main.tf": ADMIN_USER})
    )
    assert _files(report) == {"vendor/a/main.tf", "third_party/b/main.tf"}


def test_local_modules_are_followed_transitively_relative_to_each_module_and_once(tmp_path: Path) -> None:
    # root -> node_modules/a -> ../b (relative to a's directory) -> ../a again (a cycle)
    _write(
        tmp_path,
        {
            "live/main.tf": _module_call("../node_modules/a"),
            "node_modules/a/main.tf": _module_call("../b"),
            "node_modules/b/main.tf": _module_call("../a") + ADMIN_USER,
            "node_modules/b/nested/main.tf": ADMIN_USER,  # a module is one directory: not called
        },
    )
    result = scan_tree(tmp_path, {}, Config())
    files = {f.loc.file for f in result.findings}
    assert "node_modules/b/main.tf" in files and "node_modules/b/nested/main.tf" not in files
    assert result.files_scanned == 3


def test_tf_json_and_tofu_module_calls_are_followed(tmp_path: Path) -> None:
    call = json.dumps({"module": {"iam": {"source": "./.terraform/iam"}}})
    report = _json_scan(
        ".",
        cwd=_tree(tmp_path, {"main.tf.json": call, ".terraform/iam/main.tofu": ADMIN_USER}),
    )
    assert _files(report) == {".terraform/iam/main.tofu"}


def test_a_source_written_with_escapes_is_followed_and_a_file_source_is_not_a_module(tmp_path: Path) -> None:
    call = _module_call("\\u002e/node_modules/iam")  # HCL reads `\u002e` as `.`
    upload = 'resource "aws_s3_object" "site" {\n  bucket = "site"\n  source = "./site.zip"\n}\n'
    files = {"main.tf": call + upload, "site.zip": "", "node_modules/iam/main.tf": ADMIN_USER}
    report = _json_scan(".", cwd=_tree(tmp_path, files))
    assert _files(report) == {"node_modules/iam/main.tf"}
    assert discover.UNREADABLE_DIRECTORY not in report["skipped"]


def test_a_local_module_outside_the_repository_or_through_a_link_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _write(outside, {"main.tf": ADMIN_USER})
    repo = tmp_path / "repo"
    _write(
        repo,
        {
            "main.tf": "".join(
                f'module "m{i}" {{\n  source = "{source}"\n}}\n'
                for i, source in enumerate(("../outside", "./node_modules/linked", "./node_modules/iam"))
            ),
            "node_modules/iam/variables.tf": "",
        },
    )
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "node_modules" / "linked").symlink_to(outside, target_is_directory=True)
    (repo / "node_modules" / "iam" / "main.tf").symlink_to(outside / "main.tf")
    report = _json_scan(".", cwd=repo)
    assert report["findings"] == []
    assert report["skipped"][discover.SYMLINK] == ["node_modules/iam/main.tf"]


def test_a_local_module_above_the_scanned_path_but_inside_the_repository_is_read(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _write(
        tmp_path, {"live/prod/main.tf": _module_call("../../modules/iam"), "modules/iam/main.tf": ADMIN_USER}
    )
    report = _json_scan("live/prod", cwd=tmp_path)
    assert _files(report) == {"modules/iam/main.tf"}


def test_an_excluded_module_stays_excluded(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".nhilint.yaml": "exclude: ['node_modules/**']\n",
            "main.tf": _module_call("./node_modules/iam"),
            "node_modules/iam/main.tf": ADMIN_USER,
        },
    )
    report = _json_scan(".", cwd=tmp_path)
    assert report["findings"] == []
    assert "node_modules/iam/main.tf" in report["skipped"][discover.EXCLUDED]


def _pipeline(root: Path) -> Path:
    _write(
        root,
        {
            "g1/.gitlab-ci.yml": "include:\n  - local: ci/deploy.yml\nstages: [deploy]\n",
            "g1/ci/deploy.yml": DEPLOY_WITH_KEY,
        },
    )
    return root


def test_a_gitlab_local_include_resolves_against_the_pipeline_root_not_the_scan_root(tmp_path: Path) -> None:
    _pipeline(tmp_path)
    assert _files(_json_scan(".", cwd=tmp_path / "g1")) == {"ci/deploy.yml"}
    assert _files(_json_scan("g1", cwd=tmp_path)) == {"g1/ci/deploy.yml"}


def test_a_gitlab_include_resolves_against_the_repository_root(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _write(
        tmp_path,
        {
            ".gitlab-ci.yml": "include: [{local: .gitlab/ci/all.yml}]\n",
            ".gitlab/ci/all.yml": "include:\n  - local: /pipelines/deploy.yml\n",
            "pipelines/deploy.yml": DEPLOY_WITH_KEY,
            "node_modules/ci.yml": DEPLOY_WITH_KEY,  # named by no include: stays skipped
        },
    )
    assert _files(_json_scan(".gitlab", "pipelines", cwd=tmp_path)) == {"pipelines/deploy.yml"}
    (tmp_path / "pipelines" / "deploy.yml").rename(tmp_path / "node_modules" / "deploy.yml")
    (tmp_path / ".gitlab" / "ci" / "all.yml").write_text("include: [{local: node_modules/deploy.yml}]\n")
    assert _files(_json_scan(".", cwd=tmp_path)) == {"node_modules/deploy.yml"}


@pytest.mark.parametrize("name", ["main.tofu", "main.tofu.json"])
def test_opentofu_files_are_terraform(tmp_path: Path, name: str) -> None:
    text = ADMIN_USER
    if name.endswith(".json"):
        text = json.dumps(
            {
                "resource": {
                    "aws_iam_user": {"ci": {"name": "ci-bot"}},
                    "aws_iam_access_key": {"ci": {"user": "${aws_iam_user.ci.name}"}},
                }
            }
        )
    assert discover.classify(name, text) == "terraform"
    report = _json_scan(".", cwd=_tree(tmp_path, {name: text}))
    assert _files(report) == {name} and report["skipped"] == {}


def test_the_pre_commit_hook_passes_opentofu_files() -> None:
    import re

    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    files = re.compile(next(h for h in hooks if h["id"] == "nhilint")["files"])
    assert all(files.search(f"infra/main{suffix}") for suffix in (*discover.SUFFIXES, ".tofu", ".tofu.json"))
