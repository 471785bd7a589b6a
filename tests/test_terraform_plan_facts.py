"""Plan records to facts, judged by the Terraform rules unchanged (in process, before the plan is a format).

The end-to-end behaviour through the CLI is in test_terraform_plan.py."""

from __future__ import annotations

import shutil
from pathlib import Path

from nhilint import catalogue, rules
from nhilint.config import Config
from nhilint.formats import SourceFile
from nhilint.formats.terraform.extract import provider_modules
from nhilint.formats.terraform.plan import read_plan
from nhilint.formats.terraform.planned import plan_facts

PLAN_DIR = Path(__file__).parent / "data" / "tfplan"


def _judged(root: Path, all_resources: bool = False) -> set[tuple[str, str, int, str]]:
    def module_files(directory: str) -> list[SourceFile]:
        folder = root / directory
        return [
            SourceFile(f.relative_to(root).as_posix(), "terraform", f.read_text(encoding="utf-8"), str(f))
            for f in sorted(folder.glob("*.tf"))
        ]

    plan = SourceFile("tfplan.json", "terraform", (root / "tfplan.json").read_text(encoding="utf-8"))
    extractors = [p.extract for p in provider_modules()]
    facts = list(plan_facts(read_plan(plan.text).resources, plan, module_files, extractors, all_resources))
    formats = {f.relative_to(root).as_posix(): "terraform" for f in root.rglob("*.tf")} | {
        plan.rel: "terraform"
    }
    ctx = rules.RuleContext(
        facts=facts, config=Config(), catalogue=catalogue.load(), formats=formats, root=root
    )
    return {
        (f.rule_id, f.loc.file, f.loc.line, f.identity.name if f.identity else "") for f in rules.run(ctx, [])
    }


def test_the_plan_gives_the_source_findings_per_instance_and_the_registry_module_risk(tmp_path: Path) -> None:
    root = tmp_path / "infra"
    shutil.copytree(PLAN_DIR, root)
    assert _judged(root) == {
        ("NHI102", "main.tf", 50, "aws_iam_user.reporting"),
        ("NHI108", "main.tf", 46, "aws_iam_user.reporting"),
        # the prod instance only: its for_each filter (`if env.admin`) is decided in the plan
        ("NHI204", "modules/ci/main.tf", 53, 'module.ci.aws_iam_role.deploy["prod"]'),
        # AdministratorAccess from terraform.tfvars through the registry module: at the call's argument
        ("NHI204", "main.tf", 43, "module.ops_role.aws_iam_role.this[0]"),
    }


def test_without_the_source_every_finding_is_in_the_plan(tmp_path: Path) -> None:
    shutil.copy(PLAN_DIR / "tfplan.json", tmp_path / "tfplan.json")
    text = (tmp_path / "tfplan.json").read_text(encoding="utf-8").splitlines()
    found = _judged(tmp_path)
    assert {f[1] for f in found} == {"tfplan.json"}
    (custom,) = [f for f in found if f[3] == "module.ops_role.aws_iam_role.this[0]" and f[0] == "NHI204"]
    assert '"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"' in text[custom[2] - 1]


def test_deleted_and_unchanged_resources_only_with_all_resources(tmp_path: Path) -> None:
    root = tmp_path / "infra"
    shutil.copytree(PLAN_DIR, root)
    assert not [f for f in _judged(root) if "legacy" in f[3]]
    legacy = [f for f in _judged(root, all_resources=True) if "legacy" in f[3]]
    assert ("NHI204", "tfplan.json") in {(f[0], f[1]) for f in legacy}  # removed from the .tf files


def test_sensitive_values_never_reach_a_fact(tmp_path: Path) -> None:
    plan = SourceFile("tfplan.json", "terraform", (PLAN_DIR / "tfplan.json").read_text(encoding="utf-8"))
    facts = list(
        plan_facts(
            read_plan(plan.text).resources, plan, lambda d: [], [p.extract for p in provider_modules()], True
        )
    )
    assert "xoxb-" not in repr(facts)
