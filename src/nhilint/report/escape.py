"""Untrusted text (file names, resource names, values quoted in messages) made safe for each output.

Every renderer that writes text a human or a tool will read goes through here, so a name in a
scanned repository can never break a line, drive a terminal, issue a GitHub workflow command,
forge a summary, ping a team, render HTML or run a spreadsheet formula.
"""

from __future__ import annotations

import re

# Line breaks as any reader may see them: LF, CR, VT, FF, NEL, the file/group/record separators
# and U+2028/U+2029 (Python's str.splitlines() list).
_LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
# A line the GitHub runner would read as a workflow command (`::cmd::`, legacy `##[cmd]`), after the
# leading whitespace it trims.
_COMMAND_START = re.compile(r"^( *)(::|##\[)")
# Cells a spreadsheet would evaluate (OWASP "CSV injection"); plain numbers such as `-3` stay numbers.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """`text` with every character that is not printable escaped as `\\xNN`/`\\uNNNN`.

    Not printable (Python's definition): controls including LF, CR and TAB, format characters (bidi
    overrides and isolates, zero-width characters), line and paragraph separators, lone
    surrogates, unassigned and private-use code points, and every space but U+0020.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape_char(c) for c in text)


def terminal_line(text: str) -> str:
    """`printable(text)`, and never the start of a GitHub workflow command when it begins a line."""
    return _COMMAND_START.sub(lambda m: m[1] + _escape_char(m[2][0]) + m[2][1:], printable(text))


def one_line(text: str) -> str:
    """Every run of line breaks collapsed to one space, then the rest made printable."""
    return printable(_LINE_BREAKS.sub(" ", text))


def code_span(text: str, in_table: bool = False) -> str:
    """Markdown inline code: no HTML, link, image, emphasis, @mention or autolink is live inside.

    The fence is one backtick longer than the longest run inside; in a table cell `|` is escaped,
    which GitHub's table parser needs even inside code.
    """
    text = one_line(text)
    if not text:
        return ""
    if in_table:
        text = text.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: formula starters get a leading `'` (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
