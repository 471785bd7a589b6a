"""NHI108 machine-iam-user: an IAM user that only automation uses (policies or an access key, no
console login).

The key itself is NHI102's finding and a user that also has a console password is NHI404's: this
rule reports the user, whose fix is different (a role assumed through federation, so no key is
needed at all), at its declaration, with what shows it is a machine as related locations.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from nhilint.facts import Credential, Grant, Identity, PolicyStatement
from nhilint.findings import Finding, Related
from nhilint.knowledge import iam
from nhilint.rules import RuleContext, rule

# What only a person does with an IAM user: change its own password, manage its own MFA device.
# A user granted these is a person whose password is set outside the code (the console, SSO
# onboarding), not automation.
_PERSON_ACTIONS = ("iam:ChangePassword", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice",
                   "iam:ResyncMFADevice")  # fmt: skip
_PERSON_POLICIES = {"IAMUserChangePassword"}
_MFA_KEYS = {"aws:multifactorauthpresent", "aws:multifactorauthage"}


def _person_statement(statement: PolicyStatement) -> bool:
    named = [a for a in statement.actions if a not in iam.wildcard_actions(statement.actions)]
    return any(fnmatchcase(p.lower(), a.lower()) for a in named for p in _PERSON_ACTIONS) or any(
        c.key.lower() in _MFA_KEYS for c in statement.conditions
    )


@rule("NHI108")
def machine_iam_user(ctx: RuleContext) -> Iterator[Finding]:
    evidence: dict[str, list[Related]] = {}
    people: set[str] = set()
    for cred in ctx.of(Credential):
        if cred.identity and cred.kind == "aws_access_key":
            evidence.setdefault(cred.identity, []).append(Related(cred.loc, f"access key {cred.name}"))
        elif cred.identity and cred.kind == "aws_login_profile":
            people.add(cred.identity)  # a console login: a person (NHI404 when it also has a key)
    for statement in ctx.of(PolicyStatement):
        if statement.identity and statement.policy_kind == "identity" and statement.effect == "Allow":
            if _person_statement(statement):
                people.add(statement.identity)
            policy = f"policy {statement.policy}" if statement.policy else "an inline policy"
            evidence.setdefault(statement.identity, []).append(Related(statement.loc, policy))
    for grant in ctx.of(Grant):
        if grant.platform == "aws" and grant.identity:
            if grant.role in _PERSON_POLICIES:
                people.add(grant.identity)
            evidence.setdefault(grant.identity, []).append(Related(grant.loc, f"managed policy {grant.role}"))
    for user in ctx.of(Identity):
        found = evidence.get(user.address)
        if user.kind != "aws_iam_user" or not found or user.address in people or user.via:
            continue
        keyed = any(r.message.startswith("access key") for r in found)
        what = "a long-lived access key" if keyed else "policies"
        related = list({r.message: r for r in reversed(found)}.values())[::-1]  # one per policy
        yield ctx.finding(
            "NHI108",
            user.loc,
            f"IAM user {user.name} only serves automation (it has {what} and no console login): "
            "replace the user with a role its workload assumes through OIDC, IRSA or an instance "
            "profile, so no key has to exist.",
            identity=user,
            fix=f"{ctx.format_of(user.loc)}-aws",
            related=related,
        )
