"""Findings helpers several rules share: how a message names a CI job and an IAM statement's
identity, and the remediation key of a CI system. Domain knowledge goes to `nhilint.knowledge`.
"""

from __future__ import annotations

from nhilint.facts import PolicyStatement
from nhilint.findings import IdentityRef
from nhilint.rules import RuleContext

CI_FORMAT = {"github": "github-actions", "gitlab": "gitlab-ci"}


def job_named(ci: str, job: str) -> str:
    """The job a finding is about; its file is the finding's own (every report shows it)."""
    return f"job `{job}`" if job else "every job"


def statement_identity(ctx: RuleContext, statement: PolicyStatement) -> tuple[str, IdentityRef, str]:
    """(name for messages, identity reference, remediation key) of the identity a statement reaches."""
    declared = ctx.identity(statement.identity)
    fmt = ctx.format_of(declared.loc if declared else statement.loc)
    fix = f"{fmt}-aws" if fmt else "default"
    if declared:
        return (
            f"{declared.kind.removeprefix('aws_iam_')} {declared.name}",
            IdentityRef(declared.kind, declared.name),
            fix,
        )
    name = statement.identity or statement.policy or "this policy"
    return name, IdentityRef("aws_iam_policy", name), fix


def via_policy(statement: PolicyStatement) -> str:
    return f" (policy {statement.policy})" if statement.policy else ""


def allows(statement: PolicyStatement) -> bool:
    return statement.effect == "Allow" and statement.policy_kind != "trust"


# Kubernetes RBAC verbs that only read.
READ_VERBS = frozenset({"get", "list", "watch"})
