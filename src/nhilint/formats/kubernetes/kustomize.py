"""Kustomizations: what the one beside a manifest sets on its objects (namespace, labels), what each
deploys (`resources`, `bases`, `components`), and their facts for the rules that follow overlays."""

from __future__ import annotations

import posixpath
from functools import lru_cache
from pathlib import PurePosixPath

from msgspec import Struct

from nhilint.facts import Kustomize, Loc
from nhilint.formats import SideRead, SourceFile, read_beside
from nhilint.parse import ParseError
from nhilint.parse.tree import LMap, LSeq

KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class Kustomization(Struct, frozen=True):
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
    doc = _first_mapping(text)
    if doc is None:
        return []
    listed = [doc.get(key) for key in ("resources", "bases", "components")]
    entries = [r for seq in listed if isinstance(seq, LSeq) for r in seq if isinstance(r, str)]
    return [r for r in entries if "://" not in r and not r.startswith(("/", "github.com/"))]


def kustomize_fact(rel: str, text: str) -> Kustomize:
    """The fact of one kustomization of the scan, for rules that follow overlays and bases."""
    directory = posixpath.dirname(rel)
    _, _, labels, line = _kustomization(text)
    return Kustomize(
        loc=Loc(rel, line, 1),
        deploys=[posixpath.normpath(posixpath.join(directory, t)) for t in kustomize_references(text)],
        labels={key: value for key, (value, _) in labels.items()},
        label_locs={key: Loc(rel, at, 1) for key, (_, at) in labels.items()},
    )


@lru_cache(maxsize=1)
def _first_mapping(text: str) -> LMap | None:
    """A kustomization's document (empty when it is no mapping), None when it does not parse. Its
    references, namespace and labels are read one after the other: one parse for them all."""
    from nhilint.parse.yaml import parse_yaml

    try:
        docs = parse_yaml(text)
    except ParseError:
        return None
    return docs[0] if docs and isinstance(docs[0], LMap) else LMap()


@lru_cache(maxsize=64)
def _kustomization(
    text: str,
) -> tuple[str | None, frozenset[str], dict[str, tuple[str, int]], int]:
    """(namespace, files listed in `resources:`, labels and annotations it sets with their lines,
    the `resources:` line) of a kustomization's text."""
    doc = _first_mapping(text)
    if doc is None:
        return None, frozenset(), {}, 1
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
