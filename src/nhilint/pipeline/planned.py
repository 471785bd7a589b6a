"""Findings about the resources of a Terraform plan: one per risk, and only what the plan deploys.

A plan scanned with its `.tf` files judges each resource twice: in the `.tf` files (values unresolved,
every `for_each` instance as one) and in the plan (values decided, one finding per instance, at the same
`.tf` line). The plan's finding names the instance and sees what the source could not, so a source
finding of the same rule at the same line as a planned instance's is dropped. Findings about an instance
the plan deletes or leaves unchanged are kept only with `all_resources`, unless the `.tf` files hold it:
their findings are the source scan's, and a plan file (which a hostile repository can write, every
resource "no-op") never silences them.
"""

from __future__ import annotations

from nhilint.facts import Fact, Planned
from nhilint.findings import Finding


def planned_only(findings: list[Finding], facts: list[Fact], all_resources: bool = False) -> list[Finding]:
    planned = {f.address: f.deployed or f.in_source for f in facts if isinstance(f, Planned)}
    if not planned:
        return findings

    def address(finding: Finding) -> str | None:
        name = finding.identity.name if finding.identity is not None else None
        return name if name in planned else None

    kept = [f for f in findings if all_resources or planned.get(address(f) or "", True)]
    by_plan = {(f.rule_id, f.loc.file, f.loc.line) for f in kept if address(f)}
    return [f for f in kept if address(f) or (f.rule_id, f.loc.file, f.loc.line) not in by_plan]
