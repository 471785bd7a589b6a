"""The source line of a finding as a report shows it: secrets hidden, controls escaped, bounded,
with the columns of the span to underline.

The line comes from the scan's own copy of each file (`ScanResult.lines`): nothing is read again.
`Loc` has a start column but no end column, so the span is the token a human would point at: a
quoted string up to its closing quote, else the rest of the line (a trailing comment aside).
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from msgspec import Struct

from nhilint.facts import Loc
from nhilint.knowledge.credential_names import is_reference_or_placeholder
from nhilint.knowledge.redaction import redact, redact_assigned, redact_secrets
from nhilint.knowledge.secrets import detect
from nhilint.quote import redact_snippet
from nhilint.report.escape import printable

MAX_COLUMNS = 200  # a snippet line is cut to this many columns, with an ellipsis
LONG_LINE = 1000  # longer lines (minified JSON) are cut to a window before anything else
_WINDOW_BEFORE = 100
_CONTEXT = 40  # columns kept before the span when a line is cut
_TAB = 4
_SEPARATOR = re.compile(r"[\s\"',;:{}\[\]()=<>]")
_QUOTED = re.compile(r""""(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?""")


class Snippet(Struct, frozen=True):
    text: str  # the line as shown: printable, no secret, at most MAX_COLUMNS columns
    start: int  # display column where the underline starts (0-based)
    width: int  # underline length in columns, at least 1


def snippet(
    lines: list[str], loc: Loc, secret_columns: Iterable[int] = (), unparsed: bool = False
) -> Snippet | None:
    """The line `loc` points at, or None when the scan holds no such line.

    `secret_columns` are 1-based columns on that line where a credential value starts (the places
    of credential findings): each value is cut to its redaction even when no detector recognises
    it; every credential a detector finds and every literal assigned to a credential-named field
    are cut too. In an `unparsed` file (one that could not be fully read) no structure tells a
    value from a name, so every word that could be a secret is cut.
    """
    if not 0 < loc.line <= len(lines):
        return None
    line = lines[loc.line - 1]
    start = min(max(loc.col - 1, 0), len(line))
    columns = [c - 1 for c in secret_columns]
    offset, length = 0, len(line)
    if length > LONG_LINE:  # only a window is ever shown; every word in it that could be a secret is cut
        offset = max(0, start - _WINDOW_BEFORE)
        if offset:  # never the tail of a word cut in two: its redaction would show a middle part
            boundary = _SEPARATOR.search(line, offset, start)
            offset = boundary.end() if boundary else start
        line = line[offset : offset + 2 * MAX_COLUMNS]
        start -= offset
        columns = [c - offset for c in columns]
    if line[start:].strip():  # a span is never leading whitespace
        start = len(line) - len(line[start:].lstrip())
    end = _span_end(line, start)
    hidden, first, last = _hidden(line, tuple(sorted(set(columns))), unparsed or length > LONG_LINE)
    new_end = last[end - 1] if end > start else first[start]
    return _shown(hidden, first[start], max(new_end, first[start]), offset > 0, offset + len(line) < length)


def _span_end(line: str, start: int) -> int:
    """Where the token at `start` ends: a quoted string's closing quote, else the line's end less a
    trailing comment or comma (linear: lines come from untrusted files)."""
    if start >= len(line):
        return start
    quoted = _QUOTED.match(line, start)
    if quoted:
        return quoted.end()
    rest = line[start:]
    comment = rest.find(" #")
    if comment > 0 and not any(q in rest[comment:] for q in "\"'"):
        rest = rest[:comment]
    return start + max(len(rest.rstrip().rstrip(",").rstrip()), 1)


@lru_cache(maxsize=64)  # several findings on one line share the work
def _hidden(line: str, columns: tuple[int, ...], cautious: bool) -> tuple[str, list[int], list[int]]:
    """`line` with no secret, and where each of its characters starts and ends in that text.

    The values at `columns` are cut (right to left, so none moves another), then whatever the
    detectors and the credential-named assignments reveal; `cautious`, every word that could be a
    secret.
    """
    hidden = line
    for column in reversed([c for c in columns if 0 <= c < len(line)]):
        end = _span_end(hidden, column)
        value = hidden[column:end]
        quoted = value[:1] in "\"'" and len(value) > 1 and value[-1] == value[0]
        inner = value[1:-1] if quoted else value.lstrip("\"'")
        if is_reference_or_placeholder(inner) and detect(inner) is None:
            continue  # `${{ secrets.PAT }}`, `var.token`: the name of a secret, not one
        opening = value[: len(value) - len(inner) - (1 if quoted else 0)]
        hidden = hidden[:column] + opening + redact(inner) + (value[-1] if quoted else "") + hidden[end:]
    hidden = redact_assigned(redact_secrets(hidden))
    if cautious:
        hidden = redact_snippet(hidden)
    return hidden, *_alignment(line, hidden)


def _alignment(before: str, after: str) -> tuple[list[int], list[int]]:
    """Where each character of `before` starts and ends in `after`, which cut parts of it (a
    replaced part maps onto its replacement). Only the middle that differs is diffed."""
    n, m = len(before), len(after)
    prefix = 0
    while prefix < min(n, m) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(n, m) - prefix and before[n - 1 - suffix] == after[m - 1 - suffix]:
        suffix += 1
    first = list(range(n + 1))
    last = list(range(1, n + 2))
    shift = m - n
    for i in range(n - suffix, n + 1):
        first[i], last[i] = i + shift, i + shift + 1
    middle = difflib.SequenceMatcher(None, before[prefix : n - suffix], after[prefix : m - suffix], False)
    for tag, i1, i2, j1, j2 in middle.get_opcodes():
        for i in range(i1, i2):
            same = j1 + i - i1
            first[prefix + i], last[prefix + i] = (
                (prefix + same, prefix + same + 1) if tag == "equal" else (prefix + j1, prefix + j2)
            )
    return first, last


def _shown(text: str, start: int, end: int, cut_before: bool, cut_after: bool) -> Snippet:
    """`text` escaped (tabs as spaces) and cut to MAX_COLUMNS, with the span in display columns."""
    pieces: list[str] = []
    columns = [0]  # display column where each character starts, then where the line ends
    for char in text:
        piece = " " * (_TAB - columns[-1] % _TAB) if char == "\t" else printable(char)
        pieces.append(piece)
        columns.append(columns[-1] + _width(piece))
    first = columns[start]
    last = columns[end] if end > start else first + 1
    if columns[-1] <= MAX_COLUMNS and not (cut_before or cut_after):
        return Snippet("".join(pieces).rstrip(), first, last - first)
    # cut: keep the span's start in view, with some context before it
    begin = bisect.bisect_left(columns, 0 if first < MAX_COLUMNS - _CONTEXT else first - _CONTEXT)
    begin = min(begin, len(pieces))
    lead = "…" if begin > 0 or cut_before else ""
    budget = MAX_COLUMNS - len(lead) - 1  # one column kept for the closing ellipsis
    stop = begin
    while stop < len(pieces) and columns[stop + 1] - columns[begin] <= budget:
        stop += 1
    tail = "…" if stop < len(pieces) or cut_after else ""
    origin = columns[begin] - len(lead)
    start_col = max(first - origin, len(lead) if begin > start else 0)
    end_col = min(last - origin, columns[stop] - origin + len(tail))
    body = lead + "".join(pieces[begin:stop]) + tail
    return Snippet(body, start_col, max(end_col - start_col, 1))


def _width(text: str) -> int:
    """Terminal columns: wide East Asian characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text
    )
