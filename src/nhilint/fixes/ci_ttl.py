"""NHI303 in CI files (safe): lower the session lifetime a job asks for to the configured maximum
(`max-credential-ttl-seconds`): GitHub Actions' `role-duration-seconds` of
`configure-aws-credentials`, and `--duration-seconds N` on a GitHub Actions or GitLab CI script line.

Only a literal number (quoted or not) is edited: a value from an expression or a variable is set
elsewhere.
"""

from __future__ import annotations

import re

from nhilint.fixes.base import Edit, Fix, Fixer, FixInput
from nhilint.fixes.ci_yaml import load
from nhilint.fixes.located import literal_span, mappings
from nhilint.fixes.text import Text
from nhilint.parse.tree import Pos

_FLAG = re.compile(r"--duration-seconds(?:=|\s+)[\"']?(\d+)")
_SETTING = "role-duration-seconds"


def fix(given: FixInput) -> list[Fix]:
    text = Text(given.text)
    limit = given.options.max_ttl_seconds
    doc = load(given.text, last=given.format == "gitlab-ci")
    if doc is None:
        return []
    inputs = {
        m.kpos(_SETTING).line: (m.vpos(_SETTING), m[_SETTING])
        for m in mappings(doc)
        if _SETTING in m and given.format == "github-actions"
    }
    fixes = []
    for finding in given.findings:
        line = finding.loc.line
        if finding.cause is not None or line > len(text.lines):
            continue
        span = _input_span(text, *inputs[line], limit) if line in inputs else _flag_span(text, line, limit)
        if span is None:
            continue
        start, end, setting = span
        edit = Edit(start, end, str(limit))
        fixes.append(Fix("NHI303", "safe", f"lower `{setting}` to {limit} s", (edit,), (finding,)))
    return fixes


def _input_span(text: Text, pos: Pos, value: object, limit: int) -> tuple[int, int, str] | None:
    """The digits of `role-duration-seconds: N` (or `"N"`), when N is above `limit`."""
    span = literal_span(text, pos, value)
    number = int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else 0
    if span is None or number <= limit:
        return None
    start, end, quote = span
    return start + len(quote), end - len(quote), _SETTING


def _flag_span(text: Text, line: int, limit: int) -> tuple[int, int, str] | None:
    """The digits of the one `--duration-seconds N` of the script line a finding names, when N is above
    `limit`. A folded (`>`) script is one line to the extractor, at its first line: then the flag is
    looked for on the lines that continue it (indented as much at least)."""
    lines = [line]
    if not _FLAG.search(text.line(line)):
        depth = len(text.indent(line))
        while lines[-1] < len(text.lines) and len(text.indent(lines[-1] + 1)) >= depth > 0:
            if not text.line(lines[-1] + 1).strip():
                break
            lines.append(lines[-1] + 1)
    found = [(n, m) for n in lines for m in _FLAG.finditer(text.line(n))]
    if len(found) != 1 or int(found[0][1].group(1)) <= limit:
        return None
    number, match = found[0]
    start = text.offset(number) + match.start(1)
    return start, start + len(match.group(1)), "--duration-seconds"


FIXER = Fixer("ci-ttl", frozenset({"NHI303"}), frozenset({"github-actions", "gitlab-ci"}), "safe", fix)
