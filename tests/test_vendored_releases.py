"""Rendered third-party releases (nhilint.knowledge.releases): a vendored Knative or Istio release's
ServiceAccounts get one lifecycle note per release, and its own defaults (token lifetime, one identity
for several workloads) are notes; what it grants is judged as usual. The same objects written by hand are
not a release."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import run_cli

KNATIVE_EVENTING = """\
apiVersion: v1
kind: Namespace
metadata:
  name: knative-eventing
  labels:
    app.kubernetes.io/version: "1.21.0"
    app.kubernetes.io/name: knative-eventing
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: eventing-controller
  namespace: knative-eventing
  labels:
    app.kubernetes.io/version: "1.21.0"
    app.kubernetes.io/name: knative-eventing
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: pingsource-mt-adapter
  namespace: knative-eventing
  labels:
    app.kubernetes.io/version: "1.21.0"
    app.kubernetes.io/name: knative-eventing
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: eventing-controller-admin
  labels:
    app.kubernetes.io/version: "1.21.0"
    app.kubernetes.io/name: knative-eventing
subjects:
  - kind: ServiceAccount
    name: eventing-controller
    namespace: knative-eventing
roleRef:
  kind: ClusterRole
  name: cluster-admin
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: eventing-controller
  namespace: knative-eventing
  labels:
    app.kubernetes.io/version: "1.21.0"
    app.kubernetes.io/name: knative-eventing
spec:
  selector:
    matchLabels: {app: eventing-controller}
  template:
    metadata:
      labels: {app: eventing-controller}
    spec:
      serviceAccountName: eventing-controller
      containers:
        - name: controller
          image: gcr.io/knative-releases/knative.dev/eventing/cmd/controller@sha256:0123
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: mt-broker-controller
  namespace: knative-eventing
  labels:
    app.kubernetes.io/version: "1.21.0"
    app.kubernetes.io/name: knative-eventing
spec:
  selector:
    matchLabels: {app: mt-broker-controller}
  template:
    metadata:
      labels: {app: mt-broker-controller}
    spec:
      serviceAccountName: eventing-controller
      containers:
        - name: controller
          image: gcr.io/knative-releases/knative.dev/eventing/cmd/mtchannel_broker@sha256:4567
"""

ISTIO_GATEWAY = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  labels:
    app: istio-ingressgateway
    app.kubernetes.io/instance: istio
    app.kubernetes.io/managed-by: Helm
    app.kubernetes.io/name: istio-ingressgateway
    app.kubernetes.io/part-of: istio
    app.kubernetes.io/version: 1.29.1
    helm.sh/chart: istio-ingress-1.29.1
    install.operator.istio.io/owning-resource: unknown
  name: istio-ingressgateway-service-account
  namespace: istio-system
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app.kubernetes.io/part-of: istio
    helm.sh/chart: istio-ingress-1.29.1
  name: istio-ingressgateway
  namespace: istio-system
spec:
  selector:
    matchLabels: {app: istio-ingressgateway}
  template:
    metadata:
      labels: {app: istio-ingressgateway}
    spec:
      serviceAccountName: istio-ingressgateway-service-account
      containers:
        - name: istio-proxy
          image: docker.io/istio/proxyv2:1.29.1
          volumeMounts:
            - {name: istio-token, mountPath: /var/run/secrets/tokens}
      volumes:
        - name: istio-token
          projected:
            sources:
              - serviceAccountToken:
                  audience: istio-ca
                  expirationSeconds: 43200
                  path: istio-token
"""

KUSTOMIZATION = "kind: Kustomization\nresources:\n  - upstream.yaml\n"


def _by_rule(result: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for finding in result.findings:
        for rule_id in (finding.rule_id, *finding.also):
            found.setdefault(rule_id, []).append(finding)
    return found


def test_a_vendored_knative_release_gets_one_lifecycle_note_and_its_grants_judged(scan) -> None:
    result = scan({"knative/kustomization.yaml": KUSTOMIZATION, "knative/upstream.yaml": KNATIVE_EVENTING})
    found = _by_rule(result)
    [owner] = found["NHI301"]  # one for the release, not one per ServiceAccount or per kustomization
    assert owner.severity == "note"
    assert owner.identity is not None and owner.identity.name == "knative-eventing"
    assert {r.loc.line for r in owner.related} == {20}  # pingsource-mt-adapter, the second one
    [shared] = found["NHI402"]  # two Deployments run as eventing-controller: upstream's design
    assert shared.severity == "note"
    assert [f.severity for f in found["NHI207"]] == ["error"]  # cluster-admin is the deployer's risk


def test_istios_own_projected_token_lifetime_is_a_note(scan) -> None:
    result = scan({"istio/install.yaml": ISTIO_GATEWAY})
    [ttl] = _by_rule(result)["NHI303"]
    assert ttl.severity == "note"
    assert "istio-ingress" in ttl.message


@pytest.mark.parametrize(
    "labels",
    [
        "",  # written by hand
        '    app.kubernetes.io/version: "devel"\n    app.kubernetes.io/name: knative-eventing\n',
        '    app.kubernetes.io/version: "1.21.0"\n',  # no project named
    ],
)
def test_a_service_account_without_a_release_stamp_is_the_repositorys(scan, labels: str) -> None:
    written = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sync\n  namespace: ops\n"
    result = scan({"ops/sa.yaml": written + ("  labels:\n" + labels if labels else "")})
    [owner] = _by_rule(result)["NHI301"]
    assert owner.severity == "warning"


def test_a_version_label_the_repositorys_kustomization_adds_is_not_a_release(scan) -> None:
    kustomization = KUSTOMIZATION + (
        "labels:\n  - pairs:\n      app.kubernetes.io/name: ops\n      app.kubernetes.io/version: 2.0.0\n"
    )
    sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sync\n  namespace: ops\n"
    result = scan({"ops/kustomization.yaml": kustomization, "ops/upstream.yaml": sa})
    [owner] = _by_rule(result)["NHI301"]
    assert owner.severity == "warning"


def test_a_release_label_and_a_remote_kustomize_origin_are_release_stamps(scan) -> None:
    tekton = (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: tekton-pipelines-controller\n"
        "  namespace: tekton-pipelines\n  labels:\n    pipeline.tekton.dev/release: v0.50.1\n"
    )
    remote = (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: external-secrets\n  namespace: es\n"
        "  annotations:\n    config.kubernetes.io/origin: |\n      path: config/sa.yaml\n"
        "      repo: https://github.com/external-secrets/external-secrets.git\n      ref: v0.9.0\n"
    )
    result = scan({"tekton/release.yaml": tekton, "es/rendered.yaml": remote})
    owners = _by_rule(result)["NHI301"]
    assert sorted((f.identity.name, f.severity) for f in owners if f.identity) == [
        ("external-secrets", "note"),
        ("pipeline.tekton.dev", "note"),
    ]


def test_an_upstream_token_lifetime_is_part_of_the_chart_s_lifecycle_note(scan) -> None:
    # upstream's defaults are one cause: its labels and its token lifetime are set where it is installed
    result = scan({"istio/install.yaml": ISTIO_GATEWAY})
    lifecycle = [f for f in result.findings if f.rule_id.startswith("NHI30")]
    [note] = lifecycle
    assert (note.rule_id, note.also, note.severity) == ("NHI301", ["NHI302", "NHI303"], "note")
    assert "token lifetime of 12 h" in note.message
    assert any(r.loc.line == 43 for r in note.related)  # the expirationSeconds line


def test_an_upstream_token_lifetime_stays_reported_when_the_owner_rules_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "install.yaml").write_text(ISTIO_GATEWAY, encoding="utf-8")
    ignore = ("--ignore", "NHI301", "--ignore", "NHI302")
    result = run_cli("scan", ".", "--no-cache", "--output-format", "json", *ignore, cwd=tmp_path)
    found = [(f["rule_id"], f["line"], f["also"]) for f in json.loads(result.stdout)["findings"]]
    assert [f for f in found if f[0].startswith("NHI30")] == [("NHI303", 43, [])]
