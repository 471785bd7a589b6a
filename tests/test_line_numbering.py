"""A finding's snippet is the line its parser numbered: U+2028, U+0085 or a form feed in a comment or
a JSON string is no line break to the HCL and JSON parsers, although `str.splitlines()` breaks there.
A hostile file used that to show a harmless line under a finding. Through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli

TERRAFORM = (
    "# owners: platform\u2028team\x85infra\x0cops\n"
    'resource "aws_iam_role_policy_attachment" "ci" {\n'
    '  role       = "ci"\n'
    '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n'
    "}\n"
)
CLOUDFORMATION = (
    '{"AWSTemplateFormatVersion": "2010-09-09",\n'
    ' "Description": "ci\u2028role\u2029for\x85deploys",\n'
    ' "Resources": {"Ci": {"Type": "AWS::IAM::Role", "Properties": {\n'
    '   "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",\n'
    '     "Principal": {"Service": "codebuild.amazonaws.com"}}]},\n'
    '   "ManagedPolicyArns": [\n'
    '     "arn:aws:iam::aws:policy/AdministratorAccess"]}}}}\n'
)


@pytest.mark.parametrize(("name", "text"), [("main.tf", TERRAFORM), ("template.json", CLOUDFORMATION)])
def test_the_snippet_shows_the_line_the_finding_names(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    done = run_cli("scan", name, "--select", "NHI204", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    header = next(line for line in done.stdout.splitlines() if "NHI204" in line)
    line = int(header.split(":")[1])
    assert text.split("\n")[line - 1].strip() in {
        '"arn:aws:iam::aws:policy/AdministratorAccess"]}}}}',
        'policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"',
    }
    shown = [s for s in done.stdout.splitlines() if s.startswith(f"{line} | ")]
    assert shown and "AdministratorAccess" in shown[0]
