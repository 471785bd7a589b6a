"""Kubernetes manifests (multi-document YAML, `kind: List`, JSON, `helm template` and `kustomize
build` output) to facts.

Identity keys: a ServiceAccount's `Identity.address` is `ServiceAccount/NAMESPACE/NAME` (namespace
`default` when absent), and every workload, token Secret, binding and projected token names its
ServiceAccount by that key, so whole-scan rules join them across files. Objects rendered by
`helm template` carry their `# Source:` template in their display names.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from nhilint.errors import InternalError
from nhilint.facts import (
    Credential,
    CustomApiGroup,
    EnvVar,
    Fact,
    Grant,
    Identity,
    Kustomize,
    Lifetime,
    Loc,
    RbacRule,
    StringValue,
    Suppression,
    Workload,
)
from nhilint.formats import Extraction, Problem, SideRead, SourceFile, read_beside
from nhilint.formats.kubernetes import helm_template
from nhilint.formats.walk import string_values
from nhilint.parse import ParseError
from nhilint.parse.tree import LMap, LSeq, Pos

WORKLOAD_KINDS = frozenset(
    {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}
)
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
WORKLOAD_IDENTITY_ANNOTATIONS = {
    "eks.amazonaws.com/role-arn": "aws",
    "iam.gke.io/gcp-service-account": "gcp",
    "azure.workload.identity/client-id": "azure",
}
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
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
HELM_CHART_LABEL = "helm.sh/chart"
_CHART_VERSION = re.compile(r"-v?\d+(?:\.\d+)*(?:[-+][\w.+-]*)?$")
IGNORE_ANNOTATION = "nhilint.io/ignore"
SA_TOKEN_TYPE = "kubernetes.io/service-account-token"

_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$")
_IGNORE_ENTRY = re.compile(
    r"^\s*(?P<rules>[A-Za-z0-9-]+(?:\s*,\s*[A-Za-z0-9-]+)*)\s*(?::\s*(?P<reason>.*?))?"
    r"(?:\s+expires=(?P<expires>\d{4}-\d{2}-\d{2}))?\s*$"
)


def parse(file: SourceFile) -> tuple[list[Any], list[ParseError]]:
    """The file's documents, and the error of each broken one (a broken document of a stream costs
    only itself). Raises ParseError when nothing could be read."""
    from nhilint.parse.yaml import parse_yaml_stream

    if file.rel.endswith(".json"):
        from nhilint.parse.json import parse_json

        try:
            return [parse_json(file.text)], []
        except ParseError:
            if not file.text.lstrip().startswith(("{", "[")):  # YAML named .json: kubectl reads it
                return parse(SourceFile(file.rel + ".yaml", file.format, file.text))
            raise

    docs, errors = parse_yaml_stream(file.text)
    if errors and not any(isinstance(d, LMap) for d in docs):
        raise errors[0]
    return docs, errors


def objects(docs: list[Any]) -> Iterator[LMap]:
    """Every manifest object, with `kind: *List` expanded."""
    for doc in docs:
        if not isinstance(doc, LMap):
            continue
        items = doc.get("items")
        kind = doc.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(items, LSeq):
            yield from (
                item for item in items if isinstance(item, LMap) and isinstance(item.get("kind"), str)
            )
        elif isinstance(kind, str):  # `kind: []` is no object Kubernetes would accept
            yield doc


def name_of(obj: LMap) -> str:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, LMap) else None
    return f"{obj.get('kind', 'Object')}/{name if isinstance(name, str) else '?'}"


def sa_address(namespace: str, name: str) -> str:
    return f"ServiceAccount/{namespace}/{name}"


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    try:
        docs, errors = parse(file)
    except ParseError as exc:
        if helm_template.syntax_at(file.text, exc.line):  # not a manifest until rendered (a `{{`
            return helm_template.extract(files)  # in a string or comment of a manifest is just text)
        return Extraction(problems=[Problem(file.loc(exc.line, exc.col), exc.reason)])
    sources = _helm_sources(file.text)
    result = Extraction(problems=[Problem(file.loc(e.line, e.col), e.reason) for e in errors])
    kustomization = kustomization_of(file, result.reads)
    namespace = kustomization.namespace if kustomization is not None else None
    for obj in objects(docs):
        try:
            facts = list(object_strings(file, obj))
            manifest = Manifest.of(file, obj, sources.at(obj.pos.line), namespace, kustomization)
            facts += manifest.facts() if manifest is not None else []
        except Exception as exc:  # a bug of ours costs this object, not the objects beside it
            if os.environ.get("NHILINT_DEBUG"):
                raise
            result.internal_errors.append(InternalError.of(file.rel, exc))
            continue
        result.facts.extend(facts)
    return result


@dataclass(frozen=True)
class Kustomization:
    """What the kustomization beside a file, listing it in `resources:`, sets on the file's objects:
    its `namespace:`, its labels and annotations (`commonLabels:`, `labels: - pairs:`,
    `commonAnnotations:`), and where a human adds one for all of them (its `resources:` line)."""

    rel: str
    namespace: str | None
    labels: dict[str, str]
    label_lines: dict[str, int]
    resources_line: int

    def loc(self, line: int | None = None) -> Loc:
        return Loc(self.rel, line or self.resources_line, 1)


def kustomization_of(file: SourceFile, reads: list[SideRead]) -> Kustomization | None:
    """The kustomization beside `file` that lists it in `resources:` (the innermost one: kustomize
    applies its namespace and labels to every object the file holds)."""
    for name in KUSTOMIZATIONS:
        found = read_beside(file, name, reads)
        if found is not None:
            namespace, resources, labels, resources_line = _kustomization(found.text)
            if PurePosixPath(file.rel).name not in resources:
                return None
            rel = posixpath.join(posixpath.dirname(file.rel), found.name)
            values = {key: value for key, (value, _) in labels.items()}
            lines = {key: line for key, (_, line) in labels.items()}
            return Kustomization(rel, namespace, values, lines, resources_line)
    return None


def kustomize_namespace(file: SourceFile, reads: list[SideRead]) -> str | None:
    """The `namespace:` of the kustomization beside `file` that lists it in `resources:` (kustomize
    sets it on every object the file holds)."""
    found = kustomization_of(file, reads)
    return found.namespace if found is not None else None


def kustomize_references(text: str) -> list[str]:
    """The relative paths a kustomization deploys (`resources`, `bases`, `components`): files and
    directories; remote URLs left out."""
    from nhilint.parse.yaml import parse_yaml

    try:
        docs = parse_yaml(text)
    except ParseError:
        return []
    doc = docs[0] if docs and isinstance(docs[0], LMap) else LMap()
    listed = [doc.get(key) for key in ("resources", "bases", "components")]
    entries = [r for seq in listed if isinstance(seq, LSeq) for r in seq if isinstance(r, str)]
    return [r for r in entries if "://" not in r and not r.startswith(("/", "github.com/"))]


def kustomize_facts(texts: dict[str, str]) -> list[Kustomize]:
    """The kustomizations of the scan (text by path), for rules that follow overlays and bases."""
    found = []
    for rel, text in sorted(texts.items()):
        directory = posixpath.dirname(rel)
        _, _, labels, line = _kustomization(text)
        found.append(
            Kustomize(
                loc=Loc(rel, line, 1),
                deploys=[
                    posixpath.normpath(posixpath.join(directory, t)) for t in kustomize_references(text)
                ],
                labels={key: value for key, (value, _) in labels.items()},
                label_locs={key: Loc(rel, at, 1) for key, (_, at) in labels.items()},
            )
        )
    return found


@lru_cache(maxsize=64)
def _kustomization(
    text: str,
) -> tuple[str | None, frozenset[str], dict[str, tuple[str, int]], int]:
    """(namespace, files listed in `resources:`, labels and annotations it sets with their lines,
    the `resources:` line) of a kustomization's text."""
    from nhilint.parse.yaml import parse_yaml

    try:
        docs = parse_yaml(text)
    except ParseError:
        return None, frozenset(), {}, 1
    doc = docs[0] if docs and isinstance(docs[0], LMap) else LMap()
    namespace, resources = doc.get("namespace"), doc.get("resources")
    listed = (
        [posixpath.normpath(r) for r in resources if isinstance(r, str)]
        if isinstance(resources, LSeq)
        else []
    )
    maps = [doc.get("commonLabels"), doc.get("commonAnnotations")]
    entries = doc.get("labels")
    if isinstance(entries, LSeq):
        maps += [entry.get("pairs") for entry in entries if isinstance(entry, LMap)]
    labels = {
        str(key): (str(value), values.kpos(key)[0])
        for values in maps
        if isinstance(values, LMap)
        for key, value in values.items()
        if isinstance(value, (str, int, float)) and not isinstance(value, bool)
    }
    line = doc.kpos("resources")[0] if "resources" in doc else 1
    namespace = namespace if isinstance(namespace, str) and namespace else None
    return namespace, frozenset(listed), labels, line


class _Sources:
    """`# Source: chart/templates/x.yaml` comments of `helm template` output, by line; a `---`
    ends the document the comment belongs to."""

    def __init__(self, marks: list[tuple[int, str | None]]) -> None:
        self.lines = [line for line, _ in marks]
        self.values = [value for _, value in marks]

    def at(self, line: int) -> str | None:
        index = bisect.bisect_left(self.lines, line) - 1
        return self.values[index] if index >= 0 else None


def _helm_sources(text: str) -> _Sources:
    if "# Source: " not in text:
        return _Sources([])
    marks: list[tuple[int, str | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("---"):
            marks.append((number, None))
        elif found := _SOURCE.match(line):
            marks.append((number, found.group(1)))
    return _Sources(marks)


def object_strings(file: SourceFile, obj: LMap) -> Iterator[Fact]:
    """Literal strings of an object for NHI101: a Secret's `data` is base64-decoded first, an env
    value is keyed by its variable name, and `valueFrom`/`envFrom` references are skipped."""
    identity = name_of(obj)
    env_names = {(p.line, p.col): name for name, _, p in _env_literals(obj)}
    # a value a duplicate key replaced is in the file all the same
    for key, value, where in [*((k, v, obj.vpos(k)) for k, v in obj.items()), *obj.shadowed]:
        if key == "data" and obj.get("kind") == "Secret" and isinstance(value, LMap):
            for name, encoded in value.items():
                decoded = _b64(encoded)
                if decoded is not None:
                    yield StringValue(
                        loc=file.loc(*value.vpos(name)),
                        key=str(name),
                        value=decoded,
                        path=f"data.{name}",
                        identity=identity,
                        context="secret-data",
                    )
            continue
        if key == "spec" and obj.get("kind") == "CustomResourceDefinition":
            continue  # an API schema (often megabytes of descriptions) holds no credential
        context = "secret-data" if key == "stringData" else "attribute"
        for found in string_values(file, value, where, context, path=str(key), identity=identity):
            if ".valueFrom." in found.path or ".envFrom[" in found.path:
                continue  # references to Secrets and ConfigMaps, never the value itself
            env = env_names.get((found.loc.line, found.loc.col))
            if env is not None:
                found.key, found.context = env, "env"
            yield found


def _b64(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def pod_spec(obj: LMap) -> tuple[LMap, LMap] | None:
    """(holder, spec): the pod spec of a workload and the mapping whose `spec` key it is."""
    holder: Any = obj
    path: tuple[str, ...] = ("spec", "template")
    if obj.get("kind") == "Pod":
        path = ()
    if obj.get("kind") == "CronJob":
        path = ("spec", "jobTemplate", "spec", "template")
    for key in path:
        holder = holder.get(key) if isinstance(holder, LMap) else None
    spec = holder.get("spec") if isinstance(holder, LMap) else None
    return (holder, spec) if isinstance(spec, LMap) else None


def _containers(spec: LMap) -> Iterator[LMap]:
    for key in CONTAINER_LISTS:
        items = spec.get(key)
        if isinstance(items, LSeq):
            yield from (c for c in items if isinstance(c, LMap))


def _env_literals(obj: LMap) -> Iterator[tuple[str, str, Pos]]:
    """(name, literal value, value position) of every container `env[].value` of a workload."""
    found = pod_spec(obj) if obj.get("kind") in WORKLOAD_KINDS else None
    if found is None:
        return
    for container in _containers(found[1]):
        env = container.get("env")
        for item in env if isinstance(env, LSeq) else ():
            if (
                isinstance(item, LMap)
                and isinstance(item.get("name"), str)
                and isinstance(item.get("value"), str)
            ):
                yield item["name"], item["value"], item.vpos("value")


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    return [str(v) for v in node if isinstance(v, (str, int))] if isinstance(node, LSeq) else []


@dataclass
class Manifest:
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

    def facts(self) -> Iterator[Fact]:
        if self.obj.get("$patch") == "delete":
            return  # a kustomize patch that deletes the object a base declares: it declares nothing
        yield from self.suppressions()
        handler = HANDLERS.get(self.kind)
        if handler is not None and self.in_known_group():
            yield from handler(self)

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
            return _CHART_VERSION.sub("", chart) or chart
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
            found = _IGNORE_ENTRY.match(entry)
            if entry.strip() and found:
                yield Suppression(
                    loc=self.loc(annotations.kpos(IGNORE_ANNOTATION)),
                    rules=[r.strip() for r in found["rules"].split(",")],
                    reason=(found["reason"] or "").strip(),
                    expires=found["expires"],
                    start_line=self.obj.pos.line,
                    end_line=self.obj.end_line,
                )


def service_account(m: Manifest) -> Iterator[Fact]:
    kustomization = m.kustomization
    tags: dict[str, str] = dict(kustomization.labels) if kustomization else {}
    tag_locs = (
        {key: kustomization.loc(line) for key, line in kustomization.label_lines.items()}
        if kustomization
        else {}
    )
    for key in ("labels", "annotations"):
        values = m.meta.get(key)
        if not isinstance(values, LMap):
            continue
        for tag, value in values.items():
            if isinstance(value, (str, int, float, bool)):
                tags[str(tag)] = str(value)
                tag_locs[str(tag)] = m.loc(values.kpos(tag))
    automount = m.obj.get("automountServiceAccountToken")
    yield Identity(
        loc=m.loc(m.meta.kpos("name")),
        kind="k8s_service_account",
        name=m.display(m.qualified),
        provider="kubernetes",
        address=sa_address(m.namespace, m.name),
        tags=tags,
        tag_locs=tag_locs,
        tags_loc=m.loc(m.obj.kpos("metadata")),
        automount_token=automount if isinstance(automount, bool) else None,
        workload_identity={
            cloud: tags[key] for key, cloud in WORKLOAD_IDENTITY_ANNOTATIONS.items() if tags.get(key)
        },
        chart=m.chart(),
        fix_place=kustomization.loc() if kustomization else None,
        fix_place_name=f"kustomization {kustomization.rel}" if kustomization else "",
    )


def secret(m: Manifest) -> Iterator[Fact]:
    if m.obj.get("type") != SA_TOKEN_TYPE:
        return
    owner = m.annotations().get("kubernetes.io/service-account.name")
    yield Credential(
        loc=m.loc(m.obj.kpos("type")),
        kind="k8s_service_account_token",
        resource_type="Secret",
        identity=sa_address(m.namespace, owner) if isinstance(owner, str) else None,
        name=m.display(m.qualified),
    )


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


def workload_facts(m: Manifest) -> Iterator[Fact]:
    found = pod_spec(m.obj)
    if found is None:
        return
    holder, spec = found
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    account_key = "serviceAccountName" if "serviceAccountName" in spec else "serviceAccount"
    named = isinstance(account, str) and account != ""
    if not named and is_patch(m.obj, spec):
        return  # a kustomize patch: the base it patches names (or not) the ServiceAccount
    identity = sa_address(m.namespace, account if isinstance(account, str) and named else "default")
    automount = spec.get("automountServiceAccountToken")
    name = m.display(m.qualified)
    yield Workload(
        loc=m.loc(m.meta.kpos("name")),
        kind=m.kind,
        name=name,
        platform="kubernetes",
        identity=identity,
        identity_loc=m.loc(spec.kpos(account_key) if named else holder.kpos("spec")),
        uses_default=not named or account == "default",
        token_mounted=automount if isinstance(automount, bool) else None,
    )
    for env_name, value, pos in _env_literals(m.obj):
        yield EnvVar(loc=m.loc(pos), name=env_name, value=value, workload=f"{m.kind} {name}")
    yield from projected_tokens(m, spec, identity)


def is_patch(obj: LMap, spec: LMap) -> bool:
    """A partial workload (kustomize strategic-merge patch): a container without `image`, or an
    apps/v1 controller without the `selector` the API server requires."""
    containers = list(_containers(spec))
    if not containers or any("image" not in c for c in containers):
        return True
    spec_of_obj = obj.get("spec")
    needs_selector = obj.get("apiVersion") == "apps/v1" and obj.get("kind") != "Pod"
    return needs_selector and not (isinstance(spec_of_obj, LMap) and "selector" in spec_of_obj)


def projected_tokens(m: Manifest, spec: LMap, identity: str) -> Iterator[Lifetime]:
    volumes = spec.get("volumes")
    for volume in volumes if isinstance(volumes, LSeq) else ():
        projected = volume.get("projected") if isinstance(volume, LMap) else None
        sources = projected.get("sources") if isinstance(projected, LMap) else None
        for source in sources if isinstance(sources, LSeq) else ():
            token = source.get("serviceAccountToken") if isinstance(source, LMap) else None
            seconds = token.get("expirationSeconds") if isinstance(token, LMap) else None
            if isinstance(token, LMap) and isinstance(seconds, int) and not isinstance(seconds, bool):
                yield Lifetime(
                    loc=m.loc(token.kpos("expirationSeconds")),
                    setting="expirationSeconds",
                    seconds=seconds,
                    identity=identity,
                    platform="kubernetes",
                )


def served_api_group(m: Manifest) -> Iterator[Fact]:
    """The group a CustomResourceDefinition or an aggregated APIService adds to the cluster."""
    spec = m.obj.get("spec")
    if isinstance(spec, LMap) and isinstance(group := spec.get("group"), str) and group:
        yield CustomApiGroup(loc=m.loc(spec.kpos("group")), group=group)


HANDLERS = {
    "CustomResourceDefinition": served_api_group,
    "APIService": served_api_group,
    "ServiceAccount": service_account,
    "Secret": secret,
    "Role": role,
    "ClusterRole": role,
    "RoleBinding": binding,
    "ClusterRoleBinding": binding,
    **dict.fromkeys(WORKLOAD_KINDS, workload_facts),
}
