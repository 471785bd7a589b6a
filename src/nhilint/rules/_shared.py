"""Findings helpers several rules share: how a message names a CI job and an IAM statement's
identity. Domain knowledge goes to `nhilint.knowledge`.
"""

from __future__ import annotations

from nhilint.facts import PolicyStatement
from nhilint.findings import IdentityRef
from nhilint.rules import RuleContext


def job_named(ctx: RuleContext, ci: str, job: str) -> str:
    """The job a finding is about; its file is the finding's own (every report shows it)."""
    noun = ctx.unit_nouns.get(ci, "job")
    return f"{noun} `{job}`" if job else f"every {noun}"


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


# Root-cause keys (`Finding.cause`): the active findings of one file with the same key fold into one
# (nhilint.pipeline.fold, which composes `lifecycle:` messages as one sentence).
def lifecycle_cause(kind: str, name: str, call: str = "") -> str:
    """An identity's owner and expiry metadata (NHI301, NHI302); a module's identity judged for one
    of its callers is a cause per `call` site."""
    return f"lifecycle:{kind}:{name}" + (f"@{call}" if call else "")


def provider_cause(provider: str) -> str:
    """A Terraform provider block's static credentials (NHI105, and NHI101 on its literal keys)."""
    return f"provider:{provider}"


def ci_login_cause(job: str, cloud: str) -> str:
    """A CI job's login to a cloud with a stored key (NHI103, and NHI101 on the keys written in it)."""
    return f"ci-login:{job}:{cloud}"


def ci_variable_cause(name: str) -> str:
    """A GitLab global variable holding a credential (NHI403, and NHI101 on its literal value)."""
    return f"ci-variable:{name}"


def ci_key_pair_cause(secrets: list[str]) -> str:
    """The stored secrets one CI login reads together (an AWS key id and its secret key): shared
    across workflows, they are one credential shared, so one NHI403."""
    return "ci-key-pair:" + "+".join(sorted(s.upper() for s in secrets))
