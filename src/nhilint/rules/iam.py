"""NHI201, NHI202, NHI203, NHI205: IAM policy analysis over `PolicyStatement` facts (TF and CFN)."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import PolicyStatement
from nhilint.findings import Finding, IdentityRef
from nhilint.knowledge import iam
from nhilint.rules import RuleContext, rule


def _who(ctx: RuleContext, statement: PolicyStatement) -> tuple[str, IdentityRef, str]:
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


def _via(statement: PolicyStatement) -> str:
    return f" (policy {statement.policy})" if statement.policy else ""


def _allows(statement: PolicyStatement) -> bool:
    return statement.effect == "Allow" and statement.policy_kind != "trust"


@rule("NHI201")
def wildcard_action(ctx: RuleContext) -> Iterator[Finding]:
    for statement in ctx.of(PolicyStatement):
        if not _allows(statement) or not iam.on_any_resource(statement) or iam.is_narrowed(statement):
            continue
        wild = iam.wildcard_actions(statement.actions)
        if wild:
            name, ref, fix = _who(ctx, statement)
            actions = ", ".join(f"`{a}`" for a in wild)
            yield ctx.finding(
                "NHI201",
                statement.action_loc or statement.loc,
                f"{name} is allowed {actions} on every resource{_via(statement)}: list the actions it calls "
                "on named ARNs (IAM Access Analyzer can generate them from its activity).",
                identity=ref,
                fix=fix,
                related=statement.via,
            )


@rule("NHI202")
def not_action_allow(ctx: RuleContext) -> Iterator[Finding]:
    for statement in ctx.of(PolicyStatement):
        if not _allows(statement) or not (statement.not_actions or statement.not_resources):
            continue
        name, ref, fix = _who(ctx, statement)
        if statement.not_actions:
            what, loc = f"every action except {', '.join(statement.not_actions)}", statement.action_loc
        else:
            what, loc = (
                f"its actions on every resource except {', '.join(statement.not_resources)}",
                statement.resource_loc,
            )
        yield ctx.finding(
            "NHI202",
            loc or statement.loc,
            f"{name} is allowed {what}{_via(statement)}, including any action AWS adds later: "
            "write an explicit allow list.",
            identity=ref,
            fix=fix,
            related=statement.via,
        )


def _escalations(statement: PolicyStatement) -> list[str]:
    """Escalation actions granted on "*", except those only reached through `*`/`service:*` (NHI201)."""
    if iam.is_narrowed(
        statement,
        (
            "aws:resourcetag/*",
            "iam:resourcetag/*",
            "aws:resourceaccount",
            "iam:policyarn",
            "iam:permissionsboundary",
        ),
    ):
        return []
    named = [a for a in statement.actions if a not in iam.wildcard_actions(statement.actions)]
    found = iam.escalation_actions(named)
    if any(c.key.lower() == "iam:passedtoservice" for c in statement.conditions):
        found = [a for a in found if a != "iam:PassRole"]
    return found


@rule("NHI203")
def privilege_escalation_permission(ctx: RuleContext) -> Iterator[Finding]:
    for statement in ctx.of(PolicyStatement):
        if not _allows(statement) or not iam.on_any_resource(statement):
            continue
        found = _escalations(statement)
        if found:
            name, ref, fix = _who(ctx, statement)
            actions = ", ".join(f"`{a}`" for a in found)
            pass_role = " (and `iam:PassedToService` for iam:PassRole)" if "iam:PassRole" in found else ""
            yield ctx.finding(
                "NHI203",
                statement.action_loc or statement.loc,
                f"{name} may use {actions} on any resource{_via(statement)}, which lets it raise its own "
                f"privileges: scope it to named ARNs{pass_role}.",
                identity=ref,
                fix=fix,
                related=statement.via,
            )


@rule("NHI205")
def unrestricted_trust(ctx: RuleContext) -> Iterator[Finding]:
    for statement in ctx.of(PolicyStatement):
        found = iam.trust_problem(statement)
        if found:
            name, ref, fix = _who(ctx, statement)
            callers, loc = found
            federated = "Federated" in statement.principals
            yield ctx.finding(
                "NHI205",
                loc or statement.loc,
                f"{name} can be assumed by {callers}: pin the trust to the one caller that needs it.",
                identity=ref,
                fix=fix if federated else (f"{fix}-principal", fix),
                related=statement.via,
            )
