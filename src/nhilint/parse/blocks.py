"""The blocks of a file by the lines they span, for suppressions: an ignore written above a line that
opens a block covers the whole block. One function per syntax; a format names its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nhilint.parse import ParseError
from nhilint.parse.tree import Block, LMap, LSeq, Tagged

Add = Callable[[int, int], None]


def hcl_extents(text: str, add: Add) -> None:
    """HCL blocks and values (each `add(first line, last line)`)."""
    from nhilint.parse.hcl import parse_hcl  # tree-sitter: only for files that have ignores

    try:
        body, _ = parse_hcl(text)
    except (ParseError, RecursionError):  # the file is NHI001 anyway; its ignores cover their lines
        return
    stack: list[Any] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, Block):
            add(node.pos.line, node.end_line)
            stack.append(node.attrs)
            stack.extend(node.blocks)
        elif isinstance(node, LMap):
            for key, value in node.items():
                if isinstance(value, (LMap, LSeq)):
                    add(node.kpos(key).line, value.end_line)
                    stack.append(value)
        elif isinstance(node, LSeq):
            stack.extend(item for item in node if isinstance(item, (LMap, LSeq)))


def yaml_extents(text: str, add: Add) -> None:
    """YAML entries: an entry reaches the line before its next sibling (a block scalar ends there
    too); the last one reaches the end of its collection."""
    from nhilint.parse.yaml import parse_yaml_stream

    try:
        docs, _ = parse_yaml_stream(text)
    except (ParseError, RecursionError):
        return
    stack: list[Any] = list(docs)
    while stack:
        node = stack.pop()
        if isinstance(node, Tagged):
            stack.append(node.value)
        elif isinstance(node, (LMap, LSeq)):
            starts = [p.line for p in (node.key_pos.values() if isinstance(node, LMap) else node.item_pos)]
            for i, line in enumerate(starts):
                add(line, starts[i + 1] - 1 if i + 1 < len(starts) else node.end_line)
            stack.extend(node.values() if isinstance(node, LMap) else node)
