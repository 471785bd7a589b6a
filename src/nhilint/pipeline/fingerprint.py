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
import re
from collections import Counter

from nhilint.findings import Finding
from nhilint.knowledge.redaction import VALUE_RULES, redact, redact_assigned, redact_secrets

_BARE_VALUE = re.compile(r"[^\s,;}\])#]+")


def fingerprint(findings: list[Finding], lines: dict[str, list[str]]) -> None:
    """Set `finding.fingerprint` on each of `findings` (in their order); `lines` are each file's lines."""
    seen: Counter[str] = Counter()
    for finding in findings:
        text_lines = lines.get(finding.loc.file, [])
        line = text_lines[finding.loc.line - 1] if 0 < finding.loc.line <= len(text_lines) else ""
        if finding.rule_id in VALUE_RULES:
            line = _redact_value_at(line, finding.loc.col)
        identity = f"{finding.identity.kind}:{finding.identity.name}" if finding.identity else ""
        hidden = redact_assigned(redact_secrets(line))
        key = "\0".join((finding.rule_id, finding.loc.file, identity, " ".join(hidden.split())))
        # surrogatepass: an HCL "\uD800" escape yields a lone surrogate surrogateescape cannot encode
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        seen[digest] += 1
        finding.fingerprint = f"{digest}:{seen[digest]}"


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
        match = _BARE_VALUE.match(line, start)
        end = match.end() if match else start
    return line[:start] + redact(line[start:end]) + line[end:] if end > start else line
