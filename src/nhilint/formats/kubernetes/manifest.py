"""One named Kubernetes object and what every fact of it needs: where it is, what to call it, its
namespace, labels, chart and `nhilint.io/ignore` annotations.

Identity keys: a ServiceAccount's `Identity.address` is `ServiceAccount/NAMESPACE/NAME` (namespace
`default` when absent), and every workload, token Secret, binding and projected token names its
ServiceAccount by that key, so whole-scan rules join them across files. Objects rendered by
`helm template` carry their `# Source:` template in their display names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from msgspec import Struct

from nhilint.facts import Loc, Suppression
from nhilint.formats import SourceFile
from nhilint.formats.kubernetes.kustomize import Kustomization
from nhilint.knowledge.credential_names import lazy
from nhilint.parse.tree import LMap, Pos

# The API groups of the kinds nhilint reads ("" is the core group, `apiVersion: v1`): a
# `talos.dev/v1alpha1` ServiceAccount or a CRD that reuses a kind name is another thing entirely.
API_GROUPS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("ServiceAccount", "Secret", "Pod", "ReplicationController"), frozenset({""})),
    **dict.fromkeys(
        ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"), frozenset({"rbac.authorization.k8s.io"})
    ),
    **dict.fromkeys(("Deployment", "DaemonSet", "ReplicaSet"), frozenset({"apps", "extensions"})),
    "StatefulSet": frozenset({"apps"}),
    **dict.fromkeys(("Job", "CronJob"), frozenset({"batch"})),
    "CustomResourceDefinition": frozenset({"apiextensions.k8s.io"}),
    "APIService": frozenset({"apiregistration.k8s.io"}),
}
HELM_CHART_LABEL = "helm.sh/chart"
_CHART_VERSION = lazy(r"-v?\d+(?:\.\d+)*(?:[-+][\w.+-]*)?$")
IGNORE_ANNOTATION = "nhilint.io/ignore"
_IGNORE_ENTRY = lazy(
    r"^\s*(?P<rules>[A-Za-z0-9-]+(?:\s*,\s*[A-Za-z0-9-]+)*)\s*(?::\s*(?P<reason>.*?))?"
    r"(?:\s+expires=(?P<expires>\d{4}-\d{2}-\d{2}))?\s*$"
)


def name_of(obj: LMap) -> str:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, LMap) else None
    return f"{obj.get('kind', 'Object')}/{name if isinstance(name, str) else '?'}"


def sa_address(namespace: str, name: str) -> str:
    return f"ServiceAccount/{namespace}/{name}"


class Manifest(Struct):
    """One named object and what every fact of it needs: where it is and what to call it."""

    file: SourceFile
    obj: LMap
    kind: str
    name: str
    namespace: str
    meta: LMap
    source: str | None
    kustomization: Kustomization | None = None

    @classmethod
    def of(
        cls,
        file: SourceFile,
        obj: LMap,
        source: str | None,
        namespace_override: str | None = None,
        kustomization: Kustomization | None = None,
    ) -> Manifest | None:
        meta, kind = obj.get("metadata"), obj.get("kind")
        if not isinstance(meta, LMap) or not isinstance(meta.get("name"), str) or not isinstance(kind, str):
            return None
        namespace = namespace_override or meta.get("namespace")
        return cls(
            file,
            obj,
            kind,
            meta["name"],
            namespace if isinstance(namespace, str) and namespace else "default",
            meta,
            source,
            kustomization,
        )

    def loc(self, pos: Pos) -> Loc:
        return self.file.loc(*pos)

    def display(self, name: str) -> str:
        return f"{name} (from {self.source})" if self.source else name

    @property
    def qualified(self) -> str:
        return f"{self.namespace}/{self.name}"

    def in_known_group(self) -> bool:
        """Whether the object's API group is the one of its kind (an object without an apiVersion
        counts: an unread identity must not pass in silence)."""
        version = self.obj.get("apiVersion")
        if not isinstance(version, str):
            return True
        group = version.rpartition("/")[0]
        return group in API_GROUPS.get(self.kind, frozenset({group}))

    def labels(self) -> LMap:
        found = self.meta.get("labels")
        return found if isinstance(found, LMap) else LMap()

    def chart(self) -> str:
        """The Helm chart the object was rendered from ("" when none says so)."""
        before, templates, _ = f"/{self.source or ''}".rpartition("/templates/")
        if templates and before.rsplit("/", 1)[-1]:
            return before.rsplit("/", 1)[-1]
        labels = self.labels()
        chart = labels.get(HELM_CHART_LABEL)
        if isinstance(chart, str) and chart:
            return _CHART_VERSION().sub("", chart) or chart
        if str(labels.get("app.kubernetes.io/managed-by", "")).lower() == "helm":
            name = labels.get("app.kubernetes.io/name")
            return name if isinstance(name, str) and name else "(unnamed chart)"
        return ""

    def annotations(self) -> LMap:
        found = self.meta.get("annotations")
        return found if isinstance(found, LMap) else LMap()

    def suppressions(self) -> Iterator[Suppression]:
        annotations = self.annotations()
        value = annotations.get(IGNORE_ANNOTATION)
        if not isinstance(value, str):
            return
        for entry in re.split(r"[;\n]", value):
            found = _IGNORE_ENTRY().match(entry)
            if entry.strip() and found:
                yield Suppression(
                    loc=self.loc(annotations.kpos(IGNORE_ANNOTATION)),
                    rules=[r.strip() for r in found["rules"].split(",")],
                    reason=(found["reason"] or "").strip(),
                    expires=found["expires"],
                    start_line=self.obj.pos.line,
                    end_line=self.obj.end_line,
                )
