"""NHI207 cluster-admin-binding: A (Cluster)RoleBinding gives `cluster-admin`, `admin` or `edit` to a
ServiceAccount, or any role to every ServiceAccount or every user."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import Grant, RbacRule
from nhilint.findings import Finding, IdentityRef
from nhilint.rules import RuleContext, rule
from nhilint.rules._shared import READ_VERBS

K8S_ADMIN_ROLES = {"cluster-admin", "admin", "edit"}
EVERYONE_GROUPS = {"system:serviceaccounts", "system:authenticated", "system:unauthenticated"}
# Read-only discovery roles Kubernetes itself binds to these groups (kube-apiserver's default RBAC
# policy, "Default roles and role bindings" in the RBAC docs): binding them the same way adds nothing.
DISCOVERY_ROLES = frozenset(
    {
        "system:service-account-issuer-discovery",
        "system:discovery",
        "system:public-info-viewer",
        "system:basic-user",
    }
)


def _role_name(rbac: RbacRule) -> str:
    return rbac.role.split(" (from ", 1)[0]  # without the `helm template` source it was rendered from


# Core objects that hold no credentials: a role that only reads named ones (kube-public's
# `cluster-info` ConfigMap) publishes them by design, as the discovery roles do.
PUBLIC_READABLE = frozenset({"configmaps", "endpoints", "namespaces", "services"})


def _reads_named_public_objects(items: list[RbacRule]) -> bool:
    """Whether a role defined in the scan only gets, lists or watches named `PUBLIC_READABLE` objects."""
    return bool(items) and all(
        r.resource_names
        and r.resources
        and set(r.api_groups) == {""}
        and set(r.verbs) <= READ_VERBS
        and set(r.resources) <= PUBLIC_READABLE
        for r in items
    )


@rule("NHI207")
def cluster_admin_binding(ctx: RuleContext) -> Iterator[Finding]:
    # A discovery role the scan itself (re)writes is judged like any other: its rules are no longer
    # the read-only ones Kubernetes ships.
    rewritten = {_role_name(r) for r in ctx.of(RbacRule) if r.cluster_scoped}
    rules_of: dict[str, list[RbacRule]] = {}
    for item in ctx.of(RbacRule):
        rules_of.setdefault(_role_name(item), []).append(item)
    for grant in ctx.of(Grant):
        if grant.platform != "kubernetes":
            continue
        if grant.grantee_kind == "service_account" and grant.role in K8S_ADMIN_ROLES:
            message = f"ServiceAccount {grant.grantee} is bound to the built-in `{grant.role}` role"
        elif grant.grantee_kind == "group" and (
            grant.grantee in EVERYONE_GROUPS or grant.grantee.startswith("system:serviceaccounts:")
        ):
            if grant.role in DISCOVERY_ROLES and grant.role not in rewritten:
                continue
            if _reads_named_public_objects(rules_of.get(grant.role_ref, [])):
                continue
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
