"""JSON text to the located tree (`LMap` / `LSeq` / plain scalars, 1-based positions).

`json.loads` (C) runs first: it decides what is valid JSON (a trailing comma or a comment is a
ParseError at the line and column it reports). A small iterative scanner then re-reads the accepted
text with positions, using the `json` module's own string scanner (C) and number grammar, so
strings (`\\/`, surrogate pairs), numbers, NaN/Infinity and keys of any length come out exactly
as `json.loads` gives them.

Why not libyaml, as for YAML? It refuses or mis-reads some valid JSON (keys over 1024 characters,
`\\ud83d\\ude00`, a raw U+2028 folded to a space, NaN) and, measured on a 5 MB CloudFormation
template, this scanner is faster anyway (~6.5 MB/s against ~5 MB/s for the YAML event path).

A leading BOM is ignored. Duplicate keys: the later one wins, as in `json.loads`, and each is
recorded (`parse_json_with_duplicates`). Nesting deeper than `MAX_DEPTH` is a ParseError; more than
YAML's `MAX_NODES` values in one file is `TooComplex` (memory stays bounded per file, as for YAML).
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from nhilint.parse import ParseError, TooComplex, gc_paused
from nhilint.parse.tree import LMap, LSeq, Pos
from nhilint.parse.yaml_builder import MAX_DEPTH, MAX_NODES, DuplicateKey

_WS = re.compile(r"[ \t\n\r]*")
_WS_CHARS = frozenset(" \t\n\r")
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_new_pos = tuple.__new__  # Pos(...) without NamedTuple's Python-level __new__
_LITERALS = {
    "true": True,
    "false": False,
    "null": None,
    "NaN": float("nan"),
    "Infinity": float("inf"),
    "-Infinity": float("-inf"),
}


def parse_json(text: str) -> Any:
    """One JSON value as an LMap/LSeq/scalar with positions. Raises ParseError."""
    return parse_json_with_duplicates(text)[0]


def parse_json_with_duplicates(text: str) -> tuple[Any, list[DuplicateKey]]:
    """One JSON value with positions, and every duplicate key (all in document 0)."""
    import json

    text = text.removeprefix("\ufeff")
    try:
        plain = json.loads(text)  # validates; the scanner below trusts it
    except json.JSONDecodeError as exc:
        raise ParseError(exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # a number past Python's int-conversion limit (4,300 digits)
        raise ParseError(f"unreadable JSON value ({type(exc).__name__})") from None
    if not isinstance(plain, (dict, list)):
        return plain, []
    with gc_paused():
        return _Scanner(text).run()


class _Scanner:
    """A position-tracking reader for text `json.loads` has already accepted."""

    def __init__(self, text: str) -> None:
        from json.decoder import scanstring  # type: ignore[attr-defined]  # the C scanner when built

        self.text = text
        self.scanstring = scanstring
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.duplicates: list[DuplicateKey] = []
        self.nodes_left = MAX_NODES

    def pos(self, index: int) -> Pos:
        line = bisect.bisect_right(self.line_starts, index)
        return _new_pos(Pos, (line, index - self.line_starts[line - 1] + 1))

    def skip(self, index: int) -> int:
        if self.text[index : index + 1] not in _WS_CHARS:
            return index
        return _WS.match(self.text, index).end()  # type: ignore[union-attr]

    def run(self) -> tuple[Any, list[DuplicateKey]]:
        """Read values iteratively (an explicit stack, so depth costs no recursion)."""
        text = self.text
        stack: list[list[Any]] = []  # [container, pending key, its position]
        index = self.skip(0)
        while True:
            self.nodes_left -= 1
            if self.nodes_left < 0:
                line, col = self.pos(index)
                raise TooComplex(
                    f"too complex to read: more than {MAX_NODES:,} JSON values in one file", line, col
                )
            char = text[index]
            if char in "{[":
                if len(stack) >= MAX_DEPTH:
                    line, col = self.pos(index)
                    raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels", line, col)
                container = LMap(self.pos(index)) if char == "{" else LSeq(self.pos(index))
                index = self.skip(index + 1)
                if text[index] not in "}]":
                    stack.append([container, None, None])
                    if char == "{":
                        index = self.key(stack[-1], index)
                    continue
                container.end_line = self.pos(index).line
                index += 1
                value: Any = container
                where = container.pos
            else:
                value, end = self.scalar(index)
                where, index = self.pos(index), end
            while stack:  # put the value in its container, then close every container that ends
                frame = stack[-1]
                self.store(frame, value, where)
                index = self.skip(index)
                if text[index] == ",":
                    index = self.skip(index + 1)
                    if type(frame[0]) is LMap:
                        index = self.key(frame, index)
                    break
                index += 1
                value = stack.pop()[0]
                value.end_line = self.pos(index - 1).line
                where = value.pos
            else:
                return value, self.duplicates

    def key(self, frame: list[Any], index: int) -> int:
        """Read `"key":` at index into the frame; return where its value starts."""
        frame[2] = self.pos(index)
        frame[1], index = self.scanstring(self.text, index + 1)
        return self.skip(self.skip(index) + 1)

    def store(self, frame: list[Any], value: Any, where: Pos) -> None:
        container = frame[0]
        if type(container) is LSeq:
            container.push(value, where)
            return
        key = frame[1]
        if key in container:
            self.duplicates.append(DuplicateKey(key, frame[2], container.key_pos[key], 0))
            container.shadow(key)
        container.put(key, value, frame[2], where)

    def scalar(self, index: int) -> tuple[Any, int]:
        text = self.text
        if text[index] == '"':
            return self.scanstring(text, index + 1)
        number = _NUMBER.match(text, index)
        if number is None or text.startswith("-Infinity", index):
            for word, value in _LITERALS.items():
                if text.startswith(word, index):
                    return value, index + len(word)
            line, col = self.pos(index)  # json.loads accepted the text, so this cannot happen
            raise ParseError("JSON value expected", line, col)
        integer, fraction, exponent = number.groups()
        if fraction or exponent:
            return float(number.group()), number.end()
        return int(integer), number.end()
