"""Where a CI fix may edit a YAML file: entries written as plain one-line `key: value` lines in block
mappings, located from our parser's positions.

Each helper answers None (no fix) for anything it cannot edit line by line without touching other
data: a flow mapping, an alias or anchor, a `<<:` merge, a multi-line or block scalar value.
"""

from __future__ import annotations

import re
from typing import Any

from nhilint.fixes.text import Text
from nhilint.parse import ParseError
from nhilint.parse.tree import LMap

_COMMENT_OR_BLANK = re.compile(r"\s*(?:#.*)?")
_ODD_VALUE = re.compile(r"[|>&*!]")  # block scalar, anchor, alias, tag


def load(text: str, last: bool = False) -> LMap | None:
    """The file's mapping (GitHub: its only document; GitLab, `last`: the last one), or None (also
    for a file with a duplicate key: which of the two a fix should edit is anyone's guess)."""
    from nhilint.parse.yaml import parse_yaml_with_duplicates

    try:
        found, duplicates = parse_yaml_with_duplicates(text, tags="gitlab" if last else "none")
    except (ParseError, ValueError):
        return None
    docs = [d for d in found if d is not None]
    if duplicates or not docs or (len(docs) > 1 and not last) or not isinstance(docs[-1], LMap):
        return None
    return docs[-1]


def shared_lines(text: str) -> set[int]:
    """Lines that hold an anchor or an alias: what is written there is shared with another place, so
    an edit there (or of the job around it) would change that place too."""
    import yaml

    lines: set[int] = set()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                lines.add(event.start_mark.line + 1)
    except yaml.YAMLError:
        lines.add(0)
    finally:
        loader.dispose()
    return lines


def unshared(text: str, first: int, last: int) -> bool:
    """No anchor or alias on lines first..last (and the file reads)."""
    lines = shared_lines(text)
    return 0 not in lines and not any(first <= line <= last for line in lines)


def block_map(text: Text, m: LMap) -> bool:
    """`m` is a block mapping whose own keys are each written on a line of their own, inside it."""
    first = text.line(m.pos.line)[m.pos.col - 1 : m.pos.col]
    if not m or first in ("{", "["):
        return False
    return all(
        m.pos.line <= m.kpos(k).line <= m.end_line
        and m.kpos(k).col == m.pos.col
        and text.line(m.kpos(k).line)[: m.pos.col - 1].strip(" -") == ""
        for k in m
    )


def child_map(text: Text, parent: LMap, key: Any) -> LMap | None:
    """`parent[key]` when it is a block mapping written below `key:` (no anchor, alias or tag)."""
    child = parent.get(key)
    if not isinstance(child, LMap) or not child or parent.vpos(key) != child.pos:
        return None
    if child.pos.line <= parent.kpos(key).line or child.pos.col <= parent.kpos(key).col:
        return None
    return child if block_map(text, child) else None


def one_line(text: Text, m: LMap, key: Any) -> int | None:
    """The line of `key: value` when that entry is a plain one-line scalar of block mapping `m`."""
    if key not in m or isinstance(m[key], (LMap, list)) or not block_map(text, m):
        return None
    line, value = m.kpos(key).line, m.vpos(key)
    if value.line != line or _ODD_VALUE.match(text.line(line)[value.col - 1 : value.col]):
        return None
    later = sorted(m.kpos(k).line for k in m if m.kpos(k).line > line)
    end = later[0] if later else m.end_line + 1
    if not later and m.end_line != line:
        return None
    if any(not _COMMENT_OR_BLANK.fullmatch(text.line(n)) for n in range(line + 1, end)):
        return None  # a plain scalar continued on the next lines
    return line


def indent(m: LMap) -> str:
    """The indentation of `m`'s keys."""
    return " " * (m.pos.col - 1)


def key_text(text: Text, m: LMap, key: Any) -> str:
    """How the file writes `key` (with its quotes), for lines that replace it."""
    line, col = m.kpos(key).line, m.kpos(key).col
    raw = text.line(line)[col - 1 :]
    quote = raw[:1]
    if quote in ("'", '"'):
        end = raw.find(quote, 1)
        return raw[: end + 1] if end > 0 else str(key)
    return str(key)


def unit(outer: LMap, key: Any) -> int:
    """The file's indent step, from `key` of `outer` to its block value (2 when it cannot tell)."""
    child = outer.get(key)
    if isinstance(child, LMap) and child.pos.line > outer.kpos(key).line:
        step = child.pos.col - outer.kpos(key).col
        if step > 0:
            return step
    return 2


def insertion_line(text: Text, m: LMap, before: Any) -> int:
    """The line to insert new entries of `m` at, just above key `before` and the comment lines that
    lead into it."""
    line = m.kpos(before).line
    while line - 1 > m.pos.line and text.line(line - 1).lstrip().startswith("#"):
        line -= 1
    return line
