"""nhilint's CloudFormation rules on checkov's CloudFormation resources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from nhilint.catalogue import Check
from nhilint.integrations.checkov import Bridge, Lines, bridged_rules, check_id, check_name, guideline


def _marks(node: Any) -> Iterator[tuple[int, int]]:
    """(start, end) 1-based lines of every node checkov's CloudFormation parser marked."""
    if hasattr(node, "start_mark") and hasattr(node, "end_mark"):
        yield node.start_mark.line + 1, node.end_mark.line + 1
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from _marks(child)


def _lines(conf: dict[str, Any]) -> Lines:
    """The resource's lines, from its logical ID (the line above its first key) to its last value."""
    marks = list(_marks(conf))
    return Lines(min(start for start, _ in marks) - 1, max(end for _, end in marks))


class Resource(Bridge, BaseResourceCheck):
    def __init__(self, rule: Check) -> None:
        self.rule, self.fmt = rule, "cloudformation"
        category = CheckCategories.SECRETS if rule.family == "static-credentials" else CheckCategories.IAM
        super().__init__(check_name(rule), check_id(rule.id), [category], ["*"], guideline(rule))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.FAILED if self.fails(_lines(conf)) else CheckResult.PASSED


for _rule in bridged_rules():
    Resource(_rule)
