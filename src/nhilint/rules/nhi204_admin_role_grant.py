"""NHI204 admin-role-grant: A built-in administrator role or policy is granted to a machine identity."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import Grant
from nhilint.findings import Finding, IdentityRef, Related
from nhilint.knowledge import iam
from nhilint.rules import RuleContext, rule
from nhilint.rules._agents import agent_users

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
        origin = f" ({grant.origin})" if grant.origin else ""
        users = agent_users(ctx, grant.identity)
        yield ctx.finding(
            "NHI204",
            grant.loc,
            f"{grant.grantee}{users}{',' if users else ''} is granted {what}{origin}{where}: {fix}.",
            identity=IdentityRef(grant.grantee_kind, grant.grantee),
            fix=f"{ctx.format_of(grant.loc)}-{grant.platform}",
            related=[*related, *grant.via],
        )
