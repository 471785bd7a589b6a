"""What `scan` redacts, `inventory` and configuration errors redact too (issue 14, red-team review).

Before, `nhilint inventory` printed a key, token or password written in an identity's name, owner
or expiry tag, trust principal, CloudFormation logical ID or `.tf.json` resource key in full, in
every format; and a configuration that listed a key under `ignore` had it quoted back on stderr.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

KEY = "AKIAZ7Q3XK5RTW2PLM4N"
TOKEN = "ghp_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7C"
PASSWORD = "Summer2024xyz"
TERRAFORM = f"""resource "aws_iam_user" "svc" {{
  name = "svc"
  tags = {{
    owner   = "{TOKEN}"
    expires = "postgres://admin:{PASSWORD}@db/x"
  }}
}}

resource "aws_iam_role" "r" {{
  name = "role-{KEY}"
  assume_role_policy = jsonencode({{
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ AWS = "arn:aws:iam::123456789012:role/{TOKEN}" }}
    }}]
  }})
}}

provider "aws" {{
  region = "eu-west-1"
}}
"""
CLOUDFORMATION = f"""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  {KEY}:
    Type: AWS::IAM::User
"""
TERRAFORM_JSON = f'{{"resource": {{"aws_iam_user": {{"{KEY}": {{"name": "from-json"}}}}}}}}\n'
# What must never be printed: everything past the redacted prefix.
HIDDEN = (KEY[4:], TOKEN[4:], PASSWORD[4:])


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inventory-secrets")
    (root / "main.tf").write_text(TERRAFORM, encoding="utf-8")
    (root / "template.yaml").write_text(CLOUDFORMATION, encoding="utf-8")
    (root / "users.tf.json").write_text(TERRAFORM_JSON, encoding="utf-8")
    return root


@pytest.mark.parametrize("fmt", ["markdown", "csv", "json", "html"])
def test_inventory_never_prints_a_secret(repo: Path, fmt: str) -> None:
    proc = run_cli("inventory", ".", "--format", fmt, cwd=repo, env={"NHILINT_NO_CACHE": "1"})
    assert proc.returncode == 0, proc.stderr
    output = proc.stdout + proc.stderr
    assert [piece for piece in HIDDEN if piece in output] == []
    # the identities are all listed, each secret shown as its prefix (a quarter of a password)
    assert "svc" in output and "from-json" in output
    assert "role-AKIA****" in output and "ghp_****" in output and "admin:Sum****@db" in output


def test_an_identity_named_with_a_key_gets_the_findings_about_it(repo: Path) -> None:
    """The findings name `role-AKIA****`: the inventory entry, redacted the same way, still matches."""
    import json

    proc = run_cli("inventory", ".", "--format", "json", cwd=repo, env={"NHILINT_NO_CACHE": "1"})
    role = next(e for e in json.loads(proc.stdout)["identities"] if e["kind"] == "aws_iam_role")
    assert {"NHI101", "NHI301", "NHI302"} <= set(role["rules"])


@pytest.mark.parametrize(
    "config",
    [f"ignore: [{KEY}]\n", f"select: [{TOKEN}]\n", f"severity:\n  {PASSWORD}: note\n"],
    ids=["ignore", "select", "severity"],
)
def test_a_secret_pasted_as_a_rule_id_is_not_quoted_back(tmp_path: Path, config: str) -> None:
    (tmp_path / ".nhilint.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "main.tf").write_text('resource "aws_iam_user" "u" {\n  name = "u"\n}\n', encoding="utf-8")
    proc = run_cli("scan", ".", cwd=tmp_path, env={"NHILINT_NO_CACHE": "1"})
    assert proc.returncode == 2
    assert "is not a rule ID" in proc.stderr
    assert [piece for piece in HIDDEN if piece in proc.stdout + proc.stderr] == []


def test_a_secret_given_to_ignore_on_the_command_line_is_not_quoted_back(tmp_path: Path) -> None:
    proc = run_cli("scan", ".", "--ignore", TOKEN, cwd=tmp_path, env={"NHILINT_NO_CACHE": "1"})
    assert proc.returncode == 2 and "is not a rule ID" in proc.stderr
    assert TOKEN[4:].upper() not in proc.stderr.upper()


def test_a_mistyped_rule_id_is_still_quoted_whole(tmp_path: Path) -> None:
    (tmp_path / ".nhilint.yaml").write_text("ignore: [NHI1O1]\n", encoding="utf-8")
    proc = run_cli("scan", ".", cwd=tmp_path, env={"NHILINT_NO_CACHE": "1"})
    assert proc.returncode == 2
    assert "'NHI1O1' is not a rule ID" in proc.stderr and "NHI101" in proc.stderr
