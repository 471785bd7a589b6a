"""NHI2xx that need no policy analysis: built-in admin roles, Kubernetes RBAC."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint import iam
from nhilint.facts import Grant, RbacRule
from nhilint.findings import Finding, IdentityRef, Related
from nhilint.rules import RuleContext, rule

ADMIN_ROLES = {
    "aws": {"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"},
    "gcp": {
        "roles/owner",
        "roles/editor",
        "roles/iam.serviceAccountTokenCreator",
        "roles/iam.serviceAccountKeyAdmin",
        # at project, folder or organization level each acts as (or mints access to) every service
        # account there; on one service account (`google_service_account_iam_*`, not a Grant here)
        # they are the normal, narrow way to grant impersonation
        "roles/iam.serviceAccountUser",
        "roles/iam.serviceAccountAdmin",
        "roles/iam.workloadIdentityUser",
        # rewrite who holds what: the holder grants itself any role
        "roles/iam.securityAdmin",
        "roles/iam.workloadIdentityPoolAdmin",
        "roles/resourcemanager.organizationAdmin",
        "roles/resourcemanager.projectIamAdmin",
        "roles/resourcemanager.folderAdmin",
    },
    "azure": {"Owner", "Contributor", "User Access Administrator"},
}
BROAD_SCOPES = {
    "aws": None,  # managed policies apply account-wide
    "gcp": {"project", "folder", "organization"},
    "azure": {"subscription", "management_group"},
}
MACHINE_GRANTEES = {"service_account", "role", "user", "service_principal", "managed_identity"}


def _admin(grant: Grant) -> tuple[str, str, list[Related]] | None:
    """(what makes the granted role an admin role, the fix, related locations); None when it is not
    one. A custom role is judged where it is granted: its definition alone says nothing of who holds
    it, or at which scope."""
    if grant.permissions is not None:  # a custom role defined in the scan: judged by its permissions
        held = iam.admin_permissions(grant.platform, grant.permissions, grant.not_permissions)
        if not held:
            return None
        shown = ", ".join(f"`{p}`" for p in held)
        where = grant.permissions_loc
        related = [Related(where, f"custom role {grant.role} lists {shown}")] if where else []
        return (
            f"the custom role {grant.role}, which holds {shown}",
            "drop them from the role, or grant them on the one resource that needs them",
            related,
        )
    if grant.role in ADMIN_ROLES.get(grant.platform, ()):
        return (
            f"the built-in admin role {grant.role}",
            "give it a custom role with only the permissions it uses",
            [],
        )
    return None


@rule("NHI204")
def admin_role_grant(ctx: RuleContext) -> Iterator[Finding]:
    for grant in ctx.of(Grant):
        if grant.platform not in ADMIN_ROLES:
            continue
        scopes = BROAD_SCOPES[grant.platform]
        if grant.grantee_kind not in MACHINE_GRANTEES or (scopes is not None and grant.scope not in scopes):
            continue
        found = _admin(grant)
        if found is None:
            continue
        what, fix, related = found
        where = f" at {grant.scope.replace('_', '-')} scope" if grant.scope else ""
        yield ctx.finding(
            "NHI204",
            grant.loc,
            f"{grant.grantee} is granted {what}{where}: {fix}.",
            identity=IdentityRef(grant.grantee_kind, grant.grantee),
            fix=f"{ctx.format_of(grant.loc)}-{grant.platform}",
            related=related,
        )


K8S_ADMIN_ROLES = {"cluster-admin", "admin", "edit"}
EVERYONE_GROUPS = {"system:serviceaccounts", "system:authenticated", "system:unauthenticated"}


@rule("NHI207")
def cluster_admin_binding(ctx: RuleContext) -> Iterator[Finding]:
    for grant in ctx.of(Grant):
        if grant.platform != "kubernetes":
            continue
        if grant.grantee_kind == "service_account" and grant.role in K8S_ADMIN_ROLES:
            message = f"ServiceAccount {grant.grantee} is bound to the built-in `{grant.role}` role"
        elif grant.grantee_kind == "group" and (
            grant.grantee in EVERYONE_GROUPS or grant.grantee.startswith("system:serviceaccounts:")
        ):
            message = (
                f"role `{grant.role}` is bound to the group {grant.grantee}, so every such identity gets it"
            )
        else:
            continue
        yield ctx.finding(
            "NHI207",
            grant.loc,
            f"{message}: bind a namespaced Role to one ServiceAccount.",
            identity=IdentityRef(grant.grantee_kind, grant.grantee),
            fix=f"{ctx.format_of(grant.loc)}-kubernetes",
        )


ESCALATION_VERBS = {"escalate", "bind", "impersonate"}
READ_VERBS = {"get", "list", "watch"}
TOKEN_RESOURCES = {"pods/exec", "serviceaccounts/token", "pods/attach"}


def rbac_problems(rule_: RbacRule) -> list[str]:
    problems = []
    for field, values in (
        ("verbs", rule_.verbs),
        ("resources", rule_.resources),
        ("apiGroups", rule_.api_groups),
    ):
        if "*" in values:
            problems.append(f"`*` in {field}")
    if escalation := sorted(ESCALATION_VERBS & set(rule_.verbs)):
        problems.append(f"the escalation verb(s) {', '.join(escalation)}")
    if rule_.cluster_scoped and "secrets" in rule_.resources and READ_VERBS & set(rule_.verbs):
        problems.append("read access to every Secret in the cluster")
    if "create" in rule_.verbs and (tokens := sorted(TOKEN_RESOURCES & set(rule_.resources))):
        problems.append(f"`create` on {', '.join(tokens)}")
    return problems


@rule("NHI206")
def rbac_wildcard(ctx: RuleContext) -> Iterator[Finding]:
    for rbac in ctx.of(RbacRule):
        problems = rbac_problems(rbac)
        if problems:
            kind = "ClusterRole" if rbac.cluster_scoped else "Role"
            yield ctx.finding(
                "NHI206",
                rbac.loc,
                f"{kind} {rbac.role} grants {' and '.join(problems)}: list the verbs and "
                "resources the workload needs.",
                identity=IdentityRef(kind, rbac.role),
                fix=f"{ctx.format_of(rbac.loc)}-kubernetes",
            )
