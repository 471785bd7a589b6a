"""The GitHub Action and the documented workflow: valid against GitHub's schemas, and the action's
own shell steps run for real against the fixtures. Also the `github` and `markdown` reporters."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nhilint.parse.yaml import load_plain
from nhilint.report.github import escape_data, escape_property

from .conftest import FIXTURES, ROOT, run_cli

ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / "docs" / "examples" / "nhilint-pr.yml"
CHECK_JSONSCHEMA = (
    shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
)
_EXPRESSION = re.compile(r"\$\{\{\s*(?:inputs\.(?P<input>[\w-]+)|(?P<github>github\.action_path))\s*\}\}")


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", schema, str(path)], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("schema", "path"),
    [("vendor.github-actions", ACTION), ("vendor.github-workflows", WORKFLOW)],
    ids=["action", "workflow"],
)
def test_valid_against_githubs_schema(schema: str, path: Path) -> None:
    proc = check_jsonschema(schema, path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_check_rejects_a_broken_action(tmp_path: Path) -> None:
    broken = tmp_path / "action.yml"
    broken.write_text(ACTION.read_text().replace("using: composite", "using: compost"))
    assert check_jsonschema("vendor.github-actions", broken).returncode == 1


def test_documented_workflow_uploads_even_when_the_scan_fails() -> None:
    job = load_plain(WORKFLOW.read_text())["jobs"]["nhilint"]
    assert job["permissions"]["security-events"] == "write"
    steps = {step.get("name"): step for step in job["steps"]}
    scan, upload, gate = steps["nhilint"], steps["Upload SARIF to code scanning"], steps["Fail on findings"]
    assert scan["continue-on-error"] is True
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "always()" in upload["if"]
    assert gate["if"] == "steps.nhilint.outcome == 'failure'"
    assert (
        WORKFLOW.read_text() in (ROOT / "docs" / "github-actions.md").read_text()
    )  # the page shows this file


def run_action(
    workspace: Path, tmp_path: Path, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    """Run every `run:` step of action.yml as the runner would (bash -eo pipefail, step env, GITHUB_OUTPUT,
    GITHUB_STEP_SUMMARY). `uses:` steps (setup-python) are what this interpreter already is."""
    action = load_plain(ACTION.read_text())
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values.update({k.replace("_", "-"): v for k, v in inputs.items()})
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text(""), summary.write_text("")
    base = {
        **os.environ,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    proc = None
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        assert "${{" not in step["run"], "inputs must reach scripts through env, never by interpolation"
        env = {**base, **{k: _expand(v, values) for k, v in step.get("env", {}).items()}}
        script = tmp_path / "step.sh"
        script.write_text(step["run"])
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode != 0:
            break
    assert proc is not None
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc, outputs, summary.read_text()


def _expand(value: str, inputs: dict[str, str]) -> str:
    return _EXPRESSION.sub(lambda m: str(ROOT) if m["github"] else inputs[m["input"]], str(value))


def workspace_of(fixture: str, tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    shutil.copytree(FIXTURES / fixture, workspace)
    shutil.copy(FIXTURES / ".nhilint.yaml", workspace / ".nhilint.yaml")
    return workspace


def test_action_fails_and_annotates_the_insecure_fixtures(tmp_path: Path) -> None:
    workspace = workspace_of("insecure", tmp_path)
    proc, outputs, summary = run_action(workspace, tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert re.search(
        r"^::error file=[^,]+,line=\d+,endLine=\d+,col=\d+,title=NHI\d{3} [a-z-]+::", proc.stdout, re.M
    )
    sarif = json.loads((workspace / outputs["sarif-file"]).read_text())
    unsuppressed = [r for r in sarif["runs"][0]["results"] if not r.get("suppressions")]
    assert int(outputs["findings"]) == len(unsuppressed) > 0
    assert summary.startswith("## nhilint: ") and "| Rule | Severity | OWASP | Findings |" in summary


def test_action_passes_the_hardened_fixtures(tmp_path: Path) -> None:
    proc, outputs, summary = run_action(
        workspace_of("hardened", tmp_path), tmp_path, sarif_file="out/x.sarif"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs == {"sarif-file": "out/x.sarif", "findings": "0"}
    assert "no findings" in summary


def test_action_with_a_baseline_fails_only_on_new_findings(tmp_path: Path) -> None:
    workspace = workspace_of("insecure", tmp_path)
    assert run_cli("baseline", "write", "baseline.json", cwd=workspace).returncode == 0
    proc, outputs, _ = run_action(workspace, tmp_path, baseline="baseline.json")
    assert (proc.returncode, outputs["findings"]) == (0, "0"), proc.stdout
    (workspace / "terraform" / "new.tf").write_text(
        'locals {\n  token = "ghp_R8x2Lq9ZbT4mW7nK3vY6pJ1sD5fH0gC8aE2u"\n}\n'
    )
    proc, outputs, _ = run_action(workspace, tmp_path, baseline="baseline.json")
    assert (proc.returncode, outputs["findings"]) == (1, "1"), proc.stdout
    assert "::error file=terraform/new.tf,line=2," in proc.stdout


def test_workflow_command_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_format_escapes_properties_from_the_scanned_tree(tmp_path: Path) -> None:
    (tmp_path / "we,ird:dir").mkdir()
    (tmp_path / "we,ird:dir" / "main.tf").write_text(
        'locals {\n  token = "ghp_R8x2Lq9ZbT4mW7nK3vY6pJ1sD5fH0gC8aE2u"\n}\n'
    )
    proc = run_cli(
        "scan", ".", "--format", "github", cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "c")}
    )
    assert proc.returncode == 1
    assert proc.stdout.startswith("::error file=we%2Cird%3Adir/main.tf,line=2,endLine=2,col=")
    assert "title=NHI101 hardcoded-credential::" in proc.stdout
    assert "ghp_R8x2" not in proc.stdout


def test_markdown_report_is_safe_and_lists_fixes(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_user" "a|b<script>" {\n  name = "x"\n}\n'
        'locals {\n  token = "ghp_R8x2Lq9ZbT4mW7nK3vY6pJ1sD5fH0gC8aE2u"\n}\n'
    )
    proc = run_cli(
        "scan", ".", "--format", "markdown", cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "c")}
    )
    assert proc.returncode == 1
    assert "| `NHI101` hardcoded-credential | 🔴 error |" in proc.stdout
    assert "**Fix:**" in proc.stdout and "main.tf:5" in proc.stdout
    assert "<script>" not in proc.stdout
