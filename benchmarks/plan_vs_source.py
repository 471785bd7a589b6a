"""What a Terraform plan adds over the source, on a real module: terraform-aws-modules/terraform-aws-iam
(v6.5.0) `examples/iam-role`, which calls `modules/iam-role` five times (three of them through `for_each`).

    python benchmarks/plan_vs_source.py PATH/TO/terraform-aws-iam [--out /tmp/plan-vs-source]

Terraform is not run (no credentials, no network): the plan is the one `terraform show -json` prints for
that example in account 123456789012, written out here from the module's code (resource addresses,
`for_each` keys, values known and unknown at plan time). Three scans, findings counted per rule:
  source    the example and its local module, as the repository holds them;
  plan      the plan, the source beside it (findings at the .tf lines);
  registry  the same example calling the module from the registry (`source = "terraform-aws-modules/
            iam/aws//modules/iam-role"`, as users write it): the source scan, then the plan scan.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

REGISTRY = "terraform-aws-modules/iam/aws//modules/iam-role"
ACCOUNT = ACCOUNT = "123456789012"
CALLER = f"arn:aws:iam::{ACCOUNT}:user/ci"
TAGS = {"Example": "ex-iam-role", "GithubOrg": "terraform-aws-modules", "GithubRepo": "terraform-aws-iam"}
AWS = "registry.terraform.io/hashicorp/aws"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "86400"}}


def trust(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)


def aws_trust(arns, services=()):
    principal = {"AWS": arns[0] if len(arns) == 1 else arns}
    if services:
        principal["Service"] = list(services)
    return trust(
        [
            {
                "Sid": "TrustRoleAndServiceToAssume",
                "Effect": "Allow",
                "Action": ["sts:TagSession", "sts:AssumeRole"],
                "Principal": principal,
                **({"Condition": MFA} if not services else {}),
            }
        ]
    )


GITHUB = trust(
    [
        {
            "Sid": "GithubOidcAuth",
            "Effect": "Allow",
            "Action": ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"],
            "Principal": {
                "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
            },
            "Condition": {
                "ForAllValues:StringEquals": {
                    "token.actions.githubusercontent.com:iss": "https://token.actions.githubusercontent.com",
                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                },
                "StringEquals": {
                    "token.actions.githubusercontent.com:sub": [
                        "repo:terraform-aws-modules/terraform-aws-iam:pull_request",
                        "repo:terraform-aws-modules/terraform-aws-iam:ref:refs/heads/master",
                    ]
                },
            },
        }
    ]
)


def plan_of(source: str) -> dict[str, Any]:
    """The plan, the module called from `source`."""
    calls = {  # call address -> (name, trust json, policies, instance profile)
        'module.iam_roles["admin"]': (
            "admin",
            aws_trust([CALLER]),
            {"AdministratorAccess": "arn:aws:iam::aws:policy/AdministratorAccess"},
            False,
        ),
        'module.iam_roles["poweruser"]': (
            "poweruser",
            aws_trust([CALLER]),
            {"PowerUserAccess": "arn:aws:iam::aws:policy/PowerUserAccess"},
            False,
        ),
        'module.iam_roles["readonly"]': (
            "readonly",
            aws_trust(["arn:aws:iam::835367859851:user/anton"]),
            {"ReadOnlyAccess": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
            False,
        ),
        "module.iam_role_instance_profile": (
            "ex-iam-role-instance-profile",
            aws_trust(
                ["arn:aws:iam::307990089504:root", "arn:aws:iam::835367859851:user/anton"],
                ["codedeploy.amazonaws.com"],
            ),
            {"ReadOnlyAccess": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
            True,
        ),
        "module.iam_role_github_oidc": (
            "ex-iam-role",
            GITHUB,
            {"S3ReadOnly": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
            False,
        ),
    }

    changes, planned = [], {}

    def add(module, mode, type_, name, index, values, unknown=None, sensitive=None, actions=("create",)):
        key = f"[{json.dumps(index)}]" if index is not None else ""
        prefix = "data." if mode == "data" else ""
        address = f"{module + '.' if module else ''}{prefix}{type_}.{name}{key}"
        entry = {
            "address": address,
            "mode": mode,
            "type": type_,
            "name": name,
            **({"index": index} if index is not None else {}),
            "provider_name": AWS,
            "schema_version": 0,
            "values": values,
            "sensitive_values": sensitive or {},
        }
        planned.setdefault(module, []).append(entry)
        if mode == "managed":
            changes.append(
                {
                    "address": address,
                    **({"module_address": module} if module else {}),
                    "mode": mode,
                    "type": type_,
                    "name": name,
                    **({"index": index} if index is not None else {}),
                    "provider_name": AWS,
                    "change": {
                        "actions": list(actions),
                        "before": None,
                        "after": values,
                        "after_unknown": unknown or {},
                        "before_sensitive": False,
                        "after_sensitive": sensitive or {},
                    },
                }
            )

    add(
        "",
        "data",
        "aws_caller_identity",
        "current",
        None,
        {"account_id": ACCOUNT, "arn": CALLER, "id": ACCOUNT, "user_id": "AIDA4EXAMPLECI00001"},
    )
    for module, (name, doc, policies, profile) in calls.items():
        add(
            module,
            "data",
            "aws_caller_identity",
            "current",
            0,
            {"account_id": ACCOUNT, "arn": CALLER, "id": ACCOUNT, "user_id": "AIDA4EXAMPLECI00001"},
        )
        add(
            module,
            "data",
            "aws_partition",
            "current",
            0,
            {
                "dns_suffix": "amazonaws.com",
                "id": "aws",
                "partition": "aws",
                "reverse_dns_prefix": "com.amazonaws",
            },
        )
        add(
            module,
            "data",
            "aws_iam_policy_document",
            "this",
            0,
            {"id": "1", "json": doc, "minified_json": json.dumps(json.loads(doc), separators=(",", ":"))},
        )
        add(
            module,
            "managed",
            "aws_iam_role",
            "this",
            0,
            {
                "assume_role_policy": json.dumps(json.loads(doc), separators=(",", ":")),
                "description": None,
                "force_detach_policies": True,
                "max_session_duration": 3600,
                "name_prefix": f"{name}-",
                "path": "/",
                "permissions_boundary": None,
                "tags": TAGS,
                "tags_all": TAGS,
            },
            {
                "arn": True,
                "create_date": True,
                "id": True,
                "inline_policy": True,
                "managed_policy_arns": True,
                "name": True,
                "tags": {},
                "tags_all": {},
                "unique_id": True,
            },
            {"inline_policy": [], "managed_policy_arns": [], "tags": {}, "tags_all": {}},
        )
        for key, arn in policies.items():
            add(
                module,
                "managed",
                "aws_iam_role_policy_attachment",
                "this",
                key,
                {"policy_arn": arn},
                {"id": True, "role": True},
            )
        if profile:
            add(
                module,
                "managed",
                "aws_iam_instance_profile",
                "this",
                0,
                {"name_prefix": f"{name}-", "path": "/", "tags": TAGS, "tags_all": TAGS},
                {
                    "arn": True,
                    "create_date": True,
                    "id": True,
                    "name": True,
                    "role": True,
                    "tags": {},
                    "tags_all": {},
                    "unique_id": True,
                },
            )

    def ref(*r):
        return {"references": list(r)}

    module_config = {
        "resources": [
            {
                "address": "aws_iam_role.this",
                "mode": "managed",
                "type": "aws_iam_role",
                "name": "this",
                "expressions": {
                    "assume_role_policy": ref(
                        "data.aws_iam_policy_document.this[0].json",
                        "data.aws_iam_policy_document.this[0]",
                        "data.aws_iam_policy_document.this",
                    ),
                    "max_session_duration": ref("var.max_session_duration"),
                    "name": ref("var.use_name_prefix", "var.name"),
                    "name_prefix": ref("var.use_name_prefix", "var.name"),
                    "tags": ref("var.tags"),
                },
                "count_expression": ref("var.create"),
            },
            {
                "address": "aws_iam_role_policy_attachment.this",
                "mode": "managed",
                "type": "aws_iam_role_policy_attachment",
                "name": "this",
                "expressions": {
                    "policy_arn": ref("each.value"),
                    "role": ref("aws_iam_role.this[0].name", "aws_iam_role.this[0]", "aws_iam_role.this"),
                },
                "for_each_expression": ref("var.policies", "var.create"),
            },
            {
                "address": "aws_iam_instance_profile.this",
                "mode": "managed",
                "type": "aws_iam_instance_profile",
                "name": "this",
                "expressions": {
                    "role": ref("aws_iam_role.this[0].name", "aws_iam_role.this[0]", "aws_iam_role.this"),
                    "tags": ref("var.tags"),
                },
                "count_expression": ref("var.create", "var.create_instance_profile"),
            },
        ]
    }
    module_calls = {
        name: {
            "source": source,
            **({"version_constraint": "6.5.0"} if not source.startswith(".") else {}),
            "expressions": {
                "name": ref("each.key") if name == "iam_roles" else ref("local.name"),
                "policies": ref("each.value.policies", "each.value"),
                "tags": ref("local.tags"),
                "trust_policy_permissions": ref("each.value.trusted_arns", "each.value"),
            },
            "module": module_config,
        }
        for name in ("iam_roles", "iam_role_disabled", "iam_role_instance_profile", "iam_role_github_oidc")
    }
    children = [{"address": m, "resources": rs} for m, rs in planned.items() if m]
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned[""], "child_modules": children}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": AWS,
                    "expressions": {"region": {"constant_value": "eu-west-1"}},
                }
            },
            "root_module": {
                "resources": [
                    {
                        "address": "data.aws_caller_identity.current",
                        "mode": "data",
                        "type": "aws_caller_identity",
                        "name": "current",
                        "provider_config_key": "aws",
                        "schema_version": 0,
                    }
                ],
                "module_calls": module_calls,
            },
        },
        "timestamp": "2026-11-30T18:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }
    return plan


def scan(root: Path, *paths: str) -> Counter[str]:
    result = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", *paths, "-f", "json", "--no-cache", "--exit-zero"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return Counter(f["rule_id"] for f in json.loads(result.stdout)["findings"])


def show(label: str, counts: Counter[str]) -> None:
    rules = ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items())) or "none"
    print(f"{label:<28} {sum(counts.values()):>3}  {rules}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("repository", type=Path, help="a checkout of terraform-aws-modules/terraform-aws-iam")
    parser.add_argument("--out", type=Path, help="where to write the trees (default: a temporary directory)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="plan-vs-source-"))
    local = out / "local"
    shutil.rmtree(out, ignore_errors=True)
    for part in ("examples/iam-role", "modules/iam-role"):
        shutil.copytree(args.repository / part, local / part)
    example = local / "examples" / "iam-role"
    show("source (local module)", scan(local, "examples/iam-role", "modules/iam-role"))
    (example / "tfplan.json").write_text(json.dumps(plan_of("../../modules/iam-role")), encoding="utf-8")
    show("plan, source beside", scan(example, "tfplan.json"))
    registry = out / "registry"
    shutil.copytree(args.repository / "examples/iam-role", registry)
    main_tf = registry / "main.tf"
    main_tf.write_text(
        main_tf.read_text(encoding="utf-8").replace('"../../modules/iam-role"', f'"{REGISTRY}"'),
        encoding="utf-8",
    )
    show("source (registry module)", scan(registry, "."))
    (registry / "tfplan.json").write_text(json.dumps(plan_of(REGISTRY)), encoding="utf-8")
    show("plan (registry module)", scan(registry, "tfplan.json"))


if __name__ == "__main__":
    main()
