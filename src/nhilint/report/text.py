"""Human-readable output, grouped by file, in the style of ruff and eslint."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from nhilint.findings import Finding, ScanResult
from nhilint.report import first_paragraph
from nhilint.report.escape import printable, terminal_line

_RESET = "\x1b[0m"
_STYLES = {
    "error": "\x1b[31m",
    "warning": "\x1b[33m",
    "note": "\x1b[36m",
    "file": "\x1b[1;4m",
    "dim": "\x1b[2m",
    "rule": "\x1b[1m",
    "fail": "\x1b[1;31m",
    "ok": "\x1b[1;32m",
}
_SEVERITY_WIDTH = len("warning")
Paint = Callable[[str, str], str]
# Scanned files are untrusted: every name, path and value is shown through `printable`, so none can
# break a line (forging a finding, a summary or a GitHub workflow command), drive the terminal or
# reorder text with bidi controls.


def render(result: ScanResult, color: bool = False) -> str:
    paint = _painter(color)
    by_file: dict[str, list[Finding]] = {}
    for finding in result.active:  # already in the engine's order; keep it within each file
        by_file.setdefault(finding.loc.file, []).append(finding)
    blocks = [_file_block(file, findings, paint) for file, findings in by_file.items()]
    return "".join(block + "\n" for block in blocks) + _summary(result, paint) + "\n"


def _painter(color: bool) -> Paint:
    def paint(style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if color and text else text

    return paint


def _file_block(file: str, findings: list[Finding], paint: Paint) -> str:
    width = max(len(f"{f.loc.line}:{f.loc.col}") for f in findings)
    lines = [paint("file", terminal_line(file))]  # the only line that starts with scanned text
    for finding in findings:
        lines.extend(_finding_lines(finding, width, paint))
    return "\n".join(lines) + "\n"


def _finding_lines(finding: Finding, width: int, paint: Paint) -> list[str]:
    position = f"{finding.loc.line}:{finding.loc.col}".rjust(width)
    severity = paint(finding.severity, finding.severity.ljust(_SEVERITY_WIDTH))
    rule = paint("rule", finding.rule_id) + " " + paint("dim", finding.slug)
    lines = [f"  {paint('dim', position)}  {severity}  {rule}  {printable(finding.message)}"]
    indent = " " * (2 + width + 2)
    if finding.suggestion is not None:
        lines.append(f"{indent}{paint('dim', 'fix:')} {printable(first_paragraph(finding.suggestion.text))}")
    if finding.identity is not None:
        identity = f"{finding.identity.kind} {finding.identity.name}"
        lines.append(f"{indent}{paint('dim', 'identity:')} {printable(identity)}")
    for related in finding.related:
        where = f"{related.loc.file}:{related.loc.line}:{related.loc.col}"
        lines.append(f"{indent}{paint('dim', 'related:')} {printable(where)}  {printable(related.message)}")
    return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _summary(result: ScanResult, paint: Paint) -> str:
    active = result.active
    suppressed = len(result.findings) - len(active)
    tail = f" · {suppressed} suppressed" if suppressed else ""
    if result.baseline_stale:
        entries = "entry" if result.baseline_stale == 1 else "entries"
        tail += f" · {result.baseline_stale} stale baseline {entries} (`nhilint baseline write` prunes them)"
    scanned = _plural(result.files_scanned, "file") + " scanned"
    skipped = _skipped(result)
    if result.internal_errors:  # never a green line over a scan that did not finish its work
        broken = _plural(len(result.internal_errors), "internal error")
        tail += f" · {paint('fail', broken)} (a bug in nhilint: see standard error)"
    if not active:
        mark = paint("fail", "✖") if result.internal_errors else paint("ok", "✓")
        return f"{skipped}{mark} no findings in {scanned}{tail}"
    counts = Counter(f.severity for f in active)
    by_severity = ", ".join(_plural(counts[s], s) for s in ("error", "warning", "note") if counts[s])
    files = len({f.loc.file for f in active})
    head = paint("fail", f"✖ {_plural(len(active), 'finding')}")
    return f"{skipped}{head} ({by_severity}) in {files} of {scanned}{tail}"


def _skipped(result: ScanResult) -> str:
    """A line counting what was not judged, by reason (`--verbose` names each file)."""
    if not result.skipped:
        return ""
    total = sum(len(files) for files in result.skipped.values())
    reasons = ", ".join(f"{len(files)} {reason}" for reason, files in result.skipped.items())
    return f"skipped {total}: {reasons} (--verbose lists them)\n"
