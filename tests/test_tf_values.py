"""Terraform values nhilint evaluates before judging them: policies kept in files and templates,
computed strings, `for_each`/`count` over literal collections, and local module inputs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import run_cli

ADMIN_JSON = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}
"""
ROLE = """
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { Service = "lambda.amazonaws.com" } }] })
}
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def scan_json(root: Path, *extra: str, env: dict[str, str] | None = None) -> list[dict]:
    proc = run_cli("scan", ".", "--format", "json", *extra, cwd=root, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def found(findings: list[dict], rule: str) -> list[tuple[str, int]]:
    return sorted((f["file"], f["line"]) for f in findings if f["rule_id"] == rule)


def related(findings: list[dict], rule: str) -> list[tuple[str, int]]:
    return sorted({(r["file"], r["line"]) for f in findings if f["rule_id"] == rule for r in f["related"]})


# --- policies in files -----------------------------------------------------------------------


def test_file_policy_is_reported_in_the_json_with_the_attaching_resource_related(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "policies/admin.json": ADMIN_JSON,
            "main.tf": ROLE
            + """
resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = file("${path.module}/policies/admin.json")
}
""",
        },
    )
    findings = scan_json(tmp_path, "--no-cache")
    assert found(findings, "NHI201") == [("policies/admin.json", 6)]
    assert related(findings, "NHI201") == [("main.tf", 10)]


TEMPLATE = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Deploy",
      "Effect": "Allow",
      "Action": ${jsonencode(actions)},
      "Resource": "${resource}"
    }
  ]
}
"""


def test_templatefile_substitutes_literal_arguments(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "templates/deploy.json.tpl": TEMPLATE,
            "main.tf": ROLE
            + """
resource "aws_iam_role_policy" "deploy" {
  role = aws_iam_role.deploy.id
  policy = templatefile("${path.module}/templates/deploy.json.tpl", {
    actions  = ["s3:PutObject", "*"]
    resource = "*"
  })
}
""",
        },
    )
    findings = scan_json(tmp_path, "--no-cache")
    assert found(findings, "NHI201") == [("templates/deploy.json.tpl", 7)]
    assert related(findings, "NHI201") == [("main.tf", 10)]


def test_templatefile_arguments_not_known_stay_unknown(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "deploy.json.tpl": TEMPLATE,
            "loop.json.tpl": '{"Statement": [\n%{ for a in actions ~}\n'
            '{"Effect": "Allow", "Action": "${a}", "Resource": "*"},\n%{ endfor ~}\n'
            '{"Effect": "Allow", "Action": "*", "Resource": "*"}\n]}\n',
            "main.tf": ROLE
            + """
variable "actions" {
  type = list(string)
}

resource "aws_iam_role_policy" "deploy" {
  role   = aws_iam_role.deploy.id
  policy = templatefile("deploy.json.tpl", { actions = var.actions, resource = "*" })
}

resource "aws_iam_role_policy" "narrow" {
  role   = aws_iam_role.deploy.id
  policy = templatefile("deploy.json.tpl", { actions = ["*"], resource = var.bucket_arn })
}

resource "aws_iam_role_policy" "loop" {
  role   = aws_iam_role.deploy.id
  policy = templatefile("loop.json.tpl", { actions = ["s3:GetObject"] })
}
""",
        },
    )
    findings = scan_json(tmp_path, "--no-cache")
    # unknown actions, an unknown resource and a template with a loop: nothing claimed, nothing broken
    assert [f["rule_id"] for f in findings if f["rule_id"] in ("NHI001", "NHI201", "NHI202")] == []


def test_template_file_and_local_file_data_sources(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "policies/admin.json": ADMIN_JSON,
            "policies/deploy.json.tpl": TEMPLATE,
            "main.tf": ROLE
            + """
data "template_file" "deploy" {
  template = file("${path.module}/policies/deploy.json.tpl")
  vars = {
    actions  = "iam:PassRole"
    resource = "*"
  }
}

data "template_file" "everything" {
  template = file("policies/deploy.json.tpl")
  vars     = { resource = "*" }
}

resource "aws_iam_role_policy" "deploy" {
  role   = aws_iam_role.deploy.id
  policy = data.template_file.deploy.rendered
}

data "local_file" "admin" {
  filename = "${path.module}/policies/admin.json"
}

resource "aws_iam_policy" "admin" {
  policy = data.local_file.admin.content
}
""",
        },
    )
    findings = scan_json(tmp_path, "--no-cache")
    assert found(findings, "NHI201") == [("policies/admin.json", 6)]
    # `jsonencode("iam:PassRole")` is `"iam:PassRole"`: a known escalation on every resource
    assert found(findings, "NHI203") == [("policies/deploy.json.tpl", 7)]
    assert ("main.tf", 23) in related(findings, "NHI203")


def test_policy_files_outside_the_module_or_through_links_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"admin.json": ADMIN_JSON})
    repo = tmp_path / "repo"
    write(
        repo,
        {
            "infra/main.tf": ROLE
            + """
resource "aws_iam_policy" "escape" {
  policy = file("../../../../../../../../etc/hostname")
}

resource "aws_iam_policy" "up" {
  policy = templatefile("${path.module}/../../outside/admin.json", {})
}

resource "aws_iam_policy" "linked" {
  policy = file("linked.json")
}

data "local_file" "linked" {
  filename = "${path.module}/linked.json"
}

resource "aws_iam_policy" "linked_data" {
  policy = data.local_file.linked.content
}
""",
        },
    )
    os.symlink(outside / "admin.json", repo / "infra" / "linked.json")
    findings = scan_json(repo, "--no-cache")
    assert [f["rule_id"] for f in findings if f["rule_id"] in ("NHI001", "NHI201")] == []


@pytest.mark.parametrize("how", ["templatefile", "local_file"])
def test_warm_scan_reports_the_edited_policy_file(tmp_path: Path, how: str) -> None:
    repo = tmp_path / "repo"
    policy = (
        'templatefile("p.json.tpl", { resource = "*" })'
        if how == "templatefile"
        else "data.local_file.p.content"
    )
    write(
        repo,
        {
            "p.json.tpl": '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",'
            ' "Resource": "${resource}"}]}',
            "main.tf": ROLE
            + f"""
data "local_file" "p" {{
  filename = "p.json.tpl"
}}

resource "aws_iam_role_policy" "p" {{
  role   = aws_iam_role.deploy.id
  policy = {policy}
}}
""",
        },
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert found(scan_json(repo, env=env), "NHI201") == []
    (repo / "p.json.tpl").write_text(ADMIN_JSON)
    assert found(scan_json(repo, env=env), "NHI201") == [("p.json.tpl", 6)]


# --- computed values -------------------------------------------------------------------------


def test_managed_admin_arn_computed_with_an_unknown_partition(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": ROLE
            + """
variable "partition" {
  type = string
}

data "aws_partition" "current" {}

resource "aws_iam_role_policy_attachment" "formatted" {
  role       = aws_iam_role.deploy.name
  policy_arn = format("arn:%s:iam::aws:policy/AdministratorAccess", var.partition)
}

resource "aws_iam_role_policy_attachment" "joined" {
  role       = aws_iam_role.deploy.name
  policy_arn = join("", ["arn:", data.aws_partition.current.partition, ":iam::aws:policy/", local.admin])
}

resource "aws_iam_role_policy_attachment" "read_only" {
  role       = aws_iam_role.deploy.name
  policy_arn = format("arn:%s:iam::aws:policy/%s", var.partition, "ReadOnlyAccess")
}

resource "aws_iam_role_policy_attachment" "unknown_name" {
  role       = aws_iam_role.deploy.name
  policy_arn = format("arn:aws:iam::aws:policy/%s", var.policy_name)
}

locals {
  admin = "AdministratorAccess"
}
""",
        },
    )
    assert found(scan_json(tmp_path, "--no-cache"), "NHI204") == [("main.tf", 16), ("main.tf", 21)]


def test_owner_granted_through_for_each_and_count_over_literal_collections(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
locals {
  ci     = "serviceAccount:ci@acme-prod.iam.gserviceaccount.com"
  roles  = ["roles/viewer", "roles/owner", "roles/viewer"]
  grants = {
    deployer = { role = "roles/editor", member = "serviceAccount:deploy@acme-prod.iam.gserviceaccount.com" }
    reader   = { role = "roles/viewer", member = "serviceAccount:read@acme-prod.iam.gserviceaccount.com" }
  }
}

resource "google_project_iam_member" "ci" {
  for_each = toset(local.roles)
  project  = "acme-prod"
  role     = each.value
  member   = local.ci
}

resource "google_project_iam_member" "by_name" {
  for_each = local.grants
  project  = "acme-prod"
  role     = each.value.role
  member   = each.value["member"]
}

resource "google_project_iam_member" "unknown" {
  for_each = toset(var.roles)
  project  = "acme-prod"
  role     = each.value
  member   = local.ci
}
""",
        },
    )
    findings = scan_json(tmp_path, "--no-cache")
    assert found(findings, "NHI204") == [("main.tf", 14), ("main.tf", 21)]
    messages = sorted(f["message"] for f in findings if f["rule_id"] == "NHI204")
    assert "roles/owner" in messages[0] and "ci@" in messages[0]
    assert "roles/editor" in messages[1] and "deploy@" in messages[1]


def test_count_index_picks_each_element(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
locals {
  roles = ["roles/viewer", "roles/owner"]
}

resource "google_project_iam_member" "counted" {
  count   = length(local.roles)
  project = "acme-prod"
  role    = local.roles[count.index]
  member  = "serviceAccount:ci-${count.index}@acme-prod.iam.gserviceaccount.com"
}
""",
        },
    )
    findings = scan_json(tmp_path, "--no-cache")
    assert [(f["line"], "ci-1@" in f["message"]) for f in findings if f["rule_id"] == "NHI204"] == [(9, True)]


def test_dynamic_statements_over_a_literal_list(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": ROLE
            + """
locals {
  statements = [
    { sid = "Read", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::artifacts/*"] },
    { sid = "Everything", actions = ["*"], resources = ["*"] },
  ]
}

data "aws_iam_policy_document" "deploy" {
  dynamic "statement" {
    for_each = local.statements
    iterator = s
    content {
      sid       = s.value.sid
      actions   = s.value.actions
      resources = s.value.resources
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}
""",
        },
    )
    findings = scan_json(tmp_path, "--no-cache")
    assert found(findings, "NHI201") == [("main.tf", 21)]
    assert "role deploy" in next(f["message"] for f in findings if f["rule_id"] == "NHI201")


# --- local module inputs ---------------------------------------------------------------------

ROLE_MODULE = """
variable "name" {
  type = string
}

variable "actions" {
  type = list(string)
}

variable "managed_policies" {
  type    = list(string)
  default = []
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { Service = "ecs-tasks.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "this" {
  role = aws_iam_role.this.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
  })
}

module "attach" {
  source     = "../attach"
  role       = aws_iam_role.this.name
  policy_arn = var.managed_policies[0]
}
"""
ATTACH_MODULE = """
variable "role" {
  type = string
}

variable "policy_arn" {
  type = string
}

resource "aws_iam_role_policy_attachment" "this" {
  role       = var.role
  policy_arn = var.policy_arn
}
"""
CALLER = """
module "deployer" {
  source           = "../../modules/role"
  name             = "deployer"
  actions          = ["ecr:GetAuthorizationToken"]
  managed_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}

module "operator" {
  source  = "../../modules/role"
  name    = "operator"
  actions = ["*"]
}

module "registry" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  version = "5.39.0"
  actions = ["*"]
}
"""


def test_local_module_judged_with_each_callers_values(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "modules/role/main.tf": ROLE_MODULE,
            "modules/attach/main.tf": ATTACH_MODULE,
            "envs/prod/main.tf": CALLER,
        },
    )
    findings = scan_json(tmp_path, "--no-cache")
    nhi201 = [f for f in findings if f["rule_id"] == "NHI201"]
    # only `operator` passes "*"; the finding is inside the module, the call is related
    assert [(f["file"], f["line"]) for f in nhi201] == [("modules/role/main.tf", 24)]
    assert [(r["file"], r["line"]) for r in nhi201[0]["related"]] == [("envs/prod/main.tf", 9)]
    # through two levels: deployer -> role -> attach
    nhi204 = [f for f in findings if f["rule_id"] == "NHI204"]
    assert [(f["file"], f["line"]) for f in nhi204] == [("modules/attach/main.tf", 12)]
    assert "deployer" in nhi204[0]["message"]
    assert [(r["file"], r["line"]) for r in nhi204[0]["related"]] == [
        ("envs/prod/main.tf", 2),
        ("modules/role/main.tf", 28),
    ]


def test_each_call_site_is_reported_and_the_cache_follows_the_module(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(
        repo,
        {
            "modules/role/main.tf": ROLE_MODULE,
            "modules/attach/main.tf": ATTACH_MODULE,
            "envs/prod/main.tf": CALLER.replace('["ecr:GetAuthorizationToken"]', '["*"]'),
        },
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    nhi201 = [f for f in scan_json(repo, "envs/prod", env=env) if f["rule_id"] == "NHI201"]
    assert sorted(r["line"] for f in nhi201 for r in f["related"]) == [2, 9]
    assert len(nhi201) == 2  # one per call site, each naming its own call
    # the module now refuses the wildcard: the warm scan of the caller must see it
    (repo / "modules/role/main.tf").write_text(
        ROLE_MODULE.replace("Action = var.actions", 'Action = ["s3:GetObject"]')
    )
    assert [f for f in scan_json(repo, "envs/prod", env=env) if f["rule_id"] == "NHI201"] == []


def test_policy_document_built_on_a_policy_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "policies/base.json": ADMIN_JSON,
            "main.tf": ROLE
            + """
data "aws_iam_policy_document" "deploy" {
  source_policy_documents = [file("${path.module}/policies/base.json")]
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::artifacts/*"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}
""",
        },
    )
    findings = scan_json(tmp_path, "--no-cache")
    assert found(findings, "NHI201") == [("policies/base.json", 6)]
    assert related(findings, "NHI201") == [("main.tf", 9)]


def test_repetition_too_large_to_write_out_is_nhi001_and_the_rest_is_judged(tmp_path: Path) -> None:
    """Its repeated values stay unknown, and the scan says so at the `for_each` (a roles/owner among
    them must not pass silently)."""
    roles = ", ".join(f'"roles/custom{i}"' for i in range(255))
    labels = "\n".join(f"    l{i} = {i}" for i in range(1200))
    write(
        tmp_path,
        {
            "main.tf": f"""
locals {{
  roles = [{roles}, "roles/owner"]
}}

resource "google_project_iam_member" "many" {{
  for_each = toset(local.roles)
  project  = "acme-prod"
  role     = each.value
  member   = "serviceAccount:ci@acme-prod.iam.gserviceaccount.com"
  labels = {{
{labels}
  }}
}}

resource "google_project_iam_member" "literal" {{
  project = "acme-prod"
  role    = "roles/owner"
  member  = "serviceAccount:ops@acme-prod.iam.gserviceaccount.com"
}}
""",
        },
    )
    findings = scan_json(tmp_path, "--no-cache")
    assert found(findings, "NHI001") == [("main.tf", 7)]
    assert [("ops@" in f["message"]) for f in findings if f["rule_id"] == "NHI204"] == [True]
