"""A reusable module's finding judged for one caller takes that caller's production status
(nhilint.pipeline.production): the call in `examples/` makes a note, the call in a root module keeps its
level, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import run_cli

ROLE_MODULE = """\
variable "name" {
  type = string
}

variable "policy_arn" {
  type = string
}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "this" {
  role       = aws_iam_role.this.name
  policy_arn = var.policy_arn
}
"""

CALLER = """\
provider "aws" {
  region = "eu-west-1"
}

module "processor" {
  source     = "%s"
  name       = "%s"
  policy_arn = "arn:aws:iam::aws:policy/%s"
}
"""

ROOT = 'terraform {\n  backend "s3" {}\n}\n\n' + CALLER
EXAMPLE = CALLER % ("../../modules/processor", "example-processor", "AdministratorAccess")


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _scan(root: Path) -> tuple[int, list[dict[str, Any]]]:
    done = run_cli("scan", ".", "--format", "json", cwd=root)
    return done.returncode, json.loads(done.stdout)["findings"]


def _called_from(finding: dict[str, Any]) -> list[str]:
    return [r["file"] for r in finding["related"]]


def test_a_modules_findings_for_an_examples_call_only_are_notes(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "modules/processor/main.tf": ROLE_MODULE,
            "examples/basic/main.tf": EXAMPLE,
        },
    )
    code, findings = _scan(tmp_path)
    judged = {(f["rule_id"], f["file"]): f for f in findings}
    owner = judged["NHI301", "modules/processor/main.tf"]  # untagged role, judged for the example's call
    admin = judged["NHI204", "modules/processor/main.tf"]  # the example passes AdministratorAccess
    for finding in (owner, admin):
        assert _called_from(finding) == ["examples/basic/main.tf"]
        assert (finding["severity"], finding["non_production"]) == ("note", True)
    assert code == 0


def test_the_same_module_called_from_a_root_module_is_reported(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "modules/processor/main.tf": ROLE_MODULE,
            "examples/basic/main.tf": EXAMPLE,
            "live/main.tf": ROOT % ("../modules/processor", "processor", "AdministratorAccess"),
        },
    )
    code, findings = _scan(tmp_path)
    in_module = [f for f in findings if f["file"] == "modules/processor/main.tf"]
    by_caller = {(f["rule_id"], *_called_from(f)): f for f in in_module}
    for rule in ("NHI301", "NHI204"):
        live, example = by_caller[rule, "live/main.tf"], by_caller[rule, "examples/basic/main.tf"]
        assert live["severity"] in ("warning", "error") and not live["non_production"]
        assert (example["severity"], example["non_production"]) == ("note", True)
    assert code == 1
