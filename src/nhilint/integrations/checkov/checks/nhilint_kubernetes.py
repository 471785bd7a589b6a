"""nhilint's Kubernetes rules on checkov's Kubernetes objects (one per YAML document or List item)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check

from nhilint.catalogue import Check
from nhilint.integrations.checkov import Bridge, Lines, bridged_rules, check_id, check_name, guideline


class Object(Bridge, BaseK8Check):
    def __init__(self, rule: Check) -> None:
        self.rule, self.fmt = rule, "kubernetes"
        secrets = rule.family == "static-credentials"
        category = CheckCategories.SECRETS if secrets else CheckCategories.KUBERNETES
        super().__init__(check_name(rule), check_id(rule.id), [category], ["*"], guideline(rule))

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        lines = Lines(conf["__startline__"], conf["__endline__"])
        return CheckResult.FAILED if self.fails(lines) else CheckResult.PASSED


for _rule in bridged_rules():
    Object(_rule)
