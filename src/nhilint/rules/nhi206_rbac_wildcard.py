"""NHI206 rbac-wildcard: A Kubernetes Role or ClusterRole grants wildcards, escalation verbs, token
minting, exec, certificate approval, admission webhooks or cluster-wide Secret reads."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import CustomApiGroup, Loc, RbacRule
from nhilint.findings import Finding, IdentityRef, Related
from nhilint.rules import RuleContext, rule
from nhilint.rules._shared import READ_VERBS

# API groups served by kube-apiserver itself (plus the legacy `extensions`). A `*` confined to any
# other group (a CRD's, usually the operator's own) is a note: it cannot reach Secrets, RBAC, pods or
# admission. `*` among these, or `*` as a group, stays an error.
BUILT_IN_API_GROUPS = frozenset(
    {
        "",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "apps",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "extensions",
        "flowcontrol.apiserver.k8s.io",
        "internal.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "resource.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
        "storagemigration.k8s.io",
    }
)
ESCALATION_VERBS = {"escalate", "bind", "impersonate"}
WRITE_VERBS = {"create", "update", "patch"}
EXEC_VERBS = {"create", "get"}  # `get` opens exec and attach over WebSockets
# (group, resource, verbs (None: any), ClusterRole only, what it grants): admin in disguise
ESCALATION_GRANTS = (
    ("", "serviceaccounts/token", {"create"}, False, "mints tokens of other ServiceAccounts"),
    ("", "pods/exec", EXEC_VERBS, True, "runs commands in every pod of the cluster"),
    ("", "pods/attach", EXEC_VERBS, True, "attaches to every pod of the cluster"),
    ("", "secrets", READ_VERBS, True, "reads every Secret in the cluster"),
    # cluster-scoped resources: only a ClusterRole grants them
    ("", "nodes/proxy", None, True, "reaches the kubelet API of every node, exec into its pods included"),
    (
        "certificates.k8s.io",
        "signers",
        {"approve"},
        True,
        "signs certificates for any name its signers issue",
    ),
    (
        "certificates.k8s.io",
        "certificatesigningrequests/approval",
        {"update", "patch"},
        True,
        "approves certificate signing requests",
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        WRITE_VERBS,
        True,
        "installs webhooks that rewrite every object admitted",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        WRITE_VERBS,
        True,
        "installs or disables admission policy webhooks",
    ),
)


# Limited by `resourceNames`, these act on the named objects only: minting tokens of named
# ServiceAccounts (whose own power is judged where they are bound) and reading named Secrets are the
# narrow forms Kubernetes offers, not escalation.
NARROWED_BY_NAME = frozenset({"serviceaccounts/token", "secrets"})


def _names(resources: list[str], resource: str) -> bool:
    """`resources` lists `resource` itself or all subresources of its base (`pods/*`)."""
    return resource in resources or f"{resource.split('/')[0]}/*" in resources


def rbac_problems(rbac: RbacRule) -> tuple[list[str], bool]:
    """What one rule item grants that is too much, and whether it is only wildcards confined to
    custom API groups (a note, not an error)."""
    verbs, groups = set(rbac.verbs), set(rbac.api_groups)
    wildcards = [
        f for f, v in (("verbs", verbs), ("resources", rbac.resources), ("apiGroups", groups)) if "*" in v
    ]
    problems = []
    if wildcards:
        problems.append(f"`*` in {' and '.join(wildcards)}")
    if escalation := sorted(ESCALATION_VERBS & verbs):
        named = ", ".join(f"`{v}`" for v in escalation)
        problems.append(f"the escalation verb{'s' if len(escalation) > 1 else ''} {named}")
    for group, resource, wanted, cluster_only, what in ESCALATION_GRANTS:
        in_group = not groups or group in groups or "*" in groups
        allowed = wanted is None or "*" in verbs or bool(wanted & verbs)
        if (
            in_group
            and allowed
            and _names(rbac.resources, resource)
            and (rbac.cluster_scoped or not cluster_only)
            and not (rbac.resource_names and resource in NARROWED_BY_NAME)
        ):
            granted = sorted(verbs if wanted is None or "*" in verbs else wanted & verbs)
            problems.append(f"{', '.join(f'`{v}`' for v in granted)} on `{resource}` ({what})")
    custom = sorted(groups - BUILT_IN_API_GROUPS - {"*"})
    confined = bool(wildcards) and len(problems) == 1 and bool(groups) and groups == set(custom)
    if confined:
        problems = [
            f"{problems[0]} of the custom API group{'s' if len(custom) > 1 else ''} {', '.join(custom)}"
        ]
    return problems, confined


@rule("NHI206")
def rbac_wildcard(ctx: RuleContext) -> Iterator[Finding]:
    roles: dict[tuple[str, bool, Loc | str], list[tuple[RbacRule, list[str], bool]]] = {}
    for rbac in ctx.of(RbacRule):
        if rbac.aggregate_to:
            continue  # aggregated into view/edit/admin: a role for people, judged where it is bound
        problems, confined = rbac_problems(rbac)
        if problems:
            key = (rbac.role, rbac.cluster_scoped, rbac.role_loc or rbac.loc.file)
            roles.setdefault(key, []).append((rbac, problems, confined))
    # A wildcard on an operator's own API group (a CRD of the scan serves it) reaches only its own
    # resources: a note. On a custom group nothing here defines, it may be another controller's
    # (Argo's workflows, Flux's sources) whose power it borrows: a warning.
    served = READ_ONLY_API_GROUPS | {crd.group for crd in ctx.of(CustomApiGroup)}
    for found in roles.values():
        items = sorted(found, key=lambda item: item[2])  # errors first: the finding is at the worst item
        first, problems, _ = items[0]
        kind = "ClusterRole" if first.cluster_scoped else "Role"
        more = len(items) - 1
        also = f" (and {more} more rule item{'s' if more > 1 else ''})" if more else ""
        yield ctx.finding(
            "NHI206",
            first.loc,
            f"{kind} {first.role} grants {' and '.join(problems)}{also}: list the verbs and "
            "resources the workload needs.",
            identity=IdentityRef(kind, first.role),
            fix=f"{ctx.format_of(first.loc)}-kubernetes",
            related=[Related(rbac.loc, f"also grants {' and '.join(p)}") for rbac, p, _ in items[1:]],
            severity=_confined_severity(items, served),
        )


# The metrics APIs serve only get and list (metrics-server, Prometheus adapter): a wildcard on them
# reads metrics and nothing else.
READ_ONLY_API_GROUPS = frozenset({"metrics.k8s.io", "custom.metrics.k8s.io", "external.metrics.k8s.io"})


def _confined_severity(items: list[tuple[RbacRule, list[str], bool]], served: frozenset[str]) -> str | None:
    """`note` when every item only wildcards the scan's own custom API groups, `warning` when they are
    custom groups nothing in the scan defines, else the rule's level."""
    if not all(confined for _, _, confined in items):
        return None
    groups = {group for rbac, _, _ in items for group in rbac.api_groups}
    return "note" if groups <= served else "warning"
