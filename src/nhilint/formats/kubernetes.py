"""Kubernetes manifests (multi-document YAML, `kind: List`, JSON) to facts."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

from nhilint.facts import Fact, StringValue
from nhilint.formats import Extraction, SourceFile
from nhilint.formats.walk import string_values
from nhilint.tree import LMap, LSeq


def parse(file: SourceFile) -> list[Any]:
    if file.rel.endswith(".json"):
        from nhilint.parse.json import parse_json

        return [parse_json(file.text)]
    from nhilint.parse.yaml import parse_yaml

    return parse_yaml(file.text)


def objects(docs: list[Any]) -> Iterator[LMap]:
    """Every manifest object, with `kind: *List` expanded."""
    for doc in docs:
        if not isinstance(doc, LMap):
            continue
        items = doc.get("items")
        if str(doc.get("kind", "")).endswith("List") and isinstance(items, LSeq):
            yield from (item for item in items if isinstance(item, LMap))
        elif "kind" in doc:
            yield doc


def name_of(obj: LMap) -> str:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, LMap) else None
    return f"{obj.get('kind', 'Object')}/{name if isinstance(name, str) else '?'}"


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    result = Extraction()
    for obj in objects(parse(file)):
        result.facts.extend(object_strings(file, obj))
    return result


def object_strings(file: SourceFile, obj: LMap) -> Iterator[Fact]:
    """Literal strings of an object for NHI101; a Secret's `data` is base64-decoded first."""
    identity = name_of(obj)
    for key, value in obj.items():
        if key == "data" and obj.get("kind") == "Secret" and isinstance(value, LMap):
            for name, encoded in value.items():
                decoded = _b64(encoded)
                if decoded is not None:
                    yield StringValue(loc=file.loc(*value.vpos(name)), key=str(name), value=decoded,
                                      path=f"data.{name}", identity=identity, context="secret-data")
            continue
        context = "secret-data" if key == "stringData" else "attribute"
        yield from string_values(file, value, obj.vpos(key), context, path=str(key), identity=identity)


def _b64(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
