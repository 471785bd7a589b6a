"""Independent readers for fix tests: what changed in the data, read with ruamel.yaml and
python-hcl2 (not our parsers), so a fix is checked to change exactly the intended values."""

from __future__ import annotations

import io
from typing import Any

import hcl2
from ruamel.yaml import YAML

MISSING = "<missing>"


def yaml_docs(text: str) -> list[Any]:
    """Every document, as plain data (ruamel's round-trip loader: CloudFormation's `!Ref` is kept)."""
    return [_plain(doc) for doc in YAML(typ="rt").load_all(io.StringIO(text))]


def hcl_data(text: str) -> Any:
    return hcl2.load(io.StringIO(text))


def changes(before: Any, after: Any, path: str = "") -> dict[str, tuple[Any, Any]]:
    """path -> (old, new) of each leaf that differs (MISSING for an added or removed one)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: dict[str, tuple[Any, Any]] = {}
        for key in dict.fromkeys([*before, *after]):
            out.update(changes(before.get(key, MISSING), after.get(key, MISSING), f"{path}/{key}"))
        return out
    if isinstance(before, list) and isinstance(after, list):
        out = {}
        for index in range(max(len(before), len(after))):
            old = before[index] if index < len(before) else MISSING
            new = after[index] if index < len(after) else MISSING
            out.update(changes(old, new, f"{path}/{index}"))
        return out
    if before == MISSING and isinstance(after, dict | list):
        return changes({} if isinstance(after, dict) else [], after, path)
    return {} if before == after else {path: (before, after)}


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    for plain in (bool, int, float, str):  # ruamel's scalar subclasses (ScalarInt...) as plain values
        if isinstance(node, plain):
            return plain(node)
    if node is None:
        return None
    tag = getattr(getattr(node, "tag", None), "value", None)
    return f"{tag} {getattr(node, 'value', node)}" if tag else str(node)
