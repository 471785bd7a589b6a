"""NHI206/NHI207 say what a reviewer would say (issue 15, issue 16).

One finding per Role/ClusterRole with its other offending rule items as related locations; a
wildcard confined to a CRD's own API group is a note; roles aggregated into the built-in roles for
people are not machine identities; the escalation grants Kubernetes documents (certificate approval,
admission webhooks, the kubelet API, exec/attach) are reported; the discovery bindings Kubernetes
ships are not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.findings import Finding
from tests.conftest import run_cli, scan_tree

# A flux-style controller role: seven wildcard items, each on the controller's own API group.
FLUX_ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crd-controller-flux-system
rules:
  - apiGroups: [source.toolkit.fluxcd.io]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups: [kustomize.toolkit.fluxcd.io]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups: [helm.toolkit.fluxcd.io]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups: [notification.toolkit.fluxcd.io]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups: [image.toolkit.fluxcd.io]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups: [""]
    resources: [namespaces, configmaps]
    verbs: [get, list, watch]
  - apiGroups: [""]
    resources: [events]
    verbs: [create, patch]
"""


def _nhi206(result_findings: list[Finding]) -> list[Finding]:
    return [f for f in result_findings if f.rule_id == "NHI206"]


def _crds(*groups: str) -> str:
    """CustomResourceDefinitions serving `groups`, as an operator ships them beside its role."""
    return "".join(
        f"""\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.{group}
spec:
  group: {group}
  names: {{kind: Thing, plural: things}}
  scope: Namespaced
---
"""
        for group in groups
    )


FLUX_GROUPS = ("source", "kustomize", "helm", "notification", "image")


def test_one_finding_per_role_with_every_other_item_related(tmp_path: Path) -> None:
    crds = _crds(*(f"{name}.toolkit.fluxcd.io" for name in FLUX_GROUPS))
    found = _nhi206(scan_tree(tmp_path, {"flux.yaml": FLUX_ROLE, "crds.yaml": crds}).findings)
    assert len(found) == 1  # was 5, one per rule item
    (finding,) = found
    assert finding.loc.line == 6
    assert [r.loc.line for r in finding.related] == [9, 12, 15, 18]
    assert "kustomize.toolkit.fluxcd.io" in finding.related[0].message
    assert finding.severity == "note"  # confined to the controller's own API groups


@pytest.mark.parametrize(
    ("groups", "severity"),
    [
        ('["source.toolkit.fluxcd.io"]', "warning"),  # no CRD in the scan: maybe another controller's
        ('[""]', "error"),  # every core resource
        ('["*"]', "error"),
        ('["apps"]', "error"),
        ('["rbac.authorization.k8s.io"]', "error"),
        ('["source.toolkit.fluxcd.io", ""]', "error"),
        ('["admissionregistration.k8s.io"]', "error"),
    ],
)
def test_wildcard_level_depends_on_whose_api_group_it_is(tmp_path: Path, groups: str, severity: str) -> None:
    role = f"""\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: operator
rules:
  - apiGroups: {groups}
    resources: ["*"]
    verbs: [get, list, watch]
"""
    (finding,) = _nhi206(scan_tree(tmp_path, {"role.yaml": role}).findings)
    assert finding.severity == severity


def test_a_wildcard_on_a_group_the_scan_serves_is_a_note_and_on_another_a_warning(tmp_path: Path) -> None:
    """The operator's own group (its CRD is in the scan) is a note; Argo's group wildcarded by a role
    of some other workload borrows Argo's power, so it stays a warning that fails the gate."""
    role = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {name}
rules:
  - apiGroups: [{group}]
    resources: ["*"]
    verbs: ["*"]
"""
    files = {
        "own.yaml": _crds("widgets.example.com") + role.format(name="widgets", group="widgets.example.com"),
        "borrowed.yaml": role.format(name="ci-runner", group="argoproj.io"),
    }
    levels = {f.identity.name: f.severity for f in _nhi206(scan_tree(tmp_path, files).findings) if f.identity}
    assert levels == {"widgets": "note", "ci-runner": "warning"}


def test_the_finding_sits_at_the_worst_item_when_a_role_mixes_levels(tmp_path: Path) -> None:
    role = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: mixed
rules:
  - apiGroups: [widgets.example.com]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups: [""]
    resources: [secrets]
    verbs: [list]
"""
    (finding,) = _nhi206(scan_tree(tmp_path, {"role.yaml": role}).findings)
    assert (finding.loc.line, finding.severity) == (9, "error")
    assert "`list` on `secrets`" in finding.message
    assert [r.loc.line for r in finding.related] == [6]


ESCALATIONS = {
    "approve signers": ("certificates.k8s.io", "signers", "approve", "ClusterRole"),
    "CSR approval": ("certificates.k8s.io", "certificatesigningrequests/approval", "update", "ClusterRole"),
    "mutating webhooks": (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "patch",
        "ClusterRole",
    ),
    "validating webhooks": (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "create",
        "ClusterRole",
    ),
    "token minting": ("", "serviceaccounts/token", "create", "Role"),
    "kubelet API": ("", "nodes/proxy", "get", "ClusterRole"),
    "exec cluster-wide": ("", "pods/exec", "create", "ClusterRole"),
    "attach cluster-wide": ("", "pods/attach", "get", "ClusterRole"),
    "all subresources of pods": ("", "pods/*", "create", "ClusterRole"),
    "impersonation": ("", "serviceaccounts", "impersonate", "Role"),
    "Secrets cluster-wide": ("", "secrets", "watch", "ClusterRole"),
}


def _role(kind: str, group: str, resource: str, verb: str) -> str:
    namespace = "\n  namespace: ops" if kind == "Role" else ""
    return f"""\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata:
  name: helper{namespace}
rules:
  - apiGroups: ["{group}"]
    resources: ["{resource}"]
    verbs: ["{verb}"]
"""


@pytest.mark.parametrize("case", list(ESCALATIONS))
def test_escalation_grants_are_errors(tmp_path: Path, case: str) -> None:
    group, resource, verb, kind = ESCALATIONS[case]
    found = _nhi206(scan_tree(tmp_path, {"role.yaml": _role(kind, group, resource, verb)}).findings)
    rule_line = 7 if kind == "Role" else 6  # a Role's namespace takes a line
    assert [(f.loc.line, f.severity) for f in found] == [(rule_line, "error")], case
    assert f"`{verb}`" in found[0].message


@pytest.mark.parametrize(
    ("group", "resource", "verb", "kind"),
    [
        ("", "pods/exec", "create", "Role"),  # one namespace: not cluster-wide
        ("", "secrets", "get", "Role"),
        ("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "list", "ClusterRole"),
        ("certificates.k8s.io", "certificatesigningrequests", "get", "ClusterRole"),
        ("", "nodes", "get", "ClusterRole"),
        ("", "nodes/proxy", "get", "Role"),  # cluster-scoped: a Role cannot grant it
        ("example.com", "secrets", "get", "ClusterRole"),  # a CRD's `secrets`, not the core ones
    ],
)
def test_narrow_grants_pass(tmp_path: Path, group: str, resource: str, verb: str, kind: str) -> None:
    assert _nhi206(scan_tree(tmp_path, {"role.yaml": _role(kind, group, resource, verb)}).findings) == []


@pytest.mark.parametrize("people_role", ["view", "edit", "admin"])
def test_a_role_aggregated_into_the_roles_for_people_is_not_a_machine_role(
    tmp_path: Path, people_role: str
) -> None:
    role = f"""\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-{people_role}
  labels:
    rbac.authorization.k8s.io/aggregate-to-{people_role}: "true"
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: ["*"]
"""
    assert _nhi206(scan_tree(tmp_path, {"role.yaml": role}).findings) == []
    # the same role aggregated into a machine's custom role (not a built-in one for people) still counts
    other = role.replace(f"aggregate-to-{people_role}", "aggregate-to-monitoring")
    assert len(_nhi206(scan_tree(tmp_path / "o", {"role.yaml": other}).findings)) == 1


TERRAFORM = """\
resource "kubernetes_cluster_role_v1" "controller" {
  metadata {
    name = "controller"
  }
  rule {
    api_groups = ["source.toolkit.fluxcd.io"]
    resources  = ["*"]
    verbs      = ["*"]
  }
  rule {
    api_groups = ["certificates.k8s.io"]
    resources  = ["signers"]
    verbs      = ["approve"]
  }
  rule {
    api_groups = ["admissionregistration.k8s.io"]
    resources  = ["validatingwebhookconfigurations"]
    verbs      = ["update"]
  }
}

resource "kubernetes_cluster_role_v1" "viewers" {
  metadata {
    name = "widgets-view"
    labels = {
      "rbac.authorization.k8s.io/aggregate-to-view" = "true"
    }
  }
  rule {
    api_groups = [""]
    resources  = ["secrets"]
    verbs      = ["get", "list"]
  }
}

resource "kubernetes_role_v1" "own" {
  metadata {
    name      = "own"
    namespace = "ops"
  }
  rule {
    api_groups = ["widgets.example.com"]
    resources  = ["*"]
    verbs      = ["*"]
  }
}
"""


def test_terraform_roles_get_the_same_judgement(tmp_path: Path) -> None:
    found = sorted(_nhi206(scan_tree(tmp_path, {"main.tf": TERRAFORM}).findings), key=lambda f: f.loc.line)
    # nothing in the scan serves widgets.example.com: a custom group's wildcard is a warning
    assert [(f.loc.line, f.severity) for f in found] == [(10, "error"), (41, "warning")]
    assert [r.loc.line for r in found[0].related] == [15, 5]
    assert "`update` on `validatingwebhookconfigurations`" in found[0].related[0].message


def test_related_items_reach_json_and_sarif(tmp_path: Path) -> None:
    (tmp_path / "flux.yaml").write_text(FLUX_ROLE, encoding="utf-8")
    (tmp_path / "crds.yaml").write_text(
        _crds(*(f"{g}.toolkit.fluxcd.io" for g in FLUX_GROUPS)), encoding="utf-8"
    )
    report = json.loads(run_cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "NHI206"]
    assert [r["line"] for r in finding["related"]] == [9, 12, 15, 18]
    sarif = json.loads(run_cli("scan", ".", "--format", "sarif", cwd=tmp_path).stdout)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "NHI206"]
    assert result["level"] == "note"
    lines = [loc["physicalLocation"]["region"]["startLine"] for loc in result["relatedLocations"]]
    assert lines == [9, 12, 15, 18]


# --- NHI207 -----------------------------------------------------------------------------------


def _binding(role: str, group: str) -> str:
    return f"""\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: binding
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {role}
subjects:
  - kind: Group
    name: {group}
    apiGroup: rbac.authorization.k8s.io
"""


DISCOVERY = [
    "system:service-account-issuer-discovery",
    "system:discovery",
    "system:public-info-viewer",
    "system:basic-user",
]


@pytest.mark.parametrize("role", DISCOVERY)
@pytest.mark.parametrize(
    "group", ["system:authenticated", "system:unauthenticated", "system:serviceaccounts"]
)
def test_the_discovery_bindings_kubernetes_documents_pass(tmp_path: Path, role: str, group: str) -> None:
    result = scan_tree(tmp_path, {"binding.yaml": _binding(role, group)})
    assert [f for f in result.findings if f.rule_id == "NHI207"] == []


def test_other_roles_for_everyone_still_fail(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {"binding.yaml": _binding("system:auth-delegator", "system:authenticated")})
    assert [f.loc.line for f in result.findings if f.rule_id == "NHI207"] == [10]


def test_a_discovery_role_the_scan_rewrites_gets_no_pass(tmp_path: Path) -> None:
    rewritten = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:discovery
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, list]
---
""" + _binding("system:discovery", "system:unauthenticated")
    result = scan_tree(tmp_path, {"binding.yaml": rewritten})
    assert [f.loc.line for f in result.findings if f.rule_id == "NHI207"] == [19]
