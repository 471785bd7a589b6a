"""A policy document that is not valid JSON is unreadable (NHI001 at the policy), never no policy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BROKEN = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},]}'
KEY = "AKIAZ7Q2XW3ER4TY5UI6"  # pattern-valid, not a real key


def _scan(root: Path) -> list[tuple[str, str, int]]:
    proc = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", ".", "--format", "json", "--no-cache"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    return [(f["rule_id"], f["file"], f["line"]) for f in json.loads(proc.stdout)["findings"]]


def test_terraform_heredoc_with_a_trailing_comma_is_nhi001_at_the_policy(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_user_policy" "ci" {\n  user   = "ci"\n  policy = <<EOT\n'
        '{\n  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},]\n}\nEOT\n}\n\n'
        f'locals {{\n  key = "{KEY}"\n}}\n'
    )
    found = _scan(tmp_path)
    assert ("NHI001", "main.tf", 3) in found
    assert ("NHI101", "main.tf", 11) in found  # the rest of the file is still judged


def test_terraform_file_policy_that_is_not_json_is_nhi001_at_the_attribute(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(BROKEN + "\n")
    (tmp_path / "main.tf").write_text('resource "aws_iam_policy" "p" {\n  policy = file("p.json")\n}\n')
    assert ("NHI001", "main.tf", 2) in _scan(tmp_path)


def test_cloudformation_policy_document_string_that_is_not_json_is_nhi001(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Role:\n    Type: AWS::IAM::Role\n"
        "    Properties:\n      Policies:\n        - PolicyName: p\n"
        f"          PolicyDocument: '{BROKEN}'\n"
    )
    assert ("NHI001", "template.yaml", 8) in _scan(tmp_path)


def test_an_interpolating_heredoc_is_unknown_not_broken(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "arns" {\n  type = list(string)\n}\n'
        'resource "aws_iam_policy" "p" {\n  policy = <<EOT\n'
        '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",'
        ' "Resource": ${jsonencode(var.arns)}}]}\n'
        "EOT\n}\n"
    )
    assert [rule for rule, _, _ in _scan(tmp_path) if rule == "NHI001"] == []
