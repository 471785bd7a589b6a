"""NHI205 unrestricted-trust: a role's trust policy lets far more callers assume it than the one that
needs it.

Two kinds of facts: AWS trust policies (`PolicyStatement` of kind `trust`, Terraform and
CloudFormation), and federations that are not IAM policies (`Trust` facts): GCP Workload Identity
pool providers, Azure federated identity credentials, Vault JWT roles.

A condition or subject the extractor could not resolve is kept as `${...}` and never reported.
Vault roles whose `bound_claims_type` is `glob` carry the prefix `glob:` on their condition: only
there does `*` match anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nhilint.facts import PolicyStatement, Trust
from nhilint.findings import Finding, IdentityRef
from nhilint.knowledge import iam
from nhilint.knowledge.credential_names import lazy
from nhilint.rules import RuleContext, rule
from nhilint.rules._shared import statement_identity

_CI_ISSUERS = ("token.actions.githubusercontent.com", "gitlab")
# claims that name one repository (or a ref/workflow inside it) when compared with `==` / `in`
_REPO_CLAIMS = (
    r"(?:repository|repository_id|sub|project_path|project_id|job_workflow_ref|workflow_ref|subject)"
)
_PIN = lazy(
    r"(?:assertion|attribute|google)\.\w*?" + _REPO_CLAIMS + r"\s*(?:==\s*(['\"])(.*?)\1|in\s*\[([^\]]*)\])"
    r"|(['\"])([^'\"]*)\4\s*==\s*(?:assertion|attribute|google)\.\w*?" + _REPO_CLAIMS + r"\b"
)
_QUOTED = lazy(r"(['\"])(.*?)\1")
_REPO_IN_CLAIM = lazy(r"^(?:repo|project_path):([^:]+)")
# trust kind -> (what messages call it, platform of its remediation key: `<format>-<platform>`)
_KINDS = {
    "gcp_wif_provider": ("workload identity pool provider", "gcp"),
    "azure_federated_credential": ("federated identity credential", "azure"),
    "vault_jwt_role": ("Vault JWT role", "vault"),
}


def _repository(value: str) -> str:
    """The repository a pinned claim value names (`repo:acme/api:ref:...` -> `acme/api`)."""
    found = _REPO_IN_CLAIM().match(value)
    if found:
        return found.group(1)
    return "/".join(value.split("@", 1)[0].split("/")[:2]) if "/" in value else value


def pinned_repositories(condition: str) -> set[str]:
    """Repositories a CEL `attribute_condition` compares a repository-naming claim with exactly."""
    found: set[str] = set()
    for match in _PIN().finditer(condition):
        if match.group(2) is not None:
            found.add(_repository(match.group(2)))
        elif match.group(3) is not None:
            found.update(_repository(m.group(2)) for m in _QUOTED().finditer(match.group(3)))
        elif match.group(5) is not None:
            found.add(_repository(match.group(5)))
    return found


def _gcp_problem(trust: Trust) -> str | None:
    if trust.condition is None:
        return "has no `attribute_condition`: every token its issuer signs can use it"
    condition = trust.condition
    if condition.startswith("${"):
        return None
    ci = any(i in trust.issuer for i in _CI_ISSUERS) or re.search(r"repository|project_path", condition)
    if not ci:
        return None
    repos = pinned_repositories(condition)
    if not repos:
        return "has an `attribute_condition` that pins no single repository: any matching one can use it"
    if len(repos) > 1:
        return f"admits {len(repos)} repositories ({', '.join(sorted(repos))})"
    return None


def _azure_problem(trust: Trust) -> str | None:
    subject = trust.subject
    if subject is None or subject.startswith("${"):
        return None
    if not subject.strip():
        return "has an empty subject"
    if "*" in subject or "?" in subject:
        return f"has a wildcard subject `{subject}`"
    if "githubusercontent" in trust.issuer and not re.match(r"^repo:[^/:*]+/[^/:*]+:\S", subject):
        return f"has a subject `{subject}` that does not name one repository and ref or environment"
    return None


def _vault_problem(trust: Trust) -> str | None:
    condition = trust.condition
    if condition is None:
        return "has no `bound_claims` or `bound_subject`: every token its issuer signs can log in"
    if condition.startswith("${"):
        return None
    if condition.startswith("glob:") and re.search(r"(?:sub|repository|project_path)=[^;]*\*", condition):
        return f"binds its claims with wildcards ({condition.removeprefix('glob:')})"
    return None


_PROBLEMS = {
    "gcp_wif_provider": _gcp_problem,
    "azure_federated_credential": _azure_problem,
    "vault_jwt_role": _vault_problem,
}


@rule("NHI205")
def unrestricted_federation(ctx: RuleContext) -> Iterator[Finding]:
    for trust in ctx.of(Trust):
        check = _PROBLEMS.get(trust.kind)
        problem = check(trust) if check else None
        if problem is None:
            continue
        what, platform = _KINDS[trust.kind]
        declared = ctx.identity(trust.identity)
        name = declared.name if declared else (trust.identity or "")
        issuer = f" (issuer {trust.issuer})" if trust.issuer else ""
        yield ctx.finding(
            "NHI205",
            trust.loc,
            f"{what} {name}{issuer} {problem}: pin it to the one repository and branch or environment "
            "that needs it.",
            identity=declared or IdentityRef(trust.kind, name),
            fix=f"{ctx.format_of(trust.loc)}-{platform}",
        )


@rule("NHI205")
def unrestricted_trust(ctx: RuleContext) -> Iterator[Finding]:
    for statement in ctx.of(PolicyStatement):
        found = iam.trust_problem(statement)
        if found:
            name, ref, fix = statement_identity(ctx, statement)
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
