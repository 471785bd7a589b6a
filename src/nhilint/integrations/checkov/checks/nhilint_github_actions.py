"""nhilint's GitHub Actions rules on checkov's workflow files (one result per workflow).

Per-job results would need each job's first and last line, which checkov's YAML markers do not
give exactly (a job's end marker is the next job's first line), so the workflow is the resource.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckResult
from checkov.github_actions.checks.base_github_action_check import BaseGithubActionsCheck
from checkov.yaml_doc.enums import BlockType

from nhilint.catalogue import Check
from nhilint.integrations.checkov import Bridge, Lines, bridged_rules, check_id, check_name, guideline


class Workflow(Bridge, BaseGithubActionsCheck):
    def __init__(self, rule: Check) -> None:
        self.rule, self.fmt = rule, "github-actions"
        super().__init__(check_name(rule), check_id(rule.id), ["*"], BlockType.DOCUMENT)
        self.guideline = guideline(rule)

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        lines = Lines(conf["__startline__"], conf["__endline__"])
        return (CheckResult.FAILED if self.fails(lines) else CheckResult.PASSED), conf


for _rule in bridged_rules():
    Workflow(_rule)
