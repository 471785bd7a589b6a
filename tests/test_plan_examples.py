"""Every Terraform rule's catalogue example, planned: the plan finds what the `.tf` scan finds, where.

Each failing Terraform example of checks/*.yaml is rendered as `terraform show -json` of its plan
(tests/plan_render.py: python-hcl2 reads the HCL, the resources are all created), then judged
  * with the `.tf` file beside the plan, as `terraform plan -out tfplan && terraform show -json tfplan`
    leaves it in the module directory: the plan's own facts (not the `.tf` file's) must give the rule
    at the example's lines, the lines the `.tf` scan reports;
  * alone (docs/terraform-plan.md: "otherwise ... the resource in the plan JSON"): the rule is
    reported in the plan file, at a value of the resource.
An example the plan cannot carry is listed below with the reason; none is left out silently.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint import catalogue, rules
from nhilint.config import Config
from nhilint.formats import SourceFile
from nhilint.formats.terraform.extract import provider_modules
from nhilint.formats.terraform.plan import read_plan
from nhilint.formats.terraform.planned import plan_facts
from nhilint.pipeline.discover import classify

from .conftest import scan_tree
from .plan_render import Unrenderable, render_plan

CHECKS = catalogue.load()
EXAMPLES = [
    (check.id, example)
    for check in CHECKS.values()
    for example in check.examples
    if example.expect == "fail" and classify(example.filename, example.code) == "terraform"
]

# Examples with no plan to render: Terraform refuses them.
NOT_PLANNED = {
    ("NHI001", "unterminated string in Terraform"): "invalid HCL: terraform plan fails before any plan",
}
# Rendered, but by design not found in the plan (docs/terraform-plan.md, "What is judged"): the `.tf`
# files judge them where they are written.
PLAN_DIFFERS = {
    ("NHI002", "ignore without a reason"): "a suppression comment: a plan holds values, never comments",
    ("NHI002", "expired suppression"): "a suppression comment: a plan holds values, never comments",
    ("NHI101", "AWS keys in a Terraform provider"): "aws_ssm_parameter.value is sensitive in the provider "
    "schema: the plan marks it and nhilint never reads it; NHI101 is judged in the .tf file",
    ("NHI101", "terraform-github-plaintext-secret"): "plaintext_value is sensitive in the provider schema: "
    "never read from a plan; NHI101 is judged in the .tf file",
    ("NHI105", "terraform-aws-literal-keys"): "a provider block is no resource of the plan (docs)",
    ("NHI105", "terraform-google-credentials-file"): "a provider block is no resource of the plan (docs)",
}


def _id(rule_id: str, example: catalogue.Example) -> str:
    return f"{rule_id}-{example.name}"


def _plan_lines(root: Path, rule_id: str) -> set[tuple[str, int]]:
    """Where the plan's own facts (the `.tf` files only placing them) make `rule_id` report."""

    def module_files(directory: str) -> list[SourceFile]:
        return [
            SourceFile(f.relative_to(root).as_posix(), "terraform", f.read_text(encoding="utf-8"), str(f))
            for f in sorted((root / directory).glob("*.tf"))
        ]

    plan = SourceFile("tfplan.json", "terraform", (root / "tfplan.json").read_text(encoding="utf-8"))
    extractors = [p.extract for p in provider_modules()]
    facts = list(plan_facts(read_plan(plan.text).resources, plan, module_files, extractors))
    formats = {f.rel: "terraform" for f in module_files(".")} | {plan.rel: "terraform"}
    ctx = rules.RuleContext(
        facts=facts, config=Config(select=(rule_id,)), catalogue=CHECKS, formats=formats, root=root
    )
    return {(f.loc.file, f.loc.line) for f in rules.run(ctx, []) if f.rule_id == rule_id}


def test_every_terraform_example_is_planned_or_listed_with_a_reason() -> None:
    names = {(rule_id, example.name) for rule_id, example in EXAMPLES}
    assert set(NOT_PLANNED) | set(PLAN_DIFFERS) <= names, "a listed example is gone: drop it from the list"
    for rule_id, example in EXAMPLES:
        if (rule_id, example.name) in NOT_PLANNED:
            with pytest.raises(Unrenderable):
                render_plan(example.code)
        else:
            render_plan(example.code)  # Unrenderable: list it in NOT_PLANNED, with the reason


PLANNED = [(r, e) for r, e in EXAMPLES if (r, e.name) not in NOT_PLANNED]


@pytest.mark.parametrize(("rule_id", "example"), PLANNED, ids=[_id(r, e) for r, e in PLANNED])
def test_the_plan_beside_its_tf_file_finds_the_rule_at_the_tf_line(
    rule_id: str, example: catalogue.Example, tmp_path: Path
) -> None:
    source = scan_tree(tmp_path / "source", {"main.tf": example.code}, Config(select=(rule_id,)))
    tf_lines = {("main.tf", f.loc.line) for f in source.findings if f.rule_id == rule_id}
    assert tf_lines == {("main.tf", line) for line in example.lines}  # the baseline the plan must match
    root = tmp_path / "module"
    root.mkdir()
    (root / "main.tf").write_text(example.code, encoding="utf-8")
    (root / "tfplan.json").write_text(json.dumps(render_plan(example.code), indent=2), encoding="utf-8")
    found = _plan_lines(root, rule_id)
    if (rule_id, example.name) in PLAN_DIFFERS:
        assert found == set(), "the plan now finds it: drop it from PLAN_DIFFERS"
    else:
        assert found == tf_lines


@pytest.mark.parametrize(("rule_id", "example"), PLANNED, ids=[_id(r, e) for r, e in PLANNED])
def test_the_plan_alone_finds_the_rule_in_the_plan_json(
    rule_id: str, example: catalogue.Example, tmp_path: Path
) -> None:
    plan = json.dumps(render_plan(example.code), indent=2)
    result = scan_tree(tmp_path, {"tfplan.json": plan}, Config(select=(rule_id,)))
    found = [f.loc for f in result.findings if f.rule_id == rule_id]
    assert {loc.file for loc in found} == (
        set() if (rule_id, example.name) in PLAN_DIFFERS else {"tfplan.json"}
    )
    lines = plan.splitlines()
    for loc in found:  # at a value of the resource, not below it (a document's own lines are not the file's)
        assert lines[loc.line - 1].strip() not in ("}", "},", "]", "],"), (loc.line, lines[loc.line - 1])


@pytest.mark.parametrize(("rule_id", "example"), PLANNED, ids=[_id(r, e) for r, e in PLANNED])
def test_a_plan_scanned_with_its_tf_file_reports_each_risk_once(
    rule_id: str, example: catalogue.Example, tmp_path: Path
) -> None:
    """`nhilint scan .` in the module directory: the plan's finding replaces the `.tf` file's at the
    same line (before its values had their own lines, a nested value was reported twice)."""
    plan = json.dumps(render_plan(example.code), indent=2)
    result = scan_tree(tmp_path, {"main.tf": example.code, "tfplan.json": plan}, Config(select=(rule_id,)))
    at = [(f.loc.file, f.loc.line) for f in result.findings if f.rule_id == rule_id]
    assert sorted(at) == sorted(("main.tf", line) for line in example.lines)
