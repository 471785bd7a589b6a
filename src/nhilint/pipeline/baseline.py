"""Baselines: adopt nhilint in a legacy repository by failing only on findings that are new.

An entry is rule + file + identity + fingerprint. The engine's fingerprint hashes what a finding
is about (rule, file, identity, the whitespace-folded text of its line), never its line number,
so inserting or removing lines elsewhere keeps every entry matching. The file is sorted JSON with
a version and holds no messages (and so no values from the scanned files, redacted or not).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from msgspec import Struct

from nhilint.findings import Finding

VERSION = 1
SUPPRESSION = "in the baseline"


class BaselineError(ValueError):
    """An unreadable or malformed baseline file: one sentence for the user."""


class Entry(Struct, frozen=True, order=True):
    rule_id: str
    file: str
    identity: str  # "kind:name", or "" when the finding names none
    fingerprint: str

    @classmethod
    def of(cls, finding: Finding) -> Entry:
        identity = f"{finding.identity.kind}:{finding.identity.name}" if finding.identity else ""
        return cls(finding.rule_id, finding.loc.file, identity, finding.fingerprint)


def entries_of(findings: list[Finding]) -> set[Entry]:
    """The entries of every active finding; a folded finding (nhilint.pipeline.fold) has one for each finding
    folded into it, so every rule ID stays baselined and each can be fixed or reported on its own."""
    return {Entry.of(g) for f in findings if f.suppression is None for g in (f, *f.folded)}


def render(findings: list[Finding]) -> str:
    """The baseline of every active finding, as the text of a baseline file."""
    entries = sorted(entries_of(findings))
    document = {
        "version": VERSION,
        "tool": "nhilint",
        "findings": [
            {"rule_id": e.rule_id, "file": e.file, "identity": e.identity, "fingerprint": e.fingerprint}
            for e in entries
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def read(path: Path) -> set[Entry]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise BaselineError(
            f"baseline {path} is not an nhilint baseline of version {VERSION}; "
            "write a new one with `nhilint baseline write`"
        )
    try:
        return {Entry(e["rule_id"], e["file"], e["identity"], e["fingerprint"]) for e in document["findings"]}
    except (KeyError, TypeError):
        raise BaselineError(f"baseline {path} has a malformed entry; write a new one") from None


def apply(
    findings: list[Finding], entries: set[Entry], files: set[str], enabled: Callable[[str], bool]
) -> int:
    """Mark findings the baseline knows as suppressed (in place); return how many entries about
    `files` (those whose findings this scan reports) and `enabled` rules matched nothing: stale."""
    matched: set[Entry] = set()
    for finding in findings:
        if finding.suppression is not None:
            continue
        entry = Entry.of(finding)
        if entry in entries:
            matched.add(entry)
            finding.suppression = SUPPRESSION
            finding.suppression_kind = "external"
    return sum(1 for e in entries - matched if e.file in files and enabled(e.rule_id))
