"""The CLI as users run it: real subprocesses on the bundled fixtures."""

from __future__ import annotations

import json
import re
from pathlib import Path

from nhilint import __version__

from .conftest import FIXTURES, ROOT, run_cli

# Literal secrets planted in the insecure fixtures: none may ever appear in any output.
PLANTED = [
    "AKIAZ7VRSQ4IEXFDJ2QM",
    "q8Rv2LkT9wX4mZ7pN3bY6cF1hJ5sD0gK8aE2uW9t",
    "ghp_R4nd0mL00k1ngT0k3nF0rT3st1ngPurp0s3x",
    "mK8nV3bX6zQ1wE4rT7yU0iO9pA2sD5fG8hJ1kL4z",
    "AKIAQ3EGRT5YH7UJ2KLP",
    "3f9a7c1e5b2d8f4a6c0e9b7d5f3a1c8e",
    "q7R8s9T0u1V2w3X4y5Z6a7B8",
]


def test_version() -> None:
    out = run_cli("--version")
    assert out.returncode == 0
    assert __version__ in out.stdout


def test_insecure_fixtures_fail_with_findings_in_every_format() -> None:
    out = run_cli("scan", "fixtures/insecure", "--format", "json", cwd=ROOT)
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    files = {f["file"] for f in report["findings"] if f["rule_id"] == "NHI101"}
    assert any(f.endswith(".tf") for f in files)
    assert any(f.startswith("fixtures/insecure/cloudformation/") for f in files)
    assert any(f.startswith("fixtures/insecure/kubernetes/") for f in files)
    assert any(f.startswith("fixtures/insecure/.github/workflows/") for f in files)
    assert "fixtures/insecure/.gitlab-ci.yml" in files
    broken = [f for f in report["findings"] if f["rule_id"] == "NHI001"]
    assert [(f["file"], f["line"]) for f in broken] == [("fixtures/insecure/terraform/broken/main.tf", 3)]


def test_hardened_fixtures_scan_clean() -> None:
    out = run_cli("scan", "fixtures/hardened", cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no findings" in out.stdout


def test_no_output_format_ever_prints_a_planted_secret(tmp_path: Path) -> None:
    for fmt in ("text", "json", "sarif"):
        out = run_cli("scan", str(FIXTURES / "insecure"), "--format", fmt, cwd=tmp_path)
        assert out.returncode == 1
        for secret in PLANTED:
            assert secret not in out.stdout + out.stderr, (fmt, secret[:4])


def test_sarif_to_file_keeps_the_exit_code(tmp_path: Path) -> None:
    target = tmp_path / "r.sarif"
    out = run_cli("scan", "fixtures/insecure", "--format", "sarif", "--output", str(target), cwd=ROOT)
    assert out.returncode == 1
    assert out.stdout == ""
    sarif = json.loads(target.read_text())
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"]


def test_exit_zero_and_fail_on(tmp_path: Path) -> None:
    assert run_cli("scan", "fixtures/insecure", "--exit-zero", cwd=ROOT).returncode == 0
    # NHI001 is a warning: failing only on errors, a broken file alone passes.
    broken = FIXTURES / "insecure" / "terraform" / "broken"
    assert run_cli("scan", str(broken), "--fail-on", "error", cwd=tmp_path).returncode == 0
    assert run_cli("scan", str(broken), "--fail-on", "warning", cwd=tmp_path).returncode == 1


def test_select_and_ignore_by_prefix() -> None:
    out = run_cli("scan", "fixtures/insecure", "--format", "json", "--select", "NHI0", cwd=ROOT)
    assert {f["rule_id"] for f in json.loads(out.stdout)["findings"]} == {"NHI001"}
    out = run_cli("scan", "fixtures/insecure", "--format", "json", "--ignore", "NHI0,NHI1", cwd=ROOT)
    assert not any(f["rule_id"].startswith(("NHI0", "NHI1")) for f in json.loads(out.stdout)["findings"])


def test_usage_errors_are_one_sentence_and_exit_2(tmp_path: Path) -> None:
    missing = run_cli("scan", "no/such/dir", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == "nhilint: error: path does not exist: no/such/dir"
    bad_rule = run_cli("scan", ".", "--select", "E501", cwd=tmp_path)
    assert bad_rule.returncode == 2
    assert "E501" in bad_rule.stderr and "Traceback" not in bad_rule.stderr
    bad_format = run_cli("scan", ".", "--format", "xml", cwd=tmp_path)
    assert bad_format.returncode == 2


def test_bad_config_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".nhilint.yaml").write_text("fail-on: sometimes\n")
    out = run_cli("scan", ".", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.startswith("nhilint: error: invalid configuration in")
    assert "fail-on" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "sometimes" not in out.stderr  # the value is not quoted: it could be anything the file links to
    (tmp_path / ".nhilint.yaml").write_text("select: [NHI1\n")
    out = run_cli("scan", ".", cwd=tmp_path)
    assert out.returncode == 2 and "not valid YAML" in out.stderr


def test_pyproject_config_is_honoured(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.nhilint]\nignore = ["NHI101"]\n')
    (tmp_path / "main.tf").write_text(
        'resource "aws_ssm_parameter" "k" {\n  value = "AKIAZ7VRSQ4IEXFDJ2QM"\n}\n'
    )
    assert run_cli("scan", ".", cwd=tmp_path).returncode == 0
    (tmp_path / "pyproject.toml").write_text('[tool.nhilint]\nselect = ["NHI1"]\n')
    assert run_cli("scan", ".", cwd=tmp_path).returncode == 1


def test_rules_and_explain() -> None:
    out = run_cli("rules")
    assert out.returncode == 0
    assert "NHI101  hardcoded-credential" in out.stdout
    explained = run_cli("explain", "nhi101")
    assert explained.returncode == 0
    for part in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert part in explained.stdout
    unknown = run_cli("explain", "NHI999")
    assert unknown.returncode == 2 and "unknown rule" in unknown.stderr
    agent_rule = run_cli("explain", "NHI209").stdout
    assert "OWASP MCP: **MCP07:2025 Insufficient Authentication & Authorization**" in agent_rule
    assert "OWASP MCP" not in run_cli("explain", "NHI201").stdout  # an IAM policy rule: no MCP item


README_FINDINGS = 2  # the finding blocks README's sample shows before `...`


def readme_sample(stdout: str) -> str:
    """The block README shows for a text report: its first findings, `...`, then its closing
    summary (the count per rule, skipped files, the totals), each exactly as printed."""
    parts = stdout.rstrip("\n").split("\n\n")  # finding blocks hold no blank line
    findings = [p for p in parts if re.match(r"\S+:\d+:\d+: (error|warning|note) NHI\d{3} ", p)]
    return "\n\n".join([*findings[:README_FINDINGS], "...", *parts[len(findings) :]])


def test_readme_shows_the_real_scan_of_the_fixtures(tmp_path: Path) -> None:
    """README's output block is what the first set-up command prints (dates aside): on a mismatch
    the assertion message is the block to paste."""
    import shutil

    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    out = run_cli("scan", "fixtures/", cwd=tmp_path, env={"COLUMNS": "100"})
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("```text\n", 1)[1].split("\n```", 1)[0]
    days = re.compile(r"\d+ days ago")
    real = readme_sample(out.stdout)
    (tmp_path / "README-sample.txt").write_text(real + "\n", encoding="utf-8")
    stale = f"README's sample output is stale: paste {tmp_path / 'README-sample.txt'} into its ```text block"
    assert days.sub("N days ago", shown) == days.sub("N days ago", real), stale
    hardened = run_cli("scan", "fixtures/hardened", cwd=tmp_path)
    assert hardened.stdout.strip() in readme
