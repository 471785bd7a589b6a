"""nhilint's GitLab CI rules on checkov's GitLab CI files (one result per pipeline file)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckResult
from checkov.gitlab_ci.checks.base_gitlab_ci_check import BaseGitlabCICheck
from checkov.yaml_doc.enums import BlockType

from nhilint.catalogue import Check
from nhilint.integrations.checkov import Bridge, Lines, bridged_rules, check_id, check_name, guideline


class Pipeline(Bridge, BaseGitlabCICheck):
    def __init__(self, rule: Check) -> None:
        self.rule, self.fmt = rule, "gitlab-ci"
        super().__init__(check_name(rule), check_id(rule.id), ["*"], BlockType.DOCUMENT)
        self.guideline = guideline(rule)

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        lines = Lines(conf["__startline__"], conf["__endline__"])
        return (CheckResult.FAILED if self.fails(lines) else CheckResult.PASSED), conf


for _rule in bridged_rules():
    Pipeline(_rule)
