"""A lifecycle finding points at the one place a human edits to fix it: identities that one edit
gives an owner and expiry (a kustomization's labels, a root module's provider default_tags, a
CloudFormation stack's tags) are reported once there. Real scans of realistic layouts."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .conftest import run_cli

LIFECYCLE = ("--select", "NHI301", "--select", "NHI302")
SOON = (date.today() + timedelta(days=60)).isoformat()


def _scan(path: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("scan", str(path), "--no-cache", "--output-format", "json", *LIFECYCLE, *args, cwd=path)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, [f for f in json.loads(result.stdout)["findings"] if not f["suppressed"]]


def _place(finding: dict[str, Any]) -> tuple[str, int]:
    return Path(finding["file"]).as_posix(), finding["line"]


# --- kustomize -------------------------------------------------------------------------------------

BASE_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
resources:
  - service-accounts.yaml
  - payments.yaml
"""

SERVICE_ACCOUNTS = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: cart
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: checkout
"""

PAYMENTS = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: payments
"""


def _kustomize_base(root: Path, kustomization: str = BASE_KUSTOMIZATION) -> Path:
    base = root / "deploy" / "base"
    base.mkdir(parents=True)
    (base / "kustomization.yaml").write_text(kustomization, encoding="utf-8")
    (base / "service-accounts.yaml").write_text(SERVICE_ACCOUNTS, encoding="utf-8")
    (base / "payments.yaml").write_text(PAYMENTS, encoding="utf-8")
    overlay = root / "deploy" / "overlays" / "prod"
    overlay.mkdir(parents=True)
    (overlay / "kustomization.yaml").write_text("resources:\n  - ../../base\n", encoding="utf-8")
    return base


def test_service_accounts_a_kustomization_lists_are_one_finding_at_its_resources_line(tmp_path: Path) -> None:
    _kustomize_base(tmp_path)
    code, findings = _scan(tmp_path)
    assert code == 1
    (finding,) = findings
    assert _place(finding) == ("deploy/base/kustomization.yaml", 4)
    assert (finding["rule_id"], finding["also"]) == ("NHI301", ["NHI302"])
    assert "3 identities" in finding["message"]
    assert all(name in finding["message"] for name in ("shop/cart", "shop/checkout", "shop/payments"))
    related = {(Path(r["file"]).as_posix(), r["line"]) for r in finding["related"]}
    assert {("deploy/base/service-accounts.yaml", 3), ("deploy/base/service-accounts.yaml", 8)} <= related
    assert ("deploy/base/payments.yaml", 3) in related
    assert "labels" in finding["suggestion"]["snippet"]


def test_kustomization_labels_give_the_service_accounts_an_owner_and_expiry(tmp_path: Path) -> None:
    labelled = BASE_KUSTOMIZATION + f"labels:\n  - pairs:\n      owner: shop-team\n      expires: '{SOON}'\n"
    _kustomize_base(tmp_path, labelled)
    code, findings = _scan(tmp_path)
    assert (code, findings) == (0, [])


def test_kustomization_common_labels_and_annotations_count(tmp_path: Path) -> None:
    labelled = (
        BASE_KUSTOMIZATION + f"commonLabels:\n  owner: shop-team\ncommonAnnotations:\n  expires: '{SOON}'\n"
    )
    _kustomize_base(tmp_path, labelled)
    _, findings = _scan(tmp_path)
    assert findings == []


def test_an_identity_suppressed_inline_leaves_the_group(tmp_path: Path) -> None:
    base = _kustomize_base(tmp_path)
    accounts = SERVICE_ACCOUNTS.replace(
        "  name: cart\n", "  name: cart  # nhilint: ignore[NHI301,NHI302] moving to the platform team\n"
    )
    (base / "service-accounts.yaml").write_text(accounts, encoding="utf-8")
    _, findings = _scan(tmp_path)
    (finding,) = findings
    assert "2 identities" in finding["message"] and "shop/cart" not in finding["message"]
    (base / "payments.yaml").write_text(
        PAYMENTS.replace("  name: payments\n", "  name: payments  # nhilint: ignore[NHI301,NHI302] legacy\n"),
        encoding="utf-8",
    )
    _, findings = _scan(tmp_path)
    (alone,) = findings  # one identity left: reported on itself
    assert _place(alone) == ("deploy/base/service-accounts.yaml", 8)


def test_ignoring_nhi301_leaves_the_group_s_nhi302(tmp_path: Path) -> None:
    _kustomize_base(tmp_path)
    code, findings = _scan(tmp_path, "--ignore", "NHI301")
    assert code == 1
    (finding,) = findings
    assert (finding["rule_id"], _place(finding)) == ("NHI302", ("deploy/base/kustomization.yaml", 4))
    assert "lack an expiry" in finding["message"]


# --- Terraform ---------------------------------------------------------------------------------------

ROOT_MODULE = """\
terraform {
  backend "s3" {}
}

provider "aws" {
  region = "eu-west-1"
}

module "reports" {
  source = "./modules/lambda-role"
  name   = "reports"
}
"""

ROLE = """\
resource "aws_iam_role" "%(name)s" {
  name               = "%(name)s"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" }
    }]
  })%(tags)s
}
"""

MODULE = (
    """\
variable "name" {
  type = string
}

"""
    + ROLE % {"name": "module_role", "tags": ""}
)


def test_a_root_module_without_default_tags_is_one_finding_at_its_provider(tmp_path: Path) -> None:
    roles = "\n".join(
        ROLE % {"name": name, "tags": tags}
        for name, tags in (("ingest", ""), ("export", ""), ("audit", '\n  tags = { owner = "data" }'))
    )
    (tmp_path / "main.tf").write_text(ROOT_MODULE + "\n" + roles, encoding="utf-8")
    (tmp_path / "modules" / "lambda-role").mkdir(parents=True)
    (tmp_path / "modules" / "lambda-role" / "main.tf").write_text(MODULE, encoding="utf-8")
    code, findings = _scan(tmp_path)
    assert code == 1
    (finding,) = findings
    assert _place(finding) == ("main.tf", 5)
    assert "4 identities" in finding["message"] and "an owner or an expiry" in finding["message"]
    related = {(Path(r["file"]).as_posix(), r["line"]) for r in finding["related"]}
    assert ("modules/lambda-role/main.tf", 5) in related  # judged with this caller's provider
    assert "default_tags" in finding["suggestion"]["snippet"]


def test_one_identity_of_a_root_module_is_reported_on_itself(tmp_path: Path) -> None:
    main = ROOT_MODULE.split("module")[0] + ROLE % {"name": "ingest", "tags": ""}
    (tmp_path / "main.tf").write_text(main, encoding="utf-8")
    _, findings = _scan(tmp_path)
    (finding,) = findings
    assert _place(finding) == ("main.tf", 9)
    assert "ingest" in finding["message"]


# --- CloudFormation ----------------------------------------------------------------------------------

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  BuildRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: codebuild.amazonaws.com}
            Action: sts:AssumeRole
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: codepipeline.amazonaws.com}
            Action: sts:AssumeRole
"""


def test_a_template_s_identities_are_one_finding_that_suggests_stack_tags(tmp_path: Path) -> None:
    (tmp_path / "pipeline.yaml").write_text(TEMPLATE, encoding="utf-8")
    code, findings = _scan(tmp_path)
    assert code == 1
    (finding,) = findings
    assert finding["line"] == 3
    assert "BuildRole" in finding["message"] and "DeployRole" in finding["message"]
    assert any(r["line"] == 11 for r in finding["related"])
    assert "--tags" in finding["suggestion"]["snippet"]


def test_an_identity_with_a_wrong_expiry_of_its_own_is_not_grouped(tmp_path: Path) -> None:
    # the expired date is written on the ServiceAccount: that line is the one to edit for it
    base = _kustomize_base(tmp_path)
    expired = "  name: cart\n  labels:\n    expires: '2001-01-01'\n"
    (base / "service-accounts.yaml").write_text(
        SERVICE_ACCOUNTS.replace("  name: cart\n", expired), encoding="utf-8"
    )
    _, findings = _scan(tmp_path)
    places = sorted(_place(f) for f in findings)
    assert places == [("deploy/base/kustomization.yaml", 4), ("deploy/base/service-accounts.yaml", 3)]
    grouped = next(f for f in findings if f["file"].endswith("kustomization.yaml"))
    assert "2 identities" in grouped["message"] and "shop/cart" not in grouped["message"]


def _overlay_labels() -> str:
    return (
        f"resources:\n  - ../../base\nlabels:\n  - pairs:\n      owner: shop-team\n      expires: '{SOON}'\n"
    )


def test_labels_of_the_overlays_that_deploy_a_base_count_for_its_service_accounts(tmp_path: Path) -> None:
    _kustomize_base(tmp_path)
    (tmp_path / "deploy" / "overlays" / "prod" / "kustomization.yaml").write_text(
        _overlay_labels(), encoding="utf-8"
    )
    assert _scan(tmp_path) == (0, [])
    # a second overlay deploys the base without them: still reported, at the base
    dev = tmp_path / "deploy" / "overlays" / "dev"
    dev.mkdir()
    (dev / "kustomization.yaml").write_text("resources:\n  - ../../base\n", encoding="utf-8")
    _, findings = _scan(tmp_path)
    assert [_place(f) for f in findings] == [("deploy/base/kustomization.yaml", 4)]


def test_files_in_a_subdirectory_are_grouped_at_the_kustomization_that_lists_them(tmp_path: Path) -> None:
    app = tmp_path / "apps" / "shop"
    (app / "rbac").mkdir(parents=True)
    (app / "kustomization.yaml").write_text(
        "resources:\n  - rbac/service-accounts.yaml\n  - rbac/payments.yaml\n", encoding="utf-8"
    )
    (app / "rbac" / "service-accounts.yaml").write_text(SERVICE_ACCOUNTS, encoding="utf-8")
    (app / "rbac" / "payments.yaml").write_text(PAYMENTS, encoding="utf-8")
    _, findings = _scan(tmp_path)
    (finding,) = findings
    assert _place(finding) == ("apps/shop/kustomization.yaml", 1)
    assert "3 identities" in finding["message"]


# --- manifest files no kustomization lists --------------------------------------------------------

RELEASE = """\
# a release file: every object of the app, applied with `kubectl apply -f`
apiVersion: v1
kind: ServiceAccount
metadata:
  name: frontend
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  selector:
    matchLabels: {app: frontend}
  template:
    metadata:
      labels: {app: frontend}
    spec:
      serviceAccountName: frontend
      containers:
        - name: server
          image: ghcr.io/acme/frontend:1.4.2
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: cart
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: checkout
"""


def test_service_accounts_of_a_file_no_kustomization_lists_are_one_finding(tmp_path: Path) -> None:
    release = tmp_path / "release"
    release.mkdir()
    (release / "kubernetes-manifests.yaml").write_text(RELEASE, encoding="utf-8")
    (release / "loadgenerator.yaml").write_text(PAYMENTS, encoding="utf-8")  # its own file: its own unit
    _, findings = _scan(tmp_path)
    assert sorted(_place(f) for f in findings) == [
        ("release/kubernetes-manifests.yaml", 4),  # the first ServiceAccount's metadata
        ("release/loadgenerator.yaml", 3),
    ]
    grouped = next(f for f in findings if f["file"].endswith("kubernetes-manifests.yaml"))
    assert (grouped["rule_id"], grouped["also"]) == ("NHI301", ["NHI302"])
    assert "3 identities" in grouped["message"]
    assert {r["line"] for r in grouped["related"]} == {4, 25, 30}
    assert "apply -k" in grouped["suggestion"]["text"] and "resources:" in grouped["suggestion"]["snippet"]


def test_a_file_beside_a_kustomization_that_does_not_list_it_is_its_own_unit(tmp_path: Path) -> None:
    base = _kustomize_base(tmp_path)
    (base / "release.yaml").write_text(RELEASE, encoding="utf-8")  # not in the kustomization's resources
    _, findings = _scan(tmp_path)
    assert sorted(_place(f) for f in findings) == [
        ("deploy/base/kustomization.yaml", 4),
        ("deploy/base/release.yaml", 4),
    ]


DELETE_PATCH = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: payments
$patch: delete
"""


def test_a_patch_that_deletes_a_service_account_declares_none(tmp_path: Path) -> None:
    _kustomize_base(tmp_path)
    overlay = tmp_path / "deploy" / "overlays" / "prod"
    (overlay / "kustomization.yaml").write_text(
        "resources:\n  - ../../base\npatches:\n  - path: delete-payments.yaml\n", encoding="utf-8"
    )
    (overlay / "delete-payments.yaml").write_text(DELETE_PATCH, encoding="utf-8")
    _, findings = _scan(tmp_path)
    assert [_place(f) for f in findings] == [("deploy/base/kustomization.yaml", 4)]
