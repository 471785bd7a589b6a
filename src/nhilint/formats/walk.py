"""Walking located YAML/JSON trees: every literal string with the key it is assigned to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.facts import StringValue
from nhilint.formats import SourceFile
from nhilint.parse.tree import LMap, LSeq, Pos, Tagged


def strings(node: Any, pos: Pos, key: str = "", path: str = "") -> Iterator[tuple[str, str, Pos, str]]:
    """(key, value, position, path) for every string under `node`; list items inherit their key."""
    stack: list[tuple[Any, Pos, str, str]] = [(node, pos, key, path)]
    while stack:  # iterative: hostile nesting must not exhaust the C stack
        value, where, name, at = stack.pop()
        if isinstance(value, str):
            yield name, value, where, at
        elif isinstance(value, LMap):
            named = named_value_key(value)
            for k, v in reversed(list(value.items())):
                own = named if named is not None and str(k).lower() == "value" else str(k)
                stack.append((v, value.vpos(k), own, f"{at}.{k}" if at else str(k)))
            # a value a duplicate key replaced: no setting, but a secret written there is committed
            for k, v, vpos in value.shadowed:
                stack.append((v, vpos, str(k), f"{at}.{k}" if at else str(k)))
        elif isinstance(value, LSeq):
            for i in reversed(range(len(value))):
                stack.append((value[i], value.ipos(i), name, f"{at}[{i}]"))
        elif isinstance(value, Tagged):
            stack.append((value.value, where, name, at))


def named_value_key(item: LMap) -> str | None:
    """The name of a `{name: X, value: Y}` item (Azure's list of variables, a container's
    environment, CloudFormation's `Name`/`Value` pairs): its value is judged as X's."""
    if len(item) != 2:
        return None
    keys = {str(k).lower(): k for k in item}
    name = item.get(keys["name"]) if set(keys) == {"name", "value"} else None
    return name if isinstance(name, str) and name else None


def string_values(
    file: SourceFile,
    node: Any,
    pos: Pos,
    context: str,
    path: str = "",
    identity: str | None = None,
    key: str = "",
) -> Iterator[StringValue]:
    seen: set[tuple[Pos, str, str]] = set()
    for name, value, where, at in strings(node, pos, key=key, path=path):
        if (where, name, value) in seen:  # an alias or a `<<:` merge reaches an anchor's literal again
            continue
        seen.add((where, name, value))
        yield StringValue(
            loc=file.loc(*where), key=name, value=value, path=at, identity=identity, context=context
        )
