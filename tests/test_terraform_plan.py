"""Terraform plan JSON (`terraform show -json tfplan`): what will be deployed, reported at the `.tf` lines.

The fixture tests/data/tfplan is a root module (default tags, a local module `ci` with `for_each`
instances, the registry module terraform-aws-modules/iam `iam-assumable-role`, an IAM user with an
access key, a Lambda whose environment holds a sensitive variable) and its plan, written by hand
from the documented format: unknown values, sensitive values, a deleted user, an unchanged one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import run_cli

PLAN_DIR = Path(__file__).parent / "data" / "tfplan"
SLACK_TOKEN = "xoxb-4417301542-7812934512345-Qm3hZ8wKp2sVtR9yLc4NfJ1d"  # the plan holds it in clear


def _project(tmp_path: Path, with_source: bool = True) -> Path:
    root = tmp_path / "infra"
    if with_source:
        shutil.copytree(PLAN_DIR, root)
    else:
        root.mkdir()
        shutil.copy(PLAN_DIR / "tfplan.json", root / "tfplan.json")
    return root


def _findings(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert result.returncode in (0, 1), result.stderr
    return list(json.loads(result.stdout)["findings"])


def _seen(findings: list[dict[str, Any]]) -> set[tuple[str, str, int, str]]:
    return {(f["rule_id"], f["file"], f["line"], (f.get("identity") or {}).get("name", "")) for f in findings}


def _line_of(path: Path, text: str, *after: str) -> int:
    """The 1-based line of the first `text` after each of `after` in turn."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0
    for marker in after:
        start = next(i for i, line in enumerate(lines) if i >= start and marker in line)
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


def test_the_source_alone_misses_the_admin_policy_passed_to_the_registry_module(tmp_path: Path) -> None:
    """The baseline the plan improves on: AdministratorAccess reaches `ops-automation` through a
    tfvars value and the registry module's `custom_role_policy_arns`, invisible in the `.tf` files."""
    root = _project(tmp_path)
    (root / "tfplan.json").unlink()
    findings = _findings(run_cli("scan", ".", "-f", "json", "--no-cache", cwd=root))
    assert not [f for f in findings if "ops" in json.dumps(f)]
    assert ("NHI204", "modules/ci/main.tf", 53, "aws_iam_role.deploy") in _seen(findings)


def test_the_plan_is_reported_at_the_tf_lines_a_person_edits(tmp_path: Path) -> None:
    root = _project(tmp_path)
    result = run_cli("scan", "tfplan.json", "-f", "json", "--no-cache", cwd=root)
    seen = _seen(_findings(result))
    assert result.returncode == 1
    # the registry module's attachment: at the module call's argument that passes the policy in
    assert ("NHI204", "main.tf", 43, "module.ops_role.aws_iam_role.this[0]") in seen
    # the local module's for_each instance that gets the admin policy, and only that one
    assert ("NHI204", "modules/ci/main.tf", 53, 'module.ci.aws_iam_role.deploy["prod"]') in seen
    assert not [s for s in seen if s[0] == "NHI204" and "staging" in s[3]]
    assert ("NHI102", "main.tf", 50, "aws_iam_user.reporting") in seen
    assert ("NHI108", "main.tf", 46, "aws_iam_user.reporting") in seen
    # the deleted user (only in the plan) is not judged by default; the unchanged one is declared in
    # main.tf, judged as the source scan judges it (a plan never silences the .tf files)
    assert not [s for s in seen if "legacy" in s[3]]
    assert ("NHI301", "main.tf", 81, "aws_iam_user.ops_viewer") in seen


def test_the_plan_alone_is_reported_in_the_plan_json(tmp_path: Path) -> None:
    root = _project(tmp_path, with_source=False)
    findings = _findings(run_cli("scan", "tfplan.json", "-f", "json", "--no-cache", cwd=root))
    line = _line_of(root / "tfplan.json", '"policy_arn"', '"resource_changes"')
    custom = _line_of(
        root / "tfplan.json",
        '"policy_arn"',
        '"resource_changes"',
        '"address": "module.ops_role.aws_iam_role_policy_attachment.custom[0]"',
    )
    seen = _seen(findings)
    assert ("NHI204", "tfplan.json", custom, "module.ops_role.aws_iam_role.this[0]") in seen
    assert custom != line or ("NHI204", "tfplan.json", line, 'module.ci.aws_iam_role.deploy["prod"]') in seen
    assert {f["file"] for f in findings} == {"tfplan.json"}


def test_a_plan_and_its_source_scanned_together_report_each_risk_once(tmp_path: Path) -> None:
    root = _project(tmp_path)
    findings = _findings(run_cli("scan", ".", "-f", "json", "--no-cache", cwd=root))
    at = [(f["rule_id"], f["file"], f["line"]) for f in findings]
    assert at.count(("NHI102", "main.tf", 50)) == 1
    assert at.count(("NHI204", "modules/ci/main.tf", 53)) == 1  # the plan's: the prod instance
    assert ("NHI204", "main.tf", 43) in at


def test_deleted_and_unchanged_resources_with_all_resources(tmp_path: Path) -> None:
    root = _project(tmp_path)
    plan = root / "tfplan.json"
    findings = _findings(
        run_cli("scan", "tfplan.json", "--all-resources", "-f", "json", "--no-cache", cwd=root)
    )
    legacy = _line_of(plan, '"policy_arn"', '"address": "aws_iam_user_policy_attachment.legacy_deployer"')
    # removed from the .tf files: only the plan knows where it is
    assert ("NHI204", "tfplan.json", legacy) in {(f["rule_id"], f["file"], f["line"]) for f in findings}


def _scan_stdin(
    data: bytes | None, cwd: Path, *args: str, stdin: int | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`... | nhilint scan -` as a pipeline runs it."""
    return subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", "-", "--no-cache", *args],
        input=data,
        stdin=stdin,
        cwd=cwd,
        capture_output=True,
        timeout=120,
    )


def _stdin_findings(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    assert result.returncode in (0, 1), result.stderr
    return list(json.loads(result.stdout)["findings"])


def test_a_plan_on_standard_input_is_reported_as_dash(tmp_path: Path) -> None:
    """`terraform show -json tfplan | nhilint scan -` away from the `.tf` files: recognised by its
    content, its findings in the file `-` at the plan's lines."""
    plan = PLAN_DIR / "tfplan.json"
    result = _scan_stdin(plan.read_bytes(), tmp_path, "-f", "json")
    findings = _stdin_findings(result)
    custom = _line_of(
        plan,
        '"policy_arn"',
        '"resource_changes"',
        '"address": "module.ops_role.aws_iam_role_policy_attachment',
    )
    assert ("NHI204", "-", custom, "module.ops_role.aws_iam_role.this[0]") in _seen(findings)
    assert {f["file"] for f in findings} == {"-"}
    assert result.returncode == 1


def test_a_plan_on_standard_input_in_its_root_module_lands_on_the_tf_lines(tmp_path: Path) -> None:
    """Run where `terraform show` runs (the root module): findings map back to the `.tf` files of the
    current directory, as a plan file's do to its own directory's."""
    root = _project(tmp_path)
    plan = (root / "tfplan.json").read_bytes()
    (root / "tfplan.json").unlink()
    seen = _seen(_stdin_findings(_scan_stdin(plan, root, "-f", "json")))
    assert ("NHI204", "main.tf", 43, "module.ops_role.aws_iam_role.this[0]") in seen
    assert ("NHI204", "modules/ci/main.tf", 53, 'module.ci.aws_iam_role.deploy["prod"]') in seen


def test_a_plan_on_standard_input_in_sarif(tmp_path: Path) -> None:
    from .test_report_sarif import validate

    result = _scan_stdin((PLAN_DIR / "tfplan.json").read_bytes(), tmp_path, "-f", "sarif")
    assert result.returncode == 1, result.stderr
    text = result.stdout.decode("utf-8")
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(text)["runs"][0]["results"]
        for loc in r["locations"]
    }
    assert uris == {"-"}
    assert validate(tmp_path, text) == []


def test_standard_input_over_max_file_size_is_reported_not_passed(tmp_path: Path) -> None:
    """The read stops at the limit (an endless stream cannot hang the scan): NHI001, exit 1."""
    (tmp_path / ".nhilint.yaml").write_text("max-file-size: 1000\n", encoding="utf-8")
    result = _scan_stdin((PLAN_DIR / "tfplan.json").read_bytes(), tmp_path, "-f", "json")
    findings = _stdin_findings(result)
    assert [(f["rule_id"], f["file"]) for f in findings] == [("NHI001", "-")]
    assert "1000-byte limit" in findings[0]["message"]
    assert result.returncode == 1
    with open("/dev/zero", "rb") as zeros:
        endless = _scan_stdin(None, tmp_path, "-f", "json", stdin=zeros.fileno())
    assert [f["rule_id"] for f in _stdin_findings(endless)] == ["NHI001"]


def test_standard_input_from_a_terminal_is_refused(tmp_path: Path) -> None:
    """`nhilint scan -` typed at a prompt would wait for input that never comes: one sentence, exit 2."""
    pty = pytest.importorskip("pty")
    primary, terminal = pty.openpty()
    try:
        result = _scan_stdin(None, tmp_path, stdin=terminal)
    finally:
        os.close(primary)
        os.close(terminal)
    assert result.returncode == 2
    assert result.stderr.decode().count("\n") == 1 and b"standard input" in result.stderr


def test_sarif_of_a_plan_points_at_the_tf_files(tmp_path: Path) -> None:
    """Code scanning annotates the diff: each result's place is the `.tf` line, the plan only related."""
    root = _project(tmp_path)
    result = run_cli("scan", "tfplan.json", "-f", "sarif", "--no-cache", cwd=root)
    assert result.returncode == 1, result.stderr
    results = json.loads(result.stdout)["runs"][0]["results"]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in results for loc in r["locations"]}
    assert uris == {"main.tf", "modules/ci/main.tf"}


def test_plans_are_left_out_as_configured(tmp_path: Path) -> None:
    """The hook's `--skip-plans` leaves a plan out unless `scan-plans: true`; `scan-plans: false` leaves
    it out of every scan, saying so (a skip is never silent)."""
    root = _project(tmp_path)
    hook = ("scan", "--context", ".", "--skip-plans", "-f", "json", "--no-cache", "--", "tfplan.json")
    assert _findings(run_cli(*hook, cwd=root)) == []
    (root / ".nhilint.yaml").write_text("scan-plans: true\n", encoding="utf-8")
    assert ("NHI204", "main.tf", 43, "module.ops_role.aws_iam_role.this[0]") in _seen(
        _findings(run_cli(*hook, cwd=root))
    )
    (root / ".nhilint.yaml").write_text("scan-plans: false\n", encoding="utf-8")
    off = run_cli("scan", "tfplan.json", "-f", "json", "--no-cache", cwd=root)
    assert _findings(off) == [] and off.returncode == 0
    assert "skipped tfplan.json: Terraform plan (scan-plans: false)" in off.stderr


@pytest.mark.parametrize("output", ["text", "json", "sarif", "markdown", "github"])
def test_sensitive_values_of_the_plan_are_never_printed(tmp_path: Path, output: str) -> None:
    root = _project(tmp_path)
    result = run_cli("scan", "tfplan.json", "--all-resources", "-f", output, "--no-cache", cwd=root)
    assert result.returncode == 1, result.stderr
    assert SLACK_TOKEN not in result.stdout + result.stderr
    assert SLACK_TOKEN[:12] not in result.stdout + result.stderr


def test_terraform_writes_the_plan_on_one_line(tmp_path: Path) -> None:
    """`terraform show -json` prints one line; the plan is recognised by content under any name."""
    root = _project(tmp_path)
    compact = json.dumps(
        json.loads((root / "tfplan.json").read_text(encoding="utf-8")), separators=(",", ":")
    )
    (root / "tfplan.json").unlink()
    (root / "deploy-plan.json").write_text(compact + "\n", encoding="utf-8")
    findings = _findings(run_cli("scan", "deploy-plan.json", "-f", "json", "--no-cache", cwd=root))
    assert ("NHI204", "main.tf", 43, "module.ops_role.aws_iam_role.this[0]") in _seen(findings)
