"""nhilint's CloudFormation rules on checkov's CloudFormation resources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from nhilint.catalogue import Check
from nhilint.integrations.checkov import Bridge, Lines, bridged_rules, check_id, check_name, guideline


def _marks(node: Any) -> Iterator[tuple[int, int]]:
    """(first, last) 1-based lines of every node checkov's CloudFormation parser marked.

    A mapping's or block scalar's end mark is where the next token starts (often the next
    resource's logical ID), so containers count only by their start and a mark at column 0 ends
    on the line above.
    """
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
    if hasattr(node, "start_mark") and hasattr(node, "end_mark"):
        first, end = node.start_mark.line + 1, node.end_mark
        last = first if children is not None else max(first, end.line + (1 if end.column else 0))
        yield first, last
    for child in children or ():
        yield from _marks(child)


def _lines(conf: dict[str, Any]) -> Lines:
    """The resource's lines, from its logical ID (the line above its first key) to its last value."""
    marks = list(_marks(conf))
    return Lines(min(first for first, _ in marks) - 1, max(last for _, last in marks))


class Resource(Bridge, BaseResourceCheck):
    def __init__(self, rule: Check) -> None:
        self.rule, self.fmt = rule, "cloudformation"
        category = CheckCategories.SECRETS if rule.family == "static-credentials" else CheckCategories.IAM
        super().__init__(check_name(rule), check_id(rule.id), [category], ["*"], guideline(rule))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.FAILED if self.fails(_lines(conf)) else CheckResult.PASSED


for _rule in bridged_rules():
    Resource(_rule)
