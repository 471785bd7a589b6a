"""JSON with comments (JSONC) to plain JSON of the same length, for the JSON parser.

VS Code's `mcp.json` and settings, and Gemini CLI's `settings.json`, are JSONC: `//` and `/* */`
comments and trailing commas are allowed. Every comment character and every trailing comma is
replaced by a blank (line breaks stay), so the text keeps its length and every value keeps its line
and column: the JSON parser then reports exact positions, and its errors point at the real place.

One linear pass, no regular expression: strings (with their escapes) are copied untouched, so a
`//` inside `"https://..."` is text, not a comment. An unterminated block comment blanks the rest of
the file; the parser then says what is missing.
"""

from __future__ import annotations


def blank_comments(text: str) -> str:
    """`text` with JSONC comments and trailing commas blanked, same length and line breaks."""
    if "/" not in text and "," not in text:
        return text
    out = list(text)
    n = len(text)
    i = 0
    last_comma = -1  # index of a comma not yet followed by a value: trailing if `}` or `]` comes next
    while i < n:
        c = text[i]
        if c == '"':
            last_comma = -1
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
        elif c == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            _blank(out, text, i, end)
            i = end
        elif c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            _blank(out, text, i, end)
            i = end
        elif c == ",":
            last_comma = i
            i += 1
        elif c in "}]":
            if last_comma >= 0:
                out[last_comma] = " "
            last_comma = -1
            i += 1
        else:
            if not c.isspace():
                last_comma = -1
            i += 1
    return "".join(out)


def _blank(out: list[str], text: str, start: int, end: int) -> None:
    for j in range(start, end):
        if text[j] not in "\r\n":
            out[j] = " "
