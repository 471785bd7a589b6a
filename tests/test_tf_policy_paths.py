"""Terraform policy files above the module's directory (`${path.module}/../policies/x.json`) and
`${path.root}` inside a called module: read when they stay inside the scan root, through no link."""

from __future__ import annotations

import os
from pathlib import Path

from .test_tf_values import ADMIN_JSON, ROLE, found, related, scan_json, write

ABOVE = (
    ROLE
    + """
resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = file("${path.module}/../../policies/admin.json")
}
"""
)


def test_policy_file_above_the_module_inside_the_root_is_read(tmp_path: Path) -> None:
    write(tmp_path, {"policies/admin.json": ADMIN_JSON, "infra/prod/main.tf": ABOVE})
    findings = scan_json(tmp_path, "--no-cache")
    assert found(findings, "NHI201") == [("policies/admin.json", 6)]
    assert related(findings, "NHI201") == [("infra/prod/main.tf", 10)]


def test_policy_file_above_the_scan_root_or_through_a_linked_directory_is_not_read(tmp_path: Path) -> None:
    write(tmp_path, {"policies/admin.json": ADMIN_JSON, "repo/infra/main.tf": ABOVE})
    repo = tmp_path / "repo"  # `../../policies` from repo/infra leaves the scanned repository
    assert [f["rule_id"] for f in scan_json(repo, "--no-cache") if f["rule_id"] in ("NHI001", "NHI201")] == []
    write(repo, {"shared/admin.json": ADMIN_JSON})
    os.symlink(repo / "shared", repo / "policies")  # inside the root, but through a link
    write(repo, {"infra/prod/main.tf": ABOVE})
    assert found(scan_json(repo, "--no-cache"), "NHI201") == []


def test_warm_scan_rechecks_a_policy_file_above_the_module(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, {"policies/admin.json": '{"Statement": []}', "infra/prod/main.tf": ABOVE})
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert found(scan_json(repo, env=env), "NHI201") == []
    (repo / "policies" / "admin.json").write_text(ADMIN_JSON)
    assert found(scan_json(repo, env=env), "NHI201") == [("policies/admin.json", 6)]


def test_path_root_in_a_called_module_is_the_root_modules_directory(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "policies/admin.json": ADMIN_JSON,
            "modules/role/policies/admin.json": '{"Statement": []}',  # what a wrong path.root would read
            "main.tf": 'module "deploy" {\n  source = "./modules/role"\n  name   = "deploy"\n}\n',
            "modules/role/main.tf": """
variable "name" {}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "this" {
  role   = aws_iam_role.this.id
  policy = file("${path.root}/policies/admin.json")
}
""",
        },
    )
    assert found(scan_json(tmp_path, "--no-cache"), "NHI201") == [("policies/admin.json", 6)]
