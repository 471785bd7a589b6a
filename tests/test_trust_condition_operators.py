"""A trust condition pins or names people only when its operator requires the value it names: a
negated operator (`StringNotEquals`, `ArnNotLike`) lets every other value in, `...IfExists` lets a
request without the key in, and MFA names no account. Through the real CLI: each case below used to
pass the gate in silence (no NHI205, or a machine role taken for a person's with no NHI303)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import run_cli

ROLE = """\
resource "aws_iam_role" "deployer" {
  name                 = "deployer"
  max_session_duration = 43200
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "%s" }
      Action    = "sts:AssumeRole"
      Condition = { "%s" = { "%s" = "%s" } }
    }]
  })
}
"""
ROOT = "arn:aws:iam::123456789012:root"


def _rules(tmp_path: Path, principal: str, operator: str, key: str, value: str) -> set[str]:
    (tmp_path / "main.tf").write_text(ROLE % (principal, operator, key, value), encoding="utf-8")
    done = run_cli("scan", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    return {f["rule_id"] for f in json.loads(done.stdout)["findings"]}


@pytest.mark.parametrize(
    ("operator", "key", "value"),
    [
        ("Bool", "aws:MultiFactorAuthPresent", "true"),  # any account's user with MFA
        ("StringNotEquals", "aws:PrincipalAccount", "999999999999"),
        ("StringEqualsIfExists", "aws:PrincipalOrgID", "o-abc123"),
        ("Null", "aws:PrincipalOrgID", "false"),
    ],
)
def test_a_trust_open_to_every_account_is_not_pinned_by_these(
    tmp_path: Path, operator: str, key: str, value: str
) -> None:
    assert "NHI205" in _rules(tmp_path, "*", operator, key, value)


@pytest.mark.parametrize(
    ("operator", "key", "value"),
    [
        ("NumericLessThanIfExists", "aws:MultiFactorAuthAge", "3600"),
        ("ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::123456789012:user/alice"),
        ("ForAnyValue:StringNotLike", "aws:PrincipalArn", "arn:aws:iam::123456789012:user/alice"),
    ],
)
def test_an_account_trust_under_these_is_a_machine_role(
    tmp_path: Path, operator: str, key: str, value: str
) -> None:
    assert {"NHI205", "NHI303"} <= _rules(tmp_path, ROOT, operator, key, value)


def test_an_account_trust_under_strict_mfa_stays_a_persons_role(tmp_path: Path) -> None:
    found = _rules(tmp_path, ROOT, "Bool", "aws:MultiFactorAuthPresent", "true")
    assert not found & {"NHI205", "NHI301", "NHI302", "NHI303"}
