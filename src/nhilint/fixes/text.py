"""Span arithmetic on a file's text: offsets of lines and columns, indentation, the file's newline.

Positions come from our parsers (1-based lines and columns, `nhilint.parse.tree.Pos`); an edit is a
character span (`Edit`), so a fixer never re-emits text it does not change.
"""

from __future__ import annotations

import re
from functools import cached_property

from nhilint.fixes.base import Edit, FixConflict

_INDENT = re.compile(r"[ \t]*")
_LINE = re.compile(r"[^\n]*\n|[^\n]+")  # a line and its "\n" ("\r\n" kept whole)
# Line breaks our parsers and a line-by-line edit may count differently: such a file is not edited.
ODD_BREAKS = re.compile("\r(?!\n)|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


class Text:
    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def lines(self) -> list[str]:
        """The lines with their line endings (the last may have none)."""
        return _LINE.findall(self.text) or [""]

    @cached_property
    def starts(self) -> list[int]:
        offsets, at = [], 0
        for line in self.lines:
            offsets.append(at)
            at += len(line)
        return offsets

    @cached_property
    def newline(self) -> str:
        """The file's line ending: its first line's (CRLF kept), else LF."""
        first = self.lines[0]
        return "\r\n" if first.endswith("\r\n") else "\n"

    def line(self, number: int) -> str:
        """Line `number` (1-based) without its line ending."""
        return self.lines[number - 1].rstrip("\r\n")

    def offset(self, line: int, col: int = 1) -> int:
        """The character offset of a 1-based line and column."""
        if line > len(self.lines):
            return len(self.text)
        return self.starts[line - 1] + col - 1

    def line_end(self, line: int) -> int:
        """The offset just before line `line`'s line ending."""
        return self.starts[line - 1] + len(self.line(line))

    def indent(self, line: int) -> str:
        match = _INDENT.match(self.line(line))
        return match.group(0) if match else ""

    def insert_lines(self, before: int, lines: list[str]) -> Edit:
        """Insert whole lines before line `before` (len(lines)+1: at the end), in the file's newline."""
        body = "".join(line + self.newline for line in lines)
        if before > len(self.lines):
            if self.text and not self.text.endswith(("\n", "\r")):  # it ends with no newline: so it stays
                body = "".join(self.newline + line for line in lines)
            return Edit(len(self.text), len(self.text), body)
        at = self.starts[before - 1]
        return Edit(at, at, body)

    def delete_lines(self, first: int, last: int) -> Edit:
        """Delete lines first..last (1-based, inclusive) with their line endings."""
        end = self.starts[last] if last < len(self.lines) else len(self.text)
        return Edit(self.starts[first - 1], end, "")

    def replace_line(self, number: int, new: str) -> Edit:
        """Replace line `number`'s text, keeping its line ending."""
        return Edit(self.starts[number - 1], self.line_end(number), new)


def apply(text: str, edits: list[Edit]) -> str:
    """`text` with `edits` made; overlapping edits raise FixConflict (two inserts at one point do not
    overlap: they are made in the order given)."""
    ordered = sorted(enumerate(edits), key=lambda e: (e[1].start, e[1].end, e[0]))
    out, at = [], 0
    for _, edit in ordered:
        if edit.start < at or edit.end < edit.start or edit.end > len(text):
            raise FixConflict(f"edit {edit.start}..{edit.end} overlaps an earlier one")
        out.append(text[at : edit.start])
        out.append(edit.new)
        at = edit.end
    out.append(text[at:])
    return "".join(out)
