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
    workspace: Path, tmp_path: Path, event: dict[str, str] | None = None, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    """Run every `run:` step of action.yml as the runner would (bash -eo pipefail, step env, GITHUB_OUTPUT,
    GITHUB_STEP_SUMMARY, a `push` event unless `event` says otherwise). `uses:` steps (setup-python) are
    what this interpreter already is."""
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
        "GITHUB_EVENT_NAME": "push",
        # never install into the test venv: if nhilint there is not this checkout, the install step fails
        "PIP_DRY_RUN": "1",
        **(event or {}),
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


# --- a pull request must not judge itself with its own configuration -----------------------------------

TOKEN_TF = 'locals {\n  token = "ghp_R8x2Lq9ZbT4mW7nK3vY6pJ1sD5fH0gC8aE2u"\n}\n'


def git(workspace: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    done = subprocess.run([*command, *args], cwd=workspace, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def pull_request(tmp_path: Path, changes: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """A checkout of a pull request against `main` (the hardened fixtures), as actions/checkout leaves it,
    and the runner's event variables."""
    workspace = workspace_of("hardened", tmp_path)
    (workspace / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n')
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "base")
    base = git(workspace, "rev-parse", "HEAD")
    git(workspace, "checkout", "-q", "-b", "pr")
    for rel, text in changes.items():
        (workspace / rel).parent.mkdir(parents=True, exist_ok=True)
        (workspace / rel).write_text(text)
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "pr")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base, "ref": "main"}}}))
    return workspace, {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)}


@pytest.mark.parametrize(
    ("config_file", "text"),
    [
        ("terraform/.nhilint.yaml", "ignore: [NHI101]\n"),
        (".nhilint.yaml", "severity: {NHI101: note}\nfail-on: error\n"),
        ("pyproject.toml", '[project]\nname = "app"\nversion = "1"\n\n[tool.nhilint]\nignore = ["NHI1"]\n'),
        ("terraform/pyproject.toml", '[tool.nhilint]\nexclude = ["new.tf"]\n'),
        ("terraform/.NHILINT.yaml", "ignore: [NHI101]\n"),  # the same file on macOS and Windows
    ],
    ids=["subdirectory-yaml", "root-yaml", "root-pyproject", "subdirectory-pyproject", "upper-case"],
)
def test_a_pull_request_that_changes_the_configuration_fails(
    tmp_path: Path, config_file: str, text: str
) -> None:
    workspace, event = pull_request(tmp_path, {"terraform/new.tf": TOKEN_TF, config_file: text})
    proc, outputs, _ = run_action(workspace, tmp_path, event)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"::error file={config_file},title=nhilint configuration changed::" in proc.stdout
    assert (workspace / outputs["sarif-file"]).is_file()  # the reports are still written

    proc, _, _ = run_action(workspace, tmp_path, event, allow_config_changes="true")
    assert f"::warning file={config_file},title=nhilint configuration changed::" in proc.stdout
    assert "::error file=" not in proc.stdout.replace("::error file=terraform/new.tf", "")


def test_a_pull_request_that_moves_a_submodule_holding_configuration_fails(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / ".nhilint.yaml").write_text('exclude: ["**"]\n')
    git(library, "init", "-q", "-b", "main")
    git(library, "add", "-A")
    git(library, "commit", "-q", "-m", "library")
    workspace, event = pull_request(tmp_path / "pr", {"terraform/new.tf": TOKEN_TF})
    git(workspace, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "vendored")
    git(workspace, "commit", "-q", "-m", "add a submodule")
    proc, _, _ = run_action(workspace, tmp_path / "pr", event)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "::error file=vendored,title=nhilint configuration changed::" in proc.stdout


def test_a_pull_request_that_keeps_the_configuration_is_judged_by_it(tmp_path: Path) -> None:
    unrelated = '[project]\nname = "app"\nversion = "2"\n'  # a pyproject.toml change outside [tool.nhilint]
    workspace, event = pull_request(tmp_path, {"terraform/new.tf": TOKEN_TF, "pyproject.toml": unrelated})
    proc, outputs, _ = run_action(workspace, tmp_path, event)
    assert (proc.returncode, outputs["findings"]) == (1, "1"), proc.stdout + proc.stderr
    assert "::error file=terraform/new.tf,line=2," in proc.stdout
    assert "configuration changed" not in proc.stdout

    workspace, event = pull_request(tmp_path / "clean", {"README.md": "docs only\n"})
    proc, _, _ = run_action(workspace, tmp_path / "clean", event)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_pull_request_that_edits_the_baseline_fails(tmp_path: Path) -> None:
    workspace, event = pull_request(tmp_path, {"terraform/new.tf": TOKEN_TF})
    assert run_cli("baseline", "write", "baseline.json", cwd=workspace).returncode == 0  # hides new.tf
    git(workspace, "add", "baseline.json")
    git(workspace, "commit", "-q", "-m", "baseline")
    proc, outputs, _ = run_action(workspace, tmp_path, event, baseline="./baseline.json")
    assert outputs["findings"] == "0" and proc.returncode == 1, proc.stdout
    assert "::error file=baseline.json,title=nhilint configuration changed::" in proc.stdout


def test_an_unreadable_base_commit_fails_loudly(tmp_path: Path) -> None:
    workspace, event = pull_request(tmp_path, {"README.md": "docs only\n"})
    Path(event["GITHUB_EVENT_PATH"]).write_text(json.dumps({"pull_request": {"base": {"sha": "0" * 40}}}))
    proc, _, _ = run_action(workspace, tmp_path, event)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "::error title=nhilint::cannot compare with the base branch" in proc.stdout


def test_the_action_never_imports_code_from_the_checkout(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
    workspace = workspace_of("hardened", tmp_path)
    for module in ("json.py", "nhilint/__init__.py", "nhilint/cli.py", "pip/__main__.py", "argparse.py"):
        (workspace / module).parent.mkdir(parents=True, exist_ok=True)
        (workspace / module).write_text(payload)
    proc, outputs, _ = run_action(workspace, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs["findings"] == "0" and not marker.exists()
