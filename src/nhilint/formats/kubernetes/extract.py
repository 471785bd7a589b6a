"""Kubernetes manifests (multi-document YAML, `kind: List`, JSON, `helm template` and `kustomize
build` output) to facts: each object's kind picks its handler (`service_accounts`, `rbac`,
`workloads`); `manifest` says how objects are named and keyed, `kustomize` what a kustomization beside
a file sets on its objects, `literal_strings` what the secret detectors read.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterator
from typing import Any

from nhilint.errors import InternalError
from nhilint.facts import CustomApiGroup, Fact
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.kubernetes import helm_template
from nhilint.formats.kubernetes.kustomize import kustomization_of
from nhilint.formats.kubernetes.literal_strings import object_strings
from nhilint.formats.kubernetes.manifest import Manifest
from nhilint.formats.kubernetes.rbac import binding, role
from nhilint.formats.kubernetes.service_accounts import secret, service_account
from nhilint.formats.kubernetes.workloads import WORKLOAD_KINDS, workload_facts
from nhilint.knowledge.credential_names import lazy
from nhilint.parse import ParseError
from nhilint.parse.tree import LMap, LSeq

_SOURCE = lazy(r"^# Source: (\S.*?)\s*$")


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
            facts += manifest_facts(manifest) if manifest is not None else []
        except Exception as exc:  # a bug of ours costs this object, not the objects beside it
            if os.environ.get("NHILINT_DEBUG"):
                raise
            result.internal_errors.append(InternalError.of(file.rel, exc))
            continue
        result.facts.extend(facts)
    return result


def manifest_facts(m: Manifest) -> Iterator[Fact]:
    """The facts of one object: its suppressions, then what its kind declares (nothing for a patch
    that deletes it, or an object of another API group)."""
    if m.obj.get("$patch") == "delete":
        return  # a kustomize patch that deletes the object a base declares: it declares nothing
    yield from m.suppressions()
    handler = HANDLERS.get(m.kind)
    if handler is not None and m.in_known_group():
        yield from handler(m)


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
        elif found := _SOURCE().match(line):
            marks.append((number, found.group(1)))
    return _Sources(marks)


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
