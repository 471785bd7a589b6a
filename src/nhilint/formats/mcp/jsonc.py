"""JSON with comments (JSONC) to plain JSON of the same length, for the JSON parser.

VS Code's `mcp.json` and settings, and Gemini CLI's `settings.json`, are JSONC: `//` and `/* */`
comments and trailing commas are allowed. Every comment character and every trailing comma is
replaced by a blank (line breaks stay), so the text keeps its length and every value keeps its line
and column: the JSON parser then reports exact positions, and its errors point at the real place.

Two passes of regular expressions whose every branch is linear (comments, then the trailing commas
comments may have hidden from their bracket): strings (with their escapes) are kept whole, so a
`//` inside `"https://..."` is text, not a comment. An unterminated string runs to the end of its
line, an unterminated block comment to the end of the file; the parser then says what is missing.
"""

from __future__ import annotations

import re

# A string (kept whole, escapes included; an unterminated one runs to the end of its line), or a
# comment. Unrolled loops: the engine runs each span in C, linear in the text.
_STRING = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?'
_COMMENT = re.compile(_STRING + r"|//[^\n]*|/\*.*?(?:\*/|\Z)", re.S)
_TRAILING_COMMA = re.compile(_STRING + r"|,(?=\s*[}\]])")
_LINE_BREAKS = re.compile(r"[^\r\n]")
_MAYBE_JSONC = re.compile(r"//|/\*|,\s*[}\]]")


def blank_comments(text: str) -> str:
    """`text` with JSONC comments and trailing commas blanked, same length and line breaks."""
    if not _MAYBE_JSONC.search(text):
        return text  # strict JSON: no pass at all
    text = _COMMENT.sub(_blank_comment, text)
    return _TRAILING_COMMA.sub(_blank_comma, text)


def _blank_comment(m: re.Match[str]) -> str:
    found = m.group()
    return _LINE_BREAKS.sub(" ", found) if found.startswith(("//", "/*")) else found


def _blank_comma(m: re.Match[str]) -> str:
    return " " if m.group() == "," else m.group()
