"""Fingerprints: what a finding is about, not where it is, and never a way to guess a secret.

A fingerprint is published (SARIF `partialFingerprints`, JSON, the audit CSV, committed baselines).
It hashes rule + file + identity + the whitespace-folded text of the finding's line, numbered by
occurrence when several findings share all of that; so it survives unrelated lines moving. The line
is hashed with every credential on it cut to its redaction (at most a quarter of it, never more than
four characters, which the message shows anyway): otherwise anyone holding the fingerprint could
test guesses of the password offline. Every literal assigned to a credential-named field on the line
is cut too, to `****`, even when no detector recognises it (a short or plain password, one with
spaces) and whatever rule the finding is about (NHI001 on a broken line, NHI301 on a one-line
template). Two findings that differ only in such a secret therefore share a fingerprint; the
occurrence number still tells them apart. Lines without a credential hash as they always did.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping

from nhilint.findings import Finding
from nhilint.knowledge.credential_names import lazy
from nhilint.knowledge.redaction import VALUE_RULES, redact, redact_assigned, redact_secrets

_BARE_VALUE = lazy(r"[^\s,;}\])#]+")


# A line longer than this (a plan's or a minified file's one line) is redacted and hashed once for all
# its findings, with all their values cut: per finding, thousands of findings on one 8 MB line of a
# plan took hours.
LONG_LINE = 10_000


def fingerprint(findings: list[Finding], lines: Mapping[str, list[str]]) -> None:
    """Set `finding.fingerprint` on each of `findings` (in their order); `lines` are each file's lines."""
    seen: Counter[str] = Counter()
    long_lines = _long_lines(findings, lines)
    for finding in findings:
        text_lines = lines.get(finding.loc.file, [])
        line = text_lines[finding.loc.line - 1] if 0 < finding.loc.line <= len(text_lines) else ""
        identity = f"{finding.identity.kind}:{finding.identity.name}" if finding.identity else ""
        folded = long_lines.get((finding.loc.file, finding.loc.line))
        if folded is None:
            if finding.rule_id in VALUE_RULES:
                line = _redact_value_at(line, finding.loc.col)
            folded = " ".join(redact_assigned(redact_secrets(line)).split())
        key = "\0".join((finding.rule_id, finding.loc.file, identity, folded))
        # surrogatepass: an HCL "\uD800" escape yields a lone surrogate surrogateescape cannot encode
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        seen[digest] += 1
        finding.fingerprint = f"{digest}:{seen[digest]}"


def _long_lines(findings: list[Finding], lines: Mapping[str, list[str]]) -> dict[tuple[str, int], str]:
    """(file, line) -> what a finding's key holds of it, for each line over LONG_LINE: the digest of the
    line with every finding's value on it and every credential cut."""
    values: dict[tuple[str, int], set[int]] = {}
    for finding in findings:
        text_lines = lines.get(finding.loc.file, [])
        if 0 < finding.loc.line <= len(text_lines) and len(text_lines[finding.loc.line - 1]) > LONG_LINE:
            cols = values.setdefault((finding.loc.file, finding.loc.line), set())
            if finding.rule_id in VALUE_RULES:
                cols.add(finding.loc.col)
    out = {}
    for (file, number), cols in values.items():
        line = lines[file][number - 1]
        for col in sorted(cols, reverse=True):  # from the right: the columns to the left stay valid
            line = _redact_value_at(line, col)
        hidden = " ".join(redact_assigned(redact_secrets(line)).split())
        out[(file, number)] = hashlib.sha256(hidden.encode("utf-8", "surrogatepass")).hexdigest()
    return out


def _redact_value_at(line: str, col: int) -> str:
    """`line` with the value that starts at column `col` (1-based; quoted or bare) redacted."""
    start = col - 1
    if not 0 <= start < len(line):
        return line
    quote = line[start]
    if quote in "\"'":
        close = line.find(quote, start + 1)
        end = close + 1 if close > start else len(line)
    else:
        match = _BARE_VALUE().match(line, start)
        end = match.end() if match else start
    return line[:start] + redact(line[start:end]) + line[end:] if end > start else line
