"""Machine-readable output: schema `catalogue/schemas/report.schema.json`, documented in docs/json-output.md.

Keys come in a fixed order and findings in the engine's order, so equal scans give equal bytes.
Bump `SCHEMA_VERSION` on any change that is not a pure addition.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from nhilint import __version__
from nhilint.report.stream import Items, chunks

if TYPE_CHECKING:
    from collections.abc import Iterator

    from nhilint.findings import Finding, ScanResult

SCHEMA_VERSION = "1"


def render(result: ScanResult) -> str:
    return "".join(write(result))


def write(result: ScanResult) -> Iterator[str]:
    """The report in pieces: each finding's object is built when it is written (nhilint.report.stream)."""
    yield from chunks(document(result))
    yield "\n"


def document(result: ScanResult) -> dict[str, Any]:
    """The report's object; `findings` is an `Items` (json.dumps it with that made a list)."""
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "nhilint", "version": __version__},
        "summary": _summary(result),
        "findings": Items(_finding(f, result) for f in result.findings),
        "skipped": result.skipped,
        "internal_errors": [
            {"file": e.file, "error": e.error, "where": e.where} for e in result.internal_errors
        ],
    }


def _summary(result: ScanResult) -> dict[str, int]:
    active = result.active
    counts = Counter(f.severity for f in active)
    return {
        "total": len(active),
        "errors": counts["error"],
        "warnings": counts["warning"],
        "notes": counts["note"],
        "files_scanned": result.files_scanned,
        "files_with_findings": len({f.loc.file for f in active}),
        "suppressed": len(result.findings) - len(active),
        "non_production": sum(1 for f in active if f.non_production),
        "baseline_stale": result.baseline_stale,
        "files_skipped": sum(len(files) for files in result.skipped.values()),
        "internal_errors": len(result.internal_errors),
    }


def _finding(finding: Finding, result: ScanResult) -> dict[str, Any]:
    check = result.rules.get(finding.rule_id)
    suggestion = finding.suggestion
    return {
        "rule_id": finding.rule_id,
        "slug": finding.slug,
        "severity": finding.severity,
        "message": finding.message,
        "file": finding.loc.file,
        "line": finding.loc.line,
        "column": finding.loc.col,
        "end_line": finding.loc.end_line or finding.loc.line,
        "identity": (
            {"kind": finding.identity.kind, "name": finding.identity.name} if finding.identity else None
        ),
        "suggestion": (
            {"text": suggestion.text, "snippet": suggestion.snippet, "language": suggestion.language}
            if suggestion
            else None
        ),
        "related": [
            {"file": r.loc.file, "line": r.loc.line, "column": r.loc.col, "message": r.message}
            for r in finding.related
        ],
        "fingerprint": finding.fingerprint,
        "also": list(finding.also),
        "non_production": finding.non_production,
        "owasp": check.owasp if check else None,
        "suppressed": finding.suppression is not None,
        "suppression_reason": finding.suppression,
        "fix": finding.fix,
    }
