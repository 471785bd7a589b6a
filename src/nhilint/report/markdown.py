"""A Markdown summary for `$GITHUB_STEP_SUMMARY` and pull-request comments.

Counts, a table by rule, then each finding with its fix. GitHub caps a comment at 65,536
characters, so the list stops after `LIMIT` findings and says how many it left out.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from nhilint.report import first_paragraph
from nhilint.report.escape import code_span, one_line

if TYPE_CHECKING:
    from nhilint.findings import Finding, ScanResult

LIMIT = 50
ICONS = {"error": "🔴", "warning": "🟠", "note": "🔵"}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def render(result: ScanResult) -> str:
    active = result.active
    parts = [_heading(result), ""]
    if active:
        parts += _table(result), ""
        parts += [_finding(f) for f in active[:LIMIT]]
        if len(active) > LIMIT:
            parts.append(
                f"_… and {len(active) - LIMIT} more: see the SARIF report or run nhilint locally._\n"
            )
    if result.internal_errors:
        parts.append(
            f"**{_plural(len(result.internal_errors), 'internal error')}**: nhilint hit a bug and could "
            "not judge everything (see the job log); this check fails.\n"
        )
    if result.skipped:
        counts = ", ".join(f"{len(files)} {reason}" for reason, files in result.skipped.items())
        parts.append(f"Not scanned: {counts}.\n")
    suppressed = len(result.findings) - len(active)
    if suppressed:
        parts.append(f"{_plural(suppressed, 'finding')} suppressed (inline ignores or the baseline).\n")
    if result.baseline_stale:
        entries = "entry" if result.baseline_stale == 1 else "entries"
        parts.append(
            f"{result.baseline_stale} baseline {entries} matched nothing: "
            "rewrite the baseline with `nhilint baseline write`.\n"
        )
    return "\n".join(parts).rstrip("\n") + "\n"


def _heading(result: ScanResult) -> str:
    active = result.active
    scanned = _plural(result.files_scanned, "file")
    if not active:
        mark = "❌" if result.internal_errors else "✅"
        return f"## nhilint: {mark} no findings in {scanned}"
    counts = Counter(f.severity for f in active)
    by_severity = ", ".join(_plural(counts[s], s) for s in ("error", "warning", "note") if counts[s])
    files = len({f.loc.file for f in active})
    return f"## nhilint: {_plural(len(active), 'finding')} ({by_severity}) in {files} of {scanned}"


def _table(result: ScanResult) -> str:
    counts = Counter(f.rule_id for f in result.active)
    rows = ["| Rule | Severity | OWASP | Findings |", "|---|---|---|---:|"]
    for rule_id in sorted(counts):
        check = result.rules.get(rule_id)
        example = next(f for f in result.active if f.rule_id == rule_id)
        owasp = check.owasp if check else ""
        rows.append(
            f"| `{rule_id}` {example.slug} | {ICONS[example.severity]} {example.severity} | "
            f"{owasp} | {counts[rule_id]} |"
        )
    return "\n".join(rows)


def _fence(snippet: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", snippet)), default=0)
    return "`" * max(3, longest + 1)


def _finding(finding: Finding) -> str:
    loc = finding.loc
    where = code_span(f"{loc.file}:{loc.line}")
    lines = [
        f"#### {ICONS[finding.severity]} `{finding.rule_id}` {finding.slug} — {where}",
        "",
        # The message quotes names from the scanned files: as code, no HTML, link, image, emphasis,
        # @mention or bare URL in it is live.
        code_span(finding.message),
    ]
    suggestion = finding.suggestion
    if suggestion is not None:
        lines += ["", f"**Fix:** {one_line(first_paragraph(suggestion.text))}"]
        if suggestion.snippet:
            fence = _fence(suggestion.snippet)
            lines += ["", f"{fence}{suggestion.language}", suggestion.snippet.rstrip("\n"), fence]
    return "\n".join(lines) + "\n"
