"""Suppressions as accountable exceptions: every ignore names its rules and says why.

Two sources:
* inline comments, `# nhilint: ignore[NHI101,NHI102] reason expires=2025-12-31` (`#` in HCL and
  YAML, `//` in HCL). Written at the end of a line, the comment covers that line; on a line of
  its own, it covers the next line that is not a comment. When that line opens a block (HCL `{`,
  a YAML key with nothing after the colon, a YAML list item `- `), it covers the whole block.
* `Suppression` facts from extractors (Kubernetes annotation `nhilint.io/ignore`, CloudFormation
  resource `Metadata.nhilint.ignore`), covering their object's line range.

An ignore without a reason, with an unknown rule ID or a malformed date suppresses nothing and is
reported as NHI002; so is an expired one (its findings come back), and with `report_unused` one
that no longer hides anything. NHI002 itself cannot be suppressed inline (use `ignore:` in the
configuration).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date

from msgspec import Struct, field

from nhilint.catalogue import Check
from nhilint.config import Config
from nhilint.facts import Fact, Loc, Suppression
from nhilint.findings import Finding
from nhilint.formats.registry import FORMATS

RULE = "NHI002"
# Any format's comment marker starts an ignore in any file (a marker is not valid syntax elsewhere).
_MARKERS = tuple(dict.fromkeys(m for f in FORMATS for m in f.comment_markers))
_COMMENT = re.compile(
    rf"(?:{'|'.join(map(re.escape, _MARKERS))})\s*nhilint:\s*ignore\[(?P<rules>[^\]]*)\](?P<rest>.*)$",
    re.IGNORECASE,
)
_EXPIRES = re.compile(r"\bexpires=(?P<date>\S*)")
_RULE_ID = re.compile(r"NHI\d{3}")
_EXAMPLE = "# nhilint: ignore[NHI101] test fixture, not a real key"


class Ignore(Struct):
    loc: Loc  # where the ignore is written
    rules: tuple[str, ...]
    reason: str
    expires: str | None
    start: int  # first and last line it covers
    end: int
    headers: tuple[int, ...] = ()  # header lines of the blocks an end-of-line ignore sits in
    used: set[str] = field(default_factory=set)


def collect(lines: Mapping[str, list[str]], facts: Iterable[Fact]) -> list[Ignore]:
    """Every ignore in the scanned files: inline comments, then extractor-provided ones."""
    found = [ignore for file, text in lines.items() for ignore in inline(file, text)]
    for fact in facts:
        if isinstance(fact, Suppression):
            start = fact.start_line or fact.loc.line
            found.append(
                Ignore(
                    fact.loc,
                    tuple(fact.rules),
                    fact.reason.strip(),
                    fact.expires,
                    start,
                    max(fact.end_line or start, start),
                )
            )
    return found


def _may_hold_ignore(lines: list[str]) -> bool:
    """Whether any line may match `_COMMENT`, which needs `nhilint` in any case: a substring test of
    the lowered text (4x faster than searching each line). Under IGNORECASE `i` also matches `İ` and
    `ı`, which `lower()` does not turn into `i`: a file holding either is searched line by line."""
    text = "\n".join(lines)
    return "nhilint" in text.lower() or "\u0130" in text or "\u0131" in text


def inline(file: str, lines: list[str]) -> Iterator[Ignore]:
    """The ignore comments of one file. Most files have none: they cost one lowered copy of the text."""
    if not _may_hold_ignore(lines):
        return
    found = [(index, match) for index, line in enumerate(lines) if (match := _COMMENT.search(line))]
    if not found:
        return
    extents = block_extents(file, lines)
    next_code = _next_code_lines(lines)
    trailing = sorted(index + 1 for index, match in found if lines[index][: match.start()].strip())
    headers = _enclosing_headers(extents, trailing)
    for index, match in found:
        rest = match["rest"]
        expires = _EXPIRES.search(rest)
        reason = _EXPIRES.sub("", rest).strip().lstrip(":-–— ").strip()
        rules = tuple(r.strip().upper() for r in match["rules"].split(",") if r.strip())
        at_end = bool(lines[index][: match.start()].strip())
        target = index + 1 if at_end else next_code[index] + 1
        yield Ignore(
            Loc(file, index + 1, match.start() + 1),
            rules,
            reason,
            expires["date"] if expires else None,
            target,
            target if at_end else max(target, extents.get(target, target)),
            headers.get(target, ()) if at_end else (),
        )


def _next_code_lines(lines: list[str]) -> list[int]:
    """For each line, the next line (0-based) after it that is not a comment, or the line itself at
    the end: the line a standalone comment is about (ignores stack). One backward pass."""
    result = list(range(len(lines)))
    following: int | None = None
    for index in range(len(lines) - 1, -1, -1):
        if following is not None:
            result[index] = following
        if not lines[index].lstrip().startswith(_MARKERS):
            following = index
    return result


def block_extents(file: str, lines: list[str]) -> dict[int, int]:
    """First line -> last line of each block, object, list, key or list item that starts on a line,
    from the parser's tree (HCL blocks and values; YAML entries up to the next sibling)."""
    extents: dict[int, int] = {}

    def add(start: int, end: int) -> None:
        if end > start and end > extents.get(start, start):
            extents[start] = end

    extents_of = next((f.block_extents for f in FORMATS if file.endswith(f.block_suffixes)), None)
    if extents_of is not None:
        extents_of("\n".join(lines), add)
    return extents


def _enclosing_headers(extents: dict[int, int], lines: list[int]) -> dict[int, tuple[int, ...]]:
    """For each of the sorted `lines`, the first lines of the extents that hold it (their headers,
    where findings about the whole block are reported). One sweep with a stack of open extents."""
    spans = sorted(extents.items())
    result: dict[int, tuple[int, ...]] = {}
    stack: list[tuple[int, int]] = []
    i = 0
    for line in lines:
        while i < len(spans) and spans[i][0] < line:
            while stack and stack[-1][1] < spans[i][0]:
                stack.pop()
            stack.append(spans[i])
            i += 1
        while stack and stack[-1][1] < line:
            stack.pop()
        result[line] = tuple(start for start, end in stack if start < line <= end)
    return result


def problem(ignore: Ignore, checks: dict[str, Check], today: date) -> str | None:
    """Why an ignore must not suppress anything, or None when it is valid and current."""
    named = ", ".join(ignore.rules) or "nothing"
    if not ignore.rules:
        return f"this suppression names no rule: write the IDs it is for, e.g. `{_EXAMPLE}`."
    for rule_id in ignore.rules:
        if not _RULE_ID.fullmatch(rule_id) or rule_id not in checks:
            return f"this suppression names {rule_id!r}, which is not a rule ID; `nhilint rules` lists them."
    if not ignore.reason:
        return (
            f"suppression of {named} has no reason, so it suppresses nothing: say why after the "
            f"bracket, e.g. `{_EXAMPLE}`."
        )
    if ignore.expires is not None:
        try:
            expiry = date.fromisoformat(ignore.expires)
        except ValueError:
            return f"suppression of {named} has expires={ignore.expires!r}, not a YYYY-MM-DD date."
        if expiry < today:
            return (
                f"suppression of {named} EXPIRED on {expiry.isoformat()}: what it hid is reported "
                "again; fix it, or renew the date with a current reason."
            )
    return None


def apply(
    findings: list[Finding],
    ignores: list[Ignore],
    config: Config,
    checks: dict[str, Check],
    today: date,
    report_unused: bool = False,
) -> list[Finding]:
    """Mark the findings valid ignores cover (in place); return NHI002 findings about the ignores."""
    valid = []
    reports: list[tuple[Loc, str]] = []
    for ignore in ignores:
        reason = problem(ignore, checks, today)
        if reason is None:
            valid.append(ignore)
        else:
            reports.append((ignore.loc, reason))
    for finding, covering in _covering(findings, valid):
        for ignore in covering:
            if finding.rule_id in ignore.rules:
                ignore.used.add(finding.rule_id)
                if finding.suppression is None:
                    finding.suppression = ignore.reason
    if report_unused:
        reports.extend(_unused(valid, config))
    if RULE not in checks or not config.enabled(RULE):
        return []
    return [_finding(checks[RULE], config, loc, message) for loc, message in reports]


def _covering(findings: list[Finding], ignores: list[Ignore]) -> Iterator[tuple[Finding, list[Ignore]]]:
    """Each finding in a file with ignores, with the ignores whose lines hold it (in their order).

    Lines covered are nested or disjoint ranges (a line, a block), so one sweep per file over the
    findings in line order, with a stack of the open ranges, costs ~O(findings + ignores)."""
    ranges: dict[str, dict[tuple[int, int], list[Ignore]]] = defaultdict(lambda: defaultdict(list))
    for ignore in ignores:
        ranges[ignore.loc.file][(ignore.start, ignore.end)].append(ignore)
        for header in ignore.headers:
            ranges[ignore.loc.file][(header, header)].append(ignore)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.loc.file in ranges:
            by_file[finding.loc.file].append(finding)
    order = {id(ignore): n for n, ignore in enumerate(ignores)}
    for file, found in by_file.items():
        spans = sorted(ranges[file].items(), key=lambda item: (item[0][0], -item[0][1]))
        stack: list[tuple[tuple[int, int], list[Ignore]]] = []
        i = 0
        for finding in sorted(found, key=lambda f: f.loc.line):
            line = finding.loc.line
            while i < len(spans) and spans[i][0][0] <= line:
                while stack and stack[-1][0][1] < spans[i][0][0]:  # keep a chain of nested ranges
                    stack.pop()
                stack.append(spans[i])
                i += 1
            while stack and stack[-1][0][1] < line:
                stack.pop()
            covering = [ig for (start, end), group in stack if start <= line <= end for ig in group]
            yield finding, sorted(covering, key=lambda ig: order[id(ig)])


def _unused(valid: list[Ignore], config: Config) -> Iterator[tuple[Loc, str]]:
    for ignore in valid:
        # a rule that did not run cannot tell whether its ignore is still needed
        unused = [r for r in ignore.rules if r not in ignore.used and config.enabled(r)]
        if unused:
            yield (
                ignore.loc,
                (
                    f"unused suppression of {', '.join(unused)}: nothing here is reported by "
                    "it any more; remove it so it cannot hide a future finding."
                ),
            )


def _finding(check: Check, config: Config, loc: Loc, message: str) -> Finding:
    return Finding(
        rule_id=check.id,
        slug=check.slug,
        severity=config.severity.get(check.id, check.severity),
        message=message,
        loc=loc,
        suggestion=check.suggestion(),
    )
