"""RBAC: the rules of Roles and ClusterRoles, and the subjects RoleBindings and ClusterRoleBindings
grant them to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.facts import Fact, Grant, RbacRule
from nhilint.formats.kubernetes.manifest import Manifest, sa_address
from nhilint.parse.tree import LMap, LSeq

AGGREGATE_LABEL = "rbac.authorization.k8s.io/aggregate-to-"
PEOPLE_ROLES = ("view", "edit", "admin")  # the built-in user-facing roles labels aggregate into


def aggregated_to(labels: Any) -> list[str]:
    """The built-in roles for people a ClusterRole's `aggregate-to-<role>: "true"` labels add it to."""
    if not isinstance(labels, dict):
        return []
    return [r for r in PEOPLE_ROLES if str(labels.get(AGGREGATE_LABEL + r, "")).lower() == "true"]


def role(m: Manifest) -> Iterator[Fact]:
    rules = m.obj.get("rules")
    if "aggregationRule" in m.obj or not isinstance(rules, LSeq):
        return  # an aggregated ClusterRole's rules are filled in from the roles it selects
    cluster = m.kind == "ClusterRole"
    labels = m.meta.get("labels")
    for index, item in enumerate(rules):
        if isinstance(item, LMap):
            yield RbacRule(
                loc=m.loc(rules.ipos(index)),
                role=m.display(m.name if cluster else m.qualified),
                cluster_scoped=cluster,
                verbs=_strings(item.get("verbs")),
                resources=_strings(item.get("resources")),
                api_groups=_strings(item.get("apiGroups")),
                role_loc=m.loc(m.meta.kpos("name")),
                aggregate_to=aggregated_to(labels) if cluster else [],
                resource_names=_strings(item.get("resourceNames")),
            )


def binding(m: Manifest) -> Iterator[Fact]:
    ref, subjects = m.obj.get("roleRef"), m.obj.get("subjects")
    if not isinstance(ref, LMap) or not isinstance(ref.get("name"), str) or not isinstance(subjects, LSeq):
        return
    scope = "cluster" if m.kind == "ClusterRoleBinding" else "namespace"
    for index, subject in enumerate(subjects):
        if not isinstance(subject, LMap) or not isinstance(subject.get("name"), str):
            continue
        kind, name, identity = subject.get("kind"), subject["name"], None
        if kind == "ServiceAccount":
            namespace = subject.get("namespace")
            namespace = namespace if isinstance(namespace, str) and namespace else m.namespace
            identity = sa_address(namespace, name)
            grantee, grantee_kind = f"{namespace}/{name}", "service_account"
        else:
            grantee, grantee_kind = name, {"Group": "group", "User": "user"}.get(str(kind), "unknown")
        yield Grant(
            loc=m.loc(subjects.ipos(index)),
            platform="kubernetes",
            role=ref["name"],
            grantee=grantee,
            grantee_kind=grantee_kind,
            scope=scope,
            identity=identity,
            role_ref=ref["name"] if ref.get("kind") == "ClusterRole" else f"{m.namespace}/{ref['name']}",
        )


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    return [str(v) for v in node if isinstance(v, (str, int))] if isinstance(node, LSeq) else []
