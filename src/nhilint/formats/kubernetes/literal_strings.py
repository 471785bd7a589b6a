"""The literal strings of a Kubernetes object, for the secret detectors (NHI101)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

from nhilint.facts import Fact, StringValue
from nhilint.formats import SourceFile
from nhilint.formats.kubernetes.manifest import name_of
from nhilint.formats.kubernetes.workloads import env_literals
from nhilint.formats.walk import string_values
from nhilint.parse.tree import LMap


def object_strings(file: SourceFile, obj: LMap) -> Iterator[Fact]:
    """Literal strings of an object for NHI101: a Secret's `data` is base64-decoded first, an env
    value is keyed by its variable name, and `valueFrom`/`envFrom` references are skipped."""
    identity = name_of(obj)
    env_names = {(p.line, p.col): name for name, _, p in env_literals(obj)}
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
