"""Rendered third-party releases: Kubernetes objects a repository deploys but an upstream project wrote.

A project's release is often vendored as rendered YAML: Knative's `serving-core.yaml`, cert-manager's
`cert-manager.yaml`, `helm template` or `istioctl manifest generate` output. Its ServiceAccounts'
labels, its token lifetimes and which of its workloads share an identity are the upstream project's
choices: NHI301/NHI302 report them once per release at `note` level, NHI303 and NHI402 at `note`
(docs/rules/NHI301.md). What a release grants (NHI2xx) and the credentials it holds (NHI1xx) are
judged like everything else: those are the deployer's risk whoever wrote them.

The signals (a reviewed list: each is stamped on the object by a release process, not by hand):

* Helm: a `# Source: <chart>/templates/...` header, a `helm.sh/chart` label or
  `app.kubernetes.io/managed-by: Helm` (the `chart` of the Identity fact); a chart whose templates
  are in the scan is the repository's own.
* A release version stamp: `app.kubernetes.io/version` holding a release version (`1.21.0`,
  `v1.19.4`; not `devel`, `latest`, a commit or a template) with `app.kubernetes.io/part-of` or
  `app.kubernetes.io/name` naming the project (Knative, cert-manager, Flux, kube-prometheus stamp
  every object of a release so).
* A project's release label: `<group>/release` holding a release version
  (`serving.knative.dev/release: v0.26.0`, `pipeline.tekton.dev/release: v0.50.1`).
* `install.operator.istio.io/owning-resource`: stamped by Istio's installer on what it renders.
* A kustomize origin annotation naming another repository (`config.kubernetes.io/origin` with a
  `repo:` line: `kustomize build` of a remote base with `buildMetadata: [originAnnotations]`).

Only the object's own labels count, not those a kustomization of the repository adds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from nhilint.facts import Identity
from nhilint.knowledge.credential_names import lazy

VERSION_LABEL = "app.kubernetes.io/version"
NAME_LABELS = ("app.kubernetes.io/part-of", "app.kubernetes.io/name")  # the project first
ISTIO_INSTALL_LABEL = "install.operator.istio.io/owning-resource"
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
_RELEASE_VERSION = lazy(r"^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$")
_RELEASE_LABEL = lazy(r"^[a-z0-9.-]+\.[a-z]+/release$")  # serving.knative.dev/release
_ORIGIN_REPO = lazy(r"^\s*repo:\s*(\S+)", re.MULTILINE)


def release(labels: Mapping[str, str]) -> str:
    """The project whose rendered release an object's own labels and annotations say it comes from
    ("" when nothing says so); Helm charts are the Identity's `chart`. One project, one release:
    its components' versions differ (kube-prometheus stamps Grafana's and Prometheus's)."""
    project = next((labels[k].strip() for k in NAME_LABELS if labels.get(k, "").strip()), "")
    if project and _RELEASE_VERSION().match(labels.get(VERSION_LABEL, "").strip()):
        return project
    for key, value in sorted(labels.items()):
        if _RELEASE_LABEL().match(key) and _RELEASE_VERSION().match(value.strip()):
            return project or key.split("/", 1)[0]
    if labels.get(ISTIO_INSTALL_LABEL, "").strip():
        return project or "istio"
    found = _ORIGIN_REPO().search(labels.get(ORIGIN_ANNOTATION, ""))
    if found:
        return found[1].removesuffix(".git").rstrip("/").rsplit("/", 1)[-1] or found[1]
    return ""


def charts_in_scan(formats: Mapping[str, str]) -> set[str]:
    """Charts whose templates are in the scan (Helm's layout: `<chart>/templates/...`), by the
    format of each scanned file."""
    charts = set()
    for file, fmt in formats.items():
        parts = file.split("/")
        if fmt == "helm-template" and "templates" in parts[1:-1]:
            charts.add(parts[parts.index("templates", 1) - 1])
    return charts


def upstream(identity: Identity, charts_in_scan: set[str]) -> tuple[str, str] | None:
    """("chart", name) or ("release", name) when a Kubernetes identity was rendered from a chart
    that is not in the scan or from a third-party release; None when the repository wrote it."""
    if identity.provider != "kubernetes":
        return None
    if identity.chart:
        return None if identity.chart in charts_in_scan else ("chart", identity.chart)
    own = {  # written on the object, not added by a kustomization of the repository
        key: value
        for key, value in identity.tags.items()
        if key not in identity.tag_locs or identity.tag_locs[key].file == identity.loc.file
    }
    found = release(own)
    return ("release", found) if found else None
