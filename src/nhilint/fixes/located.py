"""What the span fixers share: re-reading a file with the format's own parser (so positions match
the findings'), walking its located tree, and finding a literal's exact span in the text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nhilint.fixes.text import Text
from nhilint.formats.base import SourceFile
from nhilint.parse.tree import Block, LMap, LSeq, Pos

# A one-line literal as written: a double- or single-quoted string without escapes, or a plain number
# that ends where a YAML/HCL token ends.
_QUOTED = re.compile(r"\"([^\"\\\n$%{}]*)\"|'([^'\n]*)'")
_NUMBER = re.compile(r"[0-9]+(?=[ \t\r\n,}\]#]|$)")


def documents(fmt: str, rel: str, text: str) -> list[Any]:
    """The file's parsed documents (YAML/JSON: located trees; Terraform: its body `Block`), or []
    when it does not parse: a file we cannot read is a file we do not edit."""
    try:
        if fmt == "kubernetes":
            from nhilint.formats.kubernetes.extract import objects, parse

            docs, errors = parse(SourceFile(rel, fmt, text))
            return [] if errors else list(objects(docs))
        if fmt == "cloudformation":
            from nhilint.formats.cloudformation.extract import parse as parse_template

            doc = parse_template(SourceFile(rel, fmt, text))
            return [doc] if isinstance(doc, LMap) else []
        if fmt == "terraform" and rel.endswith(".tf"):
            from nhilint.parse.hcl import parse_hcl

            body, problems = parse_hcl(text)
            return [] if problems else [body]
    except Exception:  # ParseError and friends: no edit
        return []
    return []


def mappings(node: Any) -> Iterator[LMap]:
    """Every mapping in a located tree (HCL blocks' attributes included), outermost first."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Block):
            stack.extend(reversed([item.attrs, *item.blocks]))
        elif isinstance(item, LMap):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, LSeq):
            stack.extend(reversed(list(item)))


def blocks(node: Block) -> Iterator[Block]:
    """Every HCL block under `node`."""
    for block in node.blocks:
        yield block
        yield from blocks(block)


def literal_span(text: Text, pos: Pos, value: Any) -> tuple[int, int, str] | None:
    """(start, end, quote) of the one-line literal written at `pos` that reads as `value` (quote is
    `"`, `'` or "" for a plain number); None for anything else (a reference, an alias, an escape)."""
    if pos.line > len(text.lines):
        return None
    line = text.line(pos.line)
    at = pos.col - 1
    quoted = _QUOTED.match(line, at)
    if quoted:
        inner = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
        if isinstance(value, str) and inner == value:
            return text.offset(pos.line, pos.col), text.offset(pos.line, quoted.end() + 1), line[at]
        return None
    number = _NUMBER.match(line, at)
    if number and isinstance(value, int) and not isinstance(value, bool) and int(number.group()) == value:
        return text.offset(pos.line, pos.col), text.offset(pos.line, number.end() + 1), ""
    return None
