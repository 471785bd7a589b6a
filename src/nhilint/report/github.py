"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding.

GitHub shows them on the pull request's diff. Paths are relative to the scan root, so scan from
the repository root (as the action does). See "Workflow commands for GitHub Actions".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nhilint.report import first_paragraph
from nhilint.report.escape import printable

if TYPE_CHECKING:
    from nhilint.findings import Finding, ScanResult

LEVELS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """The message part: `%` first, so the escapes themselves are not escaped again."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A `key=value` property additionally must not contain the separators `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: ScanResult) -> str:
    lines = [command(f) for f in result.active]
    count = len(lines)
    lines += [  # a failed scan must not look like a clean one in the pull request either
        f"::error title={escape_property('nhilint internal error')}::"
        + escape_data(f"{e.error} while reading {e.file}: a bug in nhilint, please report it")
        for e in result.internal_errors
    ]
    suppressed = len(result.findings) - count
    lines.append(
        f"nhilint: {count} finding{'' if count == 1 else 's'} in {result.files_scanned} files scanned"
        + (f" ({suppressed} suppressed)" if suppressed else "")
    )
    return "\n".join(lines) + "\n"


def command(finding: Finding) -> str:
    loc = finding.loc
    properties = {
        "file": loc.file,
        "line": str(loc.line),
        "endLine": str(loc.end_line or loc.line),
        "col": str(loc.col),
        "title": f"{finding.rule_id} {finding.slug}",
    }
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    # Escaped, the file name and message cannot end the command line (CR, LF) or a property (`:`, `,`);
    # made printable, the message cannot reorder what the annotation shows (bidi controls).
    message = printable(finding.message)
    if finding.suggestion is not None:
        message += f"\nFix: {first_paragraph(finding.suggestion.text)}"
    return f"::{LEVELS[finding.severity]} {props}::{escape_data(message)}"
