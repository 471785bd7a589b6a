"""Kubernetes manifests (YAML or JSON, one object or many), kustomizations, and Helm charts'
unrendered templates (`helm_template`, a format of its own)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from nhilint.formats.base import Format, Pulled, SourceFile
from nhilint.knowledge.credential_names import lazy
from nhilint.parse.blocks import yaml_extents

if TYPE_CHECKING:
    from nhilint.facts import Kustomize

_API_VERSION_YAML = lazy(r"^apiVersion\s*:", re.M)
_KIND_YAML = lazy(r"^kind\s*:", re.M)
_API_VERSION_JSON = lazy(r"\"apiVersion\"\s*:")
_KIND_JSON = lazy(r"\"kind\"\s*:")


def _by_words(name: str, head: str) -> bool:
    if name.endswith(".json"):
        return bool(_API_VERSION_JSON().search(head) and _KIND_JSON().search(head))
    return bool(_API_VERSION_YAML().search(head) and _KIND_YAML().search(head))


def _by_shape(top: Mapping[str, object]) -> bool:
    return "apiVersion" in top and "kind" in top


def _kustomizations(files: list[SourceFile], pulled: Pulled) -> None:
    """What each kustomization deploys (`resources`, `bases`, `components`), for production.lower,
    and the facts of them all, for the lifecycle rules (overlays and bases). A kustomization is one
    with or without `kind: Kustomization` (with it, it reads as Kubernetes)."""
    from nhilint.formats.kubernetes.kustomize import KUSTOMIZATIONS, kustomize_fact, kustomize_references

    facts: dict[str, Kustomize] = {}
    for file in files:
        if posixpath.basename(file.rel) in KUSTOMIZATIONS:
            directory = posixpath.dirname(file.rel)
            targets = kustomize_references(file.text)
            pulled.deploys.setdefault(file.rel, []).extend(posixpath.join(directory, t) for t in targets)
            facts[file.rel] = kustomize_fact(file.rel, file.text)  # its text just parsed, still at hand
    pulled.facts += [facts[rel] for rel in sorted(facts)]


FORMAT = Format(
    name="kubernetes",
    title="Kubernetes",
    noun="kubernetes object",
    tags_at_place=("kustomization", "labels in the {place} that lists them"),
    # no kustomization lists the file: it is applied as one unit (`kubectl apply -f`), like a stack
    tags_at_file=("kubernetes-manifest-file", "labels in a kustomization that lists {file}, or on each"),
    language="yaml",
    extractor="nhilint.formats.kubernetes.extract",
    suffixes=(".yaml", ".yml", ".json"),
    mentions="apiVersion",
    by_shape=_by_shape,
    by_words=_by_words,
    telltales="apiVersion",
    block_suffixes=(".yaml", ".yml"),
    block_extents=yaml_extents,
    reads_all=_kustomizations,
)
