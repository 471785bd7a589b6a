"""nhilint's Terraform rules on checkov's resource, data, provider and module blocks."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck
from checkov.terraform.checks.module.base_module_check import BaseModuleCheck
from checkov.terraform.checks.provider.base_check import BaseProviderCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from nhilint.catalogue import Check
from nhilint.integrations.checkov import Bridge, Lines, bridged_rules, check_id, check_name, guideline


def _category(rule: Check) -> CheckCategories:
    return CheckCategories.SECRETS if rule.family == "static-credentials" else CheckCategories.IAM


def _result(check: Bridge, conf: dict[str, Any]) -> CheckResult:
    lines = Lines(conf["__start_line__"], conf["__end_line__"])
    return CheckResult.FAILED if check.fails(lines) else CheckResult.PASSED


class Resource(Bridge, BaseResourceCheck):
    def __init__(self, rule: Check) -> None:
        self.rule, self.fmt = rule, "terraform"
        super().__init__(check_name(rule), check_id(rule.id), [_category(rule)], ["*"], guideline(rule))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return _result(self, conf)


class Data(Bridge, BaseDataCheck):
    def __init__(self, rule: Check) -> None:
        self.rule, self.fmt = rule, "terraform"
        super().__init__(check_name(rule), check_id(rule.id), [_category(rule)], ["*"], guideline(rule))

    def scan_data_conf(self, conf: dict[str, Any]) -> CheckResult:
        return _result(self, conf)


class Provider(Bridge, BaseProviderCheck):
    def __init__(self, rule: Check) -> None:
        self.rule, self.fmt = rule, "terraform"
        super().__init__(check_name(rule), check_id(rule.id), [_category(rule)], ["*"], guideline(rule))

    def scan_provider_conf(self, conf: dict[str, Any]) -> CheckResult:
        return _result(self, conf)


class Module(Bridge, BaseModuleCheck):
    def __init__(self, rule: Check) -> None:
        self.rule, self.fmt = rule, "terraform"
        super().__init__(check_name(rule), check_id(rule.id), [_category(rule)], guideline=guideline(rule))

    def scan_module_conf(self, conf: dict[str, Any]) -> CheckResult:
        return _result(self, conf)


for _rule in bridged_rules():
    for _kind in (Resource, Data, Provider, Module):
        _kind(_rule)
