"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).

Follows GitHub's "SARIF support for code scanning" subset: rules carry short/full descriptions, help
in text and Markdown, tags, precision and security-severity; results carry a repository-relative
location and `partialFingerprints.primaryLocationLineHash`, so an alert survives unrelated edits.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from nhilint import __version__
from nhilint.formats import registry
from nhilint.report import first_paragraph
from nhilint.report.stream import Items, chunks

if TYPE_CHECKING:
    from collections.abc import Iterator

    from nhilint.catalogue import Check
    from nhilint.facts import Loc
    from nhilint.findings import Finding, Related, ScanResult, Suggestion

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://nhilint.dev"
SRCROOT = "%SRCROOT%"
# GitHub category "nhilint" (everything before the last slash), no run id: a new upload of the same
# category replaces the previous analysis. The upload-sarif action's `category` input overrides it.
AUTOMATION_ID = "nhilint/"
# GitHub maps security-severity to labels: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, < 4 low.
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "note": "2.0"}
DESCRIPTION_LIMIT = 1024  # GitHub truncates short and full descriptions beyond this


def render(result: ScanResult) -> str:
    return "".join(write(result))


def write(result: ScanResult) -> Iterator[str]:
    """The log in pieces: each result's object is built when it is written (nhilint.report.stream)."""
    yield from chunks(document(result))
    yield "\n"


def document(result: ScanResult) -> dict[str, Any]:
    """The log's object; the run's `results` is an `Items` (json.dumps it with that made a list)."""
    checks = sorted(result.rules.values(), key=lambda c: c.id)
    rule_index = {check.id: i for i, check in enumerate(checks)}
    run = {
        "tool": {
            "driver": {
                "name": "nhilint",
                "informationUri": INFORMATION_URI,
                "semanticVersion": __version__,
                "version": __version__,
                "rules": [_rule(check) for check in checks],
            }
        },
        "automationDetails": {"id": AUTOMATION_ID},
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the scanned repository (the scan root)."}}
        },
        "columnKind": "utf16CodeUnits",
        "results": Items(_result(f, rule_index.get(f.rule_id)) for f in result.findings),
        "invocations": [_invocation(result)],
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _invocation(result: ScanResult) -> dict[str, Any]:
    """Whether the scan did all its work: an internal error is a failed execution (code scanning
    shows it), and what was skipped is said, so an empty result is never mistaken for a clean one."""
    notes = [
        {
            "level": "error",
            "message": {
                "text": f"internal error ({e.error} at {e.where or '?'}) while reading {_escape(e.file)}: "
                "a bug in nhilint, please report it; the rest was scanned"
            },
        }
        for e in result.internal_errors
    ]
    notes += [
        {"level": "note", "message": {"text": f"{len(files)} skipped: {reason}"}}
        for reason, files in result.skipped.items()
    ]
    return {"executionSuccessful": not result.internal_errors, "toolExecutionNotifications": notes}


def pascal_case(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("-"))


def _limit(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _rule(check: Check) -> dict[str, Any]:
    return {
        "id": check.id,
        "name": pascal_case(check.slug),
        "shortDescription": {"text": _limit(check.summary)},
        "fullDescription": {"text": _limit(first_paragraph(check.rationale))},
        "help": {"text": _help_text(check), "markdown": _help_markdown(check)},
        "defaultConfiguration": {"level": check.severity},
        "properties": {
            "tags": [
                "security",
                f"OWASP-{check.owasp}",
                *(f"OWASP-{item}" for item in check.owasp_mcp),
                check.family,
            ],
            "security-severity": SECURITY_SEVERITY[check.severity],
            "precision": check.precision,
        },
    }


def _help_text(check: Check) -> str:
    fix = check.remediation["default"]
    parts = [check.rationale, "Fix: " + fix.text]
    if fix.snippet:
        parts.append(fix.snippet.rstrip("\n"))
    parts.append(f"OWASP Non-Human Identities Top 10: {check.owasp_title}")
    if check.owasp_mcp:
        parts.append(f"OWASP MCP Top 10: {', '.join(check.owasp_mcp_titles)}")
    return "\n\n".join(parts)


def _help_markdown(check: Check) -> str:
    parts = [f"**{check.summary}**", check.rationale, "## Fix", *_fix_markdown(check.remediation["default"])]
    for platform, fix in check.remediation.items():
        if platform != "default":
            parts += [
                f"### {registry.BY_NAME[platform].title if platform in registry.BY_NAME else platform}",
                *_fix_markdown(fix),
            ]
    parts.append(f"OWASP Non-Human Identities Top 10: **{check.owasp_title}**")
    if check.owasp_mcp:
        parts.append("OWASP MCP Top 10: " + ", ".join(f"**{title}**" for title in check.owasp_mcp_titles))
    return "\n\n".join(parts)


def _fix_markdown(fix: Suggestion) -> list[str]:
    if not fix.snippet:
        return [fix.text]
    # A fence longer than any backtick run inside the snippet keeps it closed.
    fence = "`" * max(3, max((len(run) for run in re.findall("`+", fix.snippet)), default=0) + 1)
    return [fix.text, f"{fence}{fix.language}\n{fix.snippet.rstrip(chr(10))}\n{fence}"]


def _escape(text: str) -> str:
    """Escape literal brackets, which SARIF reserves for embedded links (`[text](id)`)."""
    return text.replace("[", "\\[").replace("]", "\\]")


def _message(finding: Finding) -> str:
    text = _escape(finding.message)
    if not text.endswith((".", "!", "?")):
        text += "."
    if finding.suggestion is not None:
        text += " Fix: " + _escape(first_paragraph(finding.suggestion.text))
    if finding.related:
        # Embedded links are how GitHub makes related locations clickable in the alert.
        links = ", ".join(f"[{_escape(r.message)}]({i})" for i, r in enumerate(finding.related, start=1))
        text += f" Related: {links}."
    return text


def _uri(path: str) -> str:
    """A relative URI reference for a scan-relative path: spaces, `%`, `:` and non-ASCII encoded.
    A file name that is not UTF-8 (lone surrogates from surrogateescape) keeps its own bytes, %XX."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/!$&'()*+,;=@")


def _physical(loc: Loc) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": _uri(loc.file), "uriBaseId": SRCROOT},
        "region": {"startLine": loc.line, "startColumn": loc.col, "endLine": loc.end_line or loc.line},
    }


def _related(related: Related, location_id: int) -> dict[str, Any]:
    return {
        "id": location_id,
        "physicalLocation": _physical(related.loc),
        "message": {"text": _escape(related.message)},
    }


def _fingerprint(finding: Finding) -> str:
    if finding.fingerprint:
        return finding.fingerprint
    # Only for findings built outside the engine: stable as long as rule, file and message are.
    key = "\0".join((finding.rule_id, finding.loc.file, finding.message))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _result(finding: Finding, rule_index: int | None) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": finding.rule_id}
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    result["level"] = finding.severity
    result["message"] = {"text": _message(finding)}
    result["locations"] = [{"physicalLocation": _physical(finding.loc)}]
    result["partialFingerprints"] = {"primaryLocationLineHash": _fingerprint(finding)}
    if finding.related:
        result["relatedLocations"] = [_related(r, i) for i, r in enumerate(finding.related, start=1)]
    properties: dict[str, Any] = {}
    if finding.also:  # rule IDs folded into this one: same root cause (nhilint.pipeline.fold)
        properties["also"] = list(finding.also)
    if finding.non_production:  # in a test, example or docs path: a note that never fails the scan
        properties["nonProduction"] = True
    if properties:
        result["properties"] = properties
    if finding.suppression is not None:
        suppression = {"kind": finding.suppression_kind}
        if finding.suppression:
            suppression["justification"] = finding.suppression
        result["suppressions"] = [suppression]
    return result
