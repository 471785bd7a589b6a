"""RBAC rules limited by `resourceNames` (issue 15).

NHI206: token minting and Secret reads limited to named objects are the narrow form Kubernetes
offers, not cluster-wide escalation (the named ServiceAccounts' power is judged where they are
bound); without `resourceNames`, or with ones the scan cannot read, they stay reported.
NHI207: a role that only reads named core objects holding no credentials (kube-public's
`cluster-info` pattern) may be bound to every signed-in identity; anything more stays reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import scan_tree


def _rules(tmp_path: Path, files: dict[str, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in scan_tree(tmp_path, files).findings:
        found.setdefault(f.rule_id, []).append(f.severity)
    return found


def _role(kind: str, resources: str, verbs: str, names: str | None) -> str:
    namespace = "  namespace: cert-manager\n" if kind == "Role" else ""
    limit = f"    resourceNames: {names}\n" if names is not None else ""
    return f"""\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata:
  name: cert-manager-tokenrequest
{namespace}rules:
  - apiGroups: [""]
    resources: {resources}
{limit}    verbs: {verbs}
"""


@pytest.mark.parametrize(
    ("kind", "resources", "verbs"),
    [
        ("Role", '["serviceaccounts/token"]', '["create"]'),
        ("ClusterRole", '["serviceaccounts/token"]', '["create"]'),
        ("ClusterRole", '["secrets"]', '["get", "list", "watch"]'),
    ],
)
def test_token_minting_and_secret_reads_of_named_objects_are_not_escalation(
    tmp_path: Path, kind: str, resources: str, verbs: str
) -> None:
    assert "NHI206" not in _rules(tmp_path, {"rbac.yaml": _role(kind, resources, verbs, '["cert-manager"]')})


@pytest.mark.parametrize(
    ("kind", "resources", "verbs", "names"),
    [
        ("Role", '["serviceaccounts/token"]', '["create"]', None),  # every ServiceAccount of the namespace
        ("Role", '["serviceaccounts/token"]', '["create"]', "[]"),  # an empty list limits nothing
        ("ClusterRole", '["secrets"]', '["list"]', None),
        ("ClusterRole", '["secrets"]', '["*"]', '["cert-manager"]'),  # a wildcard stays a wildcard
        ("Role", '["serviceaccounts/token", "roles"]', '["create", "bind"]', '["cert-manager"]'),
    ],
)
def test_unlimited_or_wider_grants_stay_errors(
    tmp_path: Path, kind: str, resources: str, verbs: str, names: str | None
) -> None:
    assert _rules(tmp_path, {"rbac.yaml": _role(kind, resources, verbs, names)}).get("NHI206") == ["error"]


TF_ROLE = """\
variable "token_targets" {
  type = list(string)
}

resource "kubernetes_role_v1" "tokenrequest" {
  metadata {
    name      = "cert-manager-tokenrequest"
    namespace = "cert-manager"
  }
  rule {
    api_groups     = [""]
    resources      = ["serviceaccounts/token"]
    resource_names = %s
    verbs          = ["create"]
  }
}
"""


def test_terraform_resource_names_limit_token_minting_when_known(tmp_path: Path) -> None:
    assert "NHI206" not in _rules(tmp_path / "known", {"main.tf": TF_ROLE % '["cert-manager"]'})
    # names the scan cannot read limit nothing it can see: reported
    assert "NHI206" in _rules(tmp_path / "unknown", {"main.tf": TF_ROLE % "var.token_targets"})


def _public(resources: str, verbs: str, names: str | None, group: str = "system:authenticated") -> str:
    limit = f"    resourceNames: {names}\n" if names is not None else ""
    return f"""\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: workflow-engine-public
  namespace: ml
rules:
  - apiGroups: [""]
    resources: {resources}
{limit}    verbs: {verbs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: workflow-engine-public
  namespace: ml
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: workflow-engine-public
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: {group}
"""


@pytest.mark.parametrize(
    "group", ["system:authenticated", "system:unauthenticated", "system:serviceaccounts"]
)
def test_a_named_public_configmap_may_be_read_by_everyone(tmp_path: Path, group: str) -> None:
    text = _public('["configmaps"]', '["get", "list", "watch"]', '["workflow-engine-public"]', group)
    assert "NHI207" not in _rules(tmp_path, {"rbac.yaml": text})


@pytest.mark.parametrize(
    ("resources", "verbs", "names"),
    [
        ('["secrets"]', '["get"]', '["workflow-engine-public"]'),  # a credential, even by name
        ('["configmaps"]', '["get", "list"]', None),  # every ConfigMap of the namespace
        ('["configmaps"]', '["get", "update"]', '["workflow-engine-public"]'),  # a write
        ('["pods/log"]', '["get"]', '["workflow-engine-0"]'),  # a subresource
        ('["*"]', '["get"]', '["workflow-engine-public"]'),
    ],
)
def test_more_than_reading_named_public_objects_stays_reported(
    tmp_path: Path, resources: str, verbs: str, names: str | None
) -> None:
    assert "NHI207" in _rules(tmp_path, {"rbac.yaml": _public(resources, verbs, names)})


def test_a_bound_role_the_scan_does_not_define_stays_reported(tmp_path: Path) -> None:
    binding = _public('["configmaps"]', '["get"]', '["workflow-engine-public"]').split("---\n", 1)[1]
    assert "NHI207" in _rules(tmp_path, {"binding.yaml": binding})


def test_terraform_binding_of_a_named_public_configmap(tmp_path: Path) -> None:
    text = """\
resource "kubernetes_role_v1" "public" {
  metadata {
    name      = "workflow-engine-public"
    namespace = "ml"
  }
  rule {
    api_groups     = [""]
    resources      = ["configmaps"]
    resource_names = ["workflow-engine-public"]
    verbs          = ["get", "list", "watch"]
  }
}

resource "kubernetes_role_binding_v1" "public" {
  metadata {
    name      = "workflow-engine-public"
    namespace = "ml"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.public.metadata[0].name
  }
  subject {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Group"
    name      = "system:authenticated"
  }
}
"""
    assert "NHI207" not in _rules(tmp_path / "named", {"main.tf": text})
    widened = text.replace('    resource_names = ["workflow-engine-public"]\n', "")
    assert "NHI207" in _rules(tmp_path / "every", {"main.tf": widened})
