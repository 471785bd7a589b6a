"""Terraform `c ? a : b` (issue 15): a condition that resolves to a bool picks its branch; an unknown
condition makes the value "one of its branches", and a policy statement is judged once per branch.
So a statement passes a safeguard rule (NHI205's `sub` pin) only when every branch has it, and a
rule that fires on a risky statement fires when any branch is risky. Through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from nhilint.parse.hcl import parse_hcl
from nhilint.parse.tree import Conditional, LMap

from .conftest import run_cli

TRUST = """\
variable "use_wildcard" {
  type = bool
}

resource "aws_iam_role" "deployer" {
  name = "gha-deployer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "%s" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = var.use_wildcard ? {
        StringLike = { "token.actions.githubusercontent.com:sub" = "repo:example-org/site:ref:refs/heads/*" }
        } : {
        StringEquals = { %s }
      }
    }]
  })
}
"""
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
AUD = '"token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"'
SUB = '"token.actions.githubusercontent.com:sub" = "repo:example-org/site:ref:refs/heads/main"'

POLICY = """\
variable "admin" {
  type = bool
%s}

resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "deploy" {
  role = aws_iam_role.deploy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = var.admin ? "*" : "s3:GetObject"
      Resource = "*"
    }]
  })
}
"""


def _findings(tmp_path: Path, text: str) -> list[tuple[str, int]]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    done = run_cli("scan", ".", "--format", "json", "--exit-zero", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return [(f["rule_id"], f["line"]) for f in json.loads(done.stdout)["findings"]]


def test_the_parser_keeps_the_three_parts_of_a_conditional() -> None:
    body, errors = parse_hcl('x = var.on ? { a = "1" } : "off"\n')
    value = body.attrs["x"]
    assert not errors
    assert isinstance(value, Conditional)
    assert isinstance(value.if_true, LMap) and value.if_true["a"] == "1"
    assert value.if_false == "off"
    assert value.refs == ("var.on",)


def test_a_trust_whose_every_branch_pins_sub_is_not_reported(tmp_path: Path) -> None:
    findings = _findings(tmp_path, TRUST % (PROVIDER, f"{AUD}\n          {SUB}"))
    assert "NHI205" not in {rule for rule, _ in findings}


def test_a_trust_with_one_branch_that_does_not_pin_sub_is_reported(tmp_path: Path) -> None:
    findings = _findings(tmp_path, TRUST % (PROVIDER, AUD))
    assert ("NHI205", 13) in findings  # at the Condition of the branch without `sub`


def test_a_wildcard_in_one_branch_of_an_unknown_condition_is_reported(tmp_path: Path) -> None:
    # before: the conditional was unknown, so the `*` branch passed the gate in silence
    assert ("NHI201", 21) in _findings(tmp_path, POLICY % "")


def test_a_known_condition_picks_its_branch(tmp_path: Path) -> None:
    assert "NHI201" in {rule for rule, _ in _findings(tmp_path, POLICY % "  default = true\n")}
    assert "NHI201" not in {rule for rule, _ in _findings(tmp_path, POLICY % "  default = false\n")}


def test_a_conditional_policy_document_is_judged_in_both_branches(tmp_path: Path) -> None:
    text = """\
variable "admin" {
  type = bool
}

resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = var.admin ? jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
    }) : jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  })
}
"""
    assert ("NHI201", 9) in _findings(tmp_path, text)


MODULE_ROLE = """\
variable "enable_github_oidc" {
  type    = bool
  default = false
}

variable "oidc_subjects" {
  type    = list(string)
  default = []
}

data "aws_iam_policy_document" "trust" {
  dynamic "statement" {
    for_each = var.enable_github_oidc ? [1] : []

    content {
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
      }
      dynamic "condition" {
        for_each = length(var.oidc_subjects) > 0 ? [1] : []
        content {
          test     = "StringEquals"
          variable = "token.actions.githubusercontent.com:sub"
          values   = var.oidc_subjects
        }
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "ci"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"""
CALLER = """\
module "ci_role" {
  source             = "./modules/role"
  enable_github_oidc = true
  oidc_subjects      = %s
}
"""


def _scan_call(tmp_path: Path, subjects: str) -> set[str]:
    (tmp_path / "modules" / "role").mkdir(parents=True)
    (tmp_path / "modules" / "role" / "main.tf").write_text(MODULE_ROLE, encoding="utf-8")
    (tmp_path / "main.tf").write_text(CALLER % subjects, encoding="utf-8")
    done = run_cli("scan", ".", "--format", "json", "--exit-zero", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return {f["rule_id"] for f in json.loads(done.stdout)["findings"]}


def test_a_comparison_decides_a_condition_the_caller_makes_known(tmp_path: Path) -> None:
    # `length(var.oidc_subjects) > 0` is true for this call: the sub condition is there
    assert "NHI205" not in _scan_call(tmp_path / "pinned", '["repo:example-org/site:ref:refs/heads/main"]')
    assert "NHI205" in _scan_call(tmp_path / "open", "[]")


def _compared(condition: str, type_: str) -> str:
    """POLICY with `var.admin` replaced by a comparison of a variable of another type."""
    return (
        POLICY.replace('variable "admin"', 'variable "setting"')
        .replace("var.admin ?", f"{condition} ?")
        .replace("  type = bool\n", f"  type = {type_}\n")
    )


def test_operators_compare_known_values_as_terraform_does(tmp_path: Path) -> None:
    prod = _compared('var.setting == "prod"', "string")
    assert "NHI201" in {r for r, _ in _findings(tmp_path / "prod", prod % '  default = "prod"\n')}
    assert "NHI201" not in {r for r, _ in _findings(tmp_path / "dev", prod % '  default = "dev"\n')}
    # a number is never equal to a string (`1 == "1"` is false), and `!` negates a known bool
    numeric = _compared('var.setting == "1"', "number")
    assert "NHI201" not in {r for r, _ in _findings(tmp_path / "number", numeric % "  default = 1\n")}
    negated = _compared("!var.setting", "bool")
    assert "NHI201" in {r for r, _ in _findings(tmp_path / "negated", negated % "  default = false\n")}


def _chain(levels: int) -> str:
    """`*` behind `levels` conditionals, each offering another action: every branch is a variant."""
    lines = ['variable "a" {}', "locals {", '  c0 = "*"']
    lines += [f'  c{i} = var.a ? local.c{i - 1} : "s3:GetObjectVersion{i}"' for i in range(1, levels)]
    lines += [
        "}",
        'resource "aws_iam_policy" "p" {',
        '  name   = "p"',
        "  policy = jsonencode({",
        f'    Statement = [{{ Effect = "Allow", Resource = "*", Action = local.c{levels - 1} }}]',
        "  })",
        "}",
    ]
    return "\n".join(lines) + "\n"


def test_many_conditionals_never_hide_a_wildcard_in_silence(tmp_path: Path) -> None:
    assert "NHI201" in {rule for rule, _ in _findings(tmp_path / "some", _chain(20))}
    # past the limit of variants the module is too complex to judge: NHI001, not a pass
    assert "NHI001" in {rule for rule, _ in _findings(tmp_path / "too_many", _chain(80))}
