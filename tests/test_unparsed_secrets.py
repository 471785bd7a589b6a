"""A file that does not parse still has its committed credentials reported (NHI101), redacted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

KEY = "AKIA" + "QWERTYUIOPASDFGH"  # an AWS key ID's shape, split so this file holds no key


def scan(root: Path) -> tuple[list[dict], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", str(root), "--format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)["findings"], proc.stdout + proc.stderr


def test_a_key_in_a_workflow_that_does_not_parse_is_reported_at_its_line(tmp_path: Path) -> None:
    workflow = tmp_path / ".github" / "workflows" / "deploy.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\n"
        "jobs:\n"
        "  deploy: [\n"  # a flow sequence never closed: the YAML parser stops here
        "    runs-on: ubuntu-latest\n"
        "    env:\n"
        f"      AWS_ACCESS_KEY_ID: {KEY}\n"
    )
    findings, output = scan(tmp_path)
    by_rule = {(f["rule_id"], f["line"]) for f in findings}
    assert ("NHI101", 6) in by_rule
    assert any(r == "NHI001" for r, _ in by_rule)
    assert KEY not in output and KEY[4:] not in output


def test_a_key_after_a_terraform_syntax_error_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n'
        '  access_key = "' + KEY + '"\n'
        "}\n"
        'resource "aws_iam_user" "ci" {\n'
        '  name = "ci"\n'
        "  tags = {\n"  # never closed
        "# later: " + KEY + "\n"
    )
    findings, output = scan(tmp_path)
    # the provider's key (line 2) is reported once, folded into NHI105 with its static-login cause;
    # the same key in the text past the error (line 7) is reported on its own line
    reported = sorted((f["line"], f["rule_id"], *f.get("also", [])) for f in findings if f["line"] in (2, 7))
    assert reported == [(2, "NHI105", "NHI101"), (7, "NHI101")]
    assert KEY[4:] not in output


def test_placeholders_in_a_broken_file_stay_silent(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: x\nstringData:\n  key: AKIAXXXXXXXXXXXXXXXX\n"
    )
    findings, _ = scan(tmp_path)
    assert [f["rule_id"] for f in findings] == ["NHI001"]


def test_a_password_in_a_workflow_that_does_not_parse_is_reported(tmp_path: Path) -> None:
    # A password has no format of its own: its name says what it is. A syntax error below it must
    # not turn the finding the line search makes into a silent pass.
    password = "Xk9#mQ2vLp8zRt4wNb7s"
    workflow = tmp_path / ".github" / "workflows" / "deploy.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\n"
        "jobs:\n"
        "  deploy:\n"
        "    runs-on: ubuntu-latest\n"
        "    env:\n"
        f'      DB_PASSWORD: "{password}" {{\n'  # garbage after the value: the YAML parser stops
        "    steps:\n"
        "      - run: ./deploy.sh\n"
    )
    findings, output = scan(tmp_path)
    assert ("NHI101", 6) in {(f["rule_id"], f["line"]) for f in findings}
    assert password not in output and password[4:] not in output
