"""Owner and expiry decided outside the file: a reusable module's AWS identities get them from the
`default_tags` of the provider its caller passes, and a rendered third-party chart's ServiceAccounts
from the values it is installed with (one note per chart in the scan). Real CLI runs on real layouts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import run_cli

CI_ROLE_MODULE = """\
variable "name" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" }
    }]
  })
  tags = var.tags
}
"""

PROVIDER = """\
provider "aws" {
  region = "eu-west-1"
}
"""

TAGGED_PROVIDER = """\
provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      owner   = "platform"
      expires = "2026-12-31"
    }
  }
}
"""

CALLS = """\
module "build" {
  source = "./modules/ci-role"
  name   = "build"
}

module "release" {
  source = "./modules/ci-role"
  name   = "release"
}
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _lifecycle(root: Path, *args: str) -> list[dict[str, Any]]:
    done = run_cli(
        "scan", ".", "--format", "json", "--no-cache", "--select", "NHI301,NHI302", *args, cwd=root
    )
    assert done.returncode in (0, 1), done.stderr
    return [f for f in json.loads(done.stdout)["findings"] if not f["suppressed"]]


# the role without tags of its own: only a provider's default_tags can tag it
UNTAGGED_MODULE = CI_ROLE_MODULE.replace("  tags = var.tags\n", "")


def test_a_reusable_module_alone_leaves_owner_and_expiry_to_its_callers_provider(tmp_path: Path) -> None:
    _write(tmp_path, {"modules/ci-role/main.tf": UNTAGGED_MODULE})
    assert _lifecycle(tmp_path) == []


def test_the_callers_default_tags_give_the_modules_role_its_owner_and_expiry(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": TAGGED_PROVIDER + CALLS, "modules/ci-role/main.tf": UNTAGGED_MODULE})
    assert _lifecycle(tmp_path) == []


def test_a_caller_without_default_tags_gets_one_finding_at_its_provider_for_every_call(
    tmp_path: Path,
) -> None:
    # each call's role is judged on its own, then both are reported once where one edit tags them
    # both: the caller's provider block (default_tags)
    _write(tmp_path, {"main.tf": PROVIDER + CALLS, "modules/ci-role/main.tf": CI_ROLE_MODULE})
    findings = _lifecycle(tmp_path)
    assert [(f["rule_id"], f["also"], f["file"], f["line"]) for f in findings] == [
        ("NHI301", ["NHI302"], "main.tf", 1),
    ]
    places = {(r["file"], r["line"]) for f in findings for r in f["related"]}
    assert {("main.tf", 4), ("main.tf", 9), ("modules/ci-role/main.tf", 18)} <= places
    assert "default_tags" in findings[0]["message"]
    assert "build" in findings[0]["message"] and "release" in findings[0]["message"]


def test_the_provider_a_call_passes_is_the_one_judged(tmp_path: Path) -> None:
    root = TAGGED_PROVIDER.replace('region = "eu-west-1"', 'alias  = "tagged"\n  region = "eu-west-1"')
    calls = """\
module "tagged" {
  source    = "./modules/ci-role"
  name      = "tagged"
  providers = { aws = aws.tagged }
}

module "untagged" {
  source = "./modules/ci-role"
  name   = "untagged"
}
"""
    _write(tmp_path, {"main.tf": PROVIDER + root + calls, "modules/ci-role/main.tf": CI_ROLE_MODULE})
    findings = _lifecycle(tmp_path)
    assert [f["message"].split()[1] for f in findings] == ["untagged"]


def test_tags_the_caller_passes_count_with_its_default_tags(tmp_path: Path) -> None:
    calls = CALLS.replace('name   = "build"', 'name   = "build"\n  tags   = { owner = "platform" }')
    _write(tmp_path, {"main.tf": PROVIDER + calls, "modules/ci-role/main.tf": CI_ROLE_MODULE})
    (grouped,) = _lifecycle(tmp_path)  # both calls' roles, at the provider (one edit tags both)
    assert "lack an owner or an expiry" in grouped["message"]
    said = {
        r["message"].split()[2]: r["message"] for r in grouped["related"] if r["message"].startswith("NHI")
    }
    assert said["build"].startswith("NHI302:") and "owner" not in said["build"]
    assert said["release"].startswith("NHI301:") and "no expiry" in said["release"]


# --- a rendered chart, one file per template (`helm template --output-dir`) ------------------------


def _service_account(template: str, name: str) -> str:
    return f"""\
---
# Source: cert-manager/templates/{template}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: cert-manager
  labels:
    app.kubernetes.io/managed-by: Helm
    helm.sh/chart: cert-manager-v1.14.4
"""


RENDERED_FILES = {
    "rendered/cert-manager/templates/cainjector-serviceaccount.yaml": _service_account(
        "cainjector-serviceaccount.yaml", "cert-manager-cainjector"
    ),
    "rendered/cert-manager/templates/serviceaccount.yaml": _service_account(
        "serviceaccount.yaml", "cert-manager"
    ),
    "rendered/cert-manager/templates/webhook-serviceaccount.yaml": _service_account(
        "webhook-serviceaccount.yaml", "cert-manager-webhook"
    ),
}


def test_a_chart_rendered_one_file_per_template_is_one_note_for_the_scan(tmp_path: Path) -> None:
    _write(tmp_path, RENDERED_FILES)
    [note] = _lifecycle(tmp_path)
    assert (note["rule_id"], note["also"], note["severity"]) == ("NHI301", ["NHI302"], "note")
    assert note["file"] == "rendered/cert-manager/templates/cainjector-serviceaccount.yaml"
    others = [(r["file"], r["message"].split()[1]) for r in note["related"]]
    assert others == [
        ("rendered/cert-manager/templates/serviceaccount.yaml", "cert-manager/cert-manager"),
        ("rendered/cert-manager/templates/webhook-serviceaccount.yaml", "cert-manager/cert-manager-webhook"),
    ]
    # folded, the note still counts the chart's ServiceAccounts and names the chart
    assert "3 ServiceAccounts of chart cert-manager" in note["message"]
    assert "no owner" in note["message"] and "no expiry" in note["message"]


def test_one_chart_rule_ignored_leaves_the_other_counted(tmp_path: Path) -> None:
    _write(tmp_path, RENDERED_FILES)
    [note] = _lifecycle(tmp_path, "--ignore", "NHI301")
    assert (note["rule_id"], note["also"]) == ("NHI302", [])
    assert "3 ServiceAccounts of chart cert-manager" in note["message"] and "owner" not in note["message"]


USERS_MODULE = """\
variable "user_name" {
  type = string
}

resource "aws_iam_user" "user" {
  name = var.user_name
}

resource "aws_iam_user_login_profile" "user_login" {
  user                    = aws_iam_user.user.name
  password_reset_required = true
}
"""


def test_people_a_root_module_creates_through_a_module_are_not_machine_identities(tmp_path: Path) -> None:
    """IAM users with a console password are people: no owner/expiry findings, per call or alone."""
    calls = 'module "iam_user_ana" {\n  source    = "./modules/aws-users"\n  user_name = "ana"\n}\n'
    _write(tmp_path, {"main.tf": PROVIDER + calls, "modules/aws-users/main.tf": USERS_MODULE})
    assert _lifecycle(tmp_path) == []
    _write(tmp_path, {"main.tf": PROVIDER + USERS_MODULE.replace("var.user_name", '"ana"')})
    assert _lifecycle(tmp_path) == []
