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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from nhilint.catalogue import Check
from nhilint.config import Config
from nhilint.facts import Fact, Loc, Suppression
from nhilint.findings import Finding

RULE = "NHI002"
_COMMENT = re.compile(r"(?:#|//)\s*nhilint:\s*ignore\[(?P<rules>[^\]]*)\](?P<rest>.*)$", re.IGNORECASE)
_EXPIRES = re.compile(r"\bexpires=(?P<date>\S*)")
_RULE_ID = re.compile(r"NHI\d{3}")
_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
_TRAILING_COMMENT = re.compile(r"(?:^|\s)(?:#|//)")  # not the // of an unquoted YAML URL
_YAML_BLOCK = re.compile(r"(?::|:\s*[|>][-+0-9]*)$")
_EXAMPLE = "# nhilint: ignore[NHI101] test fixture, not a real key"


@dataclass
class Ignore:
    loc: Loc  # where the ignore is written
    rules: tuple[str, ...]
    reason: str
    expires: str | None
    start: int  # first and last line it covers
    end: int
    used: set[str] = field(default_factory=set)


def collect(lines: dict[str, list[str]], facts: Iterable[Fact]) -> list[Ignore]:
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


def inline(file: str, lines: list[str]) -> Iterator[Ignore]:
    for index, line in enumerate(lines):
        match = _COMMENT.search(line)
        if match is None:
            continue
        rest = match["rest"]
        expires = _EXPIRES.search(rest)
        reason = _EXPIRES.sub("", rest).strip().lstrip(":-–— ").strip()
        rules = tuple(r.strip().upper() for r in match["rules"].split(",") if r.strip())
        target = index if line[: match.start()].strip() else _next_code_line(lines, index)
        yield Ignore(
            Loc(file, index + 1, match.start() + 1),
            rules,
            reason,
            expires["date"] if expires else None,
            index + 1,
            _block_end(lines, target) + 1,
        )


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith(("#", "//"))


def _next_code_line(lines: list[str], index: int) -> int:
    """The line a standalone comment is about: the next one that is not a comment (ignores stack)."""
    for j in range(index + 1, len(lines)):
        if not _is_comment(lines[j]):
            return j
    return index


def _code(line: str) -> str:
    """The line without strings and trailing comments, for bracket counting."""
    code = _STRING.sub('""', line)
    return _TRAILING_COMMENT.split(code, maxsplit=1)[0].rstrip()


def _block_end(lines: list[str], index: int) -> int:
    """Last line (0-based) of the block opened at `index`, or `index` when it opens none."""
    code = _code(lines[index])
    if code.endswith(("{", "[", "(")):
        depth = 0
        for j in range(index, len(lines)):
            text = _code(lines[j])
            depth += sum(text.count(c) for c in "{[(") - sum(text.count(c) for c in "}])")
            if depth <= 0:
                return j
        return len(lines) - 1
    stripped = code.lstrip()
    indent = len(code) - len(stripped)
    if not (_YAML_BLOCK.search(code) or stripped.startswith("- ")):
        return index
    last = index
    for j in range(index + 1, len(lines)):
        line = lines[j]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        inner = len(line) - len(line.lstrip())
        item_of_key = inner == indent and line.lstrip().startswith("- ") and not stripped.startswith("- ")
        if inner <= indent and not item_of_key:
            break
        last = j
    return last


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
    for finding in findings:
        for ignore in valid:
            if _covers(ignore, finding):
                ignore.used.add(finding.rule_id)
                if finding.suppression is None:
                    finding.suppression = ignore.reason
    if report_unused:
        reports.extend(_unused(valid, config))
    if RULE not in checks or not config.enabled(RULE):
        return []
    return [_finding(checks[RULE], config, loc, message) for loc, message in reports]


def _covers(ignore: Ignore, finding: Finding) -> bool:
    return (
        finding.rule_id in ignore.rules
        and finding.loc.file == ignore.loc.file
        and ignore.start <= finding.loc.line <= ignore.end
    )


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
