"""What production deploys is production wherever it lives (nhilint.pipeline.production), through the
real CLI: a hostile change must not move a risky identity under `examples/` or `tests/` and pull it in from
production to turn its findings into notes that never fail the gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import run_cli

ADMIN_MODULE = """\
variable "name" {}
resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }]
  })
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""

ROOT_CALLING = """\
terraform {
  backend "s3" {}
}
provider "aws" {
  region = "eu-west-1"
}
module "deployer" {
  source = "%s"
  name   = "deployer"
}
"""

CLUSTER_ADMIN_BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: ci
    namespace: deploy
"""

STATIC_KEY_JOB = """\
deploy:
  stage: deploy
  variables:
    AWS_ACCESS_KEY_ID: $PROD_KEY_ID
    AWS_SECRET_ACCESS_KEY: $PROD_SECRET
  script:
    - aws s3 sync . s3://bucket
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _scan(root: Path) -> tuple[int, list[dict[str, Any]]]:
    done = run_cli("scan", ".", "--format", "json", cwd=root)
    findings = [f for f in json.loads(done.stdout)["findings"] if not f.get("suppressed")]
    return done.returncode, findings


def test_a_local_module_under_examples_called_from_production_is_production(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": ROOT_CALLING % "./examples/admin", "examples/admin/main.tf": ADMIN_MODULE})
    code, findings = _scan(tmp_path)
    judged = {(f["rule_id"], f["severity"], f["non_production"]) for f in findings}
    assert ("NHI205", "error", False) in judged  # the trust is the module's alone: no related location
    assert ("NHI204", "error", False) in judged
    assert code == 1


def test_a_module_reached_through_another_test_path_from_production_is_production(tmp_path: Path) -> None:
    wrapper = 'module "inner" {\n  source = "../../docs/Admin"\n  name   = "x"\n}\n'
    _write(
        tmp_path,
        {
            "live/main.tf": ROOT_CALLING % "../Tests/wrapper",
            "Tests/wrapper/main.tf": wrapper,
            "docs/Admin/main.tf": ADMIN_MODULE,
        },
    )
    code, findings = _scan(tmp_path)
    assert {f["rule_id"] for f in findings if not f["non_production"]} >= {"NHI204", "NHI205"}
    assert code == 1


def test_a_module_only_examples_call_stays_a_note(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"examples/root/main.tf": ROOT_CALLING % "../admin", "examples/admin/main.tf": ADMIN_MODULE},
    )
    code, findings = _scan(tmp_path)
    assert findings and all(f["non_production"] and f["severity"] == "note" for f in findings)
    assert code == 0


def test_a_gitlab_include_from_a_tests_directory_is_production(tmp_path: Path) -> None:
    pipeline = "include:\n  - local: tests/ci/deploy.yml\nstages: [deploy]\n"
    _write(tmp_path, {".gitlab-ci.yml": pipeline, "tests/ci/deploy.yml": STATIC_KEY_JOB})
    code, findings = _scan(tmp_path)
    assert [(f["rule_id"], f["non_production"]) for f in findings] == [("NHI103", False)]
    assert code == 1


def test_a_kustomization_resource_under_examples_is_production(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "deploy/kustomization.yaml": "resources:\n  - ../examples/rbac\n",
            "examples/rbac/kustomization.yaml": "resources:\n  - binding.yaml\n",
            "examples/rbac/binding.yaml": CLUSTER_ADMIN_BINDING,
        },
    )
    code, findings = _scan(tmp_path)
    assert [(f["rule_id"], f["severity"], f["non_production"]) for f in findings] == [
        ("NHI207", "error", False)
    ]
    assert code == 1


def test_a_credential_folded_with_a_test_paths_note_still_fails_the_scan(tmp_path: Path) -> None:
    workflow = """\
name: release
on: push
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: AKIAQX7ZP3LMN4RT2WUV
      AWS_SECRET_ACCESS_KEY: 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
    steps:
      - run: aws s3 sync dist s3://acme-releases
"""
    # NHI101 at `note` by configuration: it ties with the test path's NHI103 note of the same cause
    _write(
        tmp_path,
        {"tests/.github/workflows/release.yml": workflow, ".nhilint.yaml": "severity:\n  NHI101: note\n"},
    )
    done = run_cli("scan", ".", "--format", "json", "--fail-on", "note", cwd=tmp_path)
    [finding] = json.loads(done.stdout)["findings"]
    assert (finding["rule_id"], finding["non_production"]) == ("NHI101", False)
    assert done.returncode == 1
