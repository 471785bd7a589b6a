"""What a rule reports, and what every reporter renders."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from msgspec import Struct, field

from nhilint.catalogue import Suggestion
from nhilint.errors import InternalError
from nhilint.facts import Fact, Loc
from nhilint.knowledge.redaction import redact_secrets

if TYPE_CHECKING:
    from nhilint.catalogue import Check

SEVERITIES = ("note", "warning", "error")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@lru_cache(maxsize=16384)  # a finding's identity name and clause recur across rules: 9,949 calls, 3,409 texts
def shown(text: str) -> str:
    """`text` as a finding may show it: line breaks folded to spaces, detected secrets redacted."""
    lines = text.splitlines()
    if lines != [text]:
        text = " ".join(line.strip() for line in lines if line.strip())
    return redact_secrets(text)


class IdentityRef(Struct, frozen=True):
    kind: str
    name: str


class Related(Struct, frozen=True):
    loc: Loc
    message: str


class FixPlace(Struct, frozen=True):
    """The one place a human edits to fix the cause of several findings (nhilint.pipeline.fold groups them
    there): `key` tells places apart, `loc` is the line to edit (None: the first finding's own),
    `name` says what it is ("kustomization k8s/base/kustomization.yaml"), `suggestion` the edit."""

    key: str
    loc: Loc | None
    name: str
    suggestion: Suggestion | None = None


class Finding(Struct):
    rule_id: str
    slug: str
    severity: str
    message: str
    loc: Loc
    identity: IdentityRef | None = None
    suggestion: Suggestion | None = None
    related: list[Related] = field(default_factory=list)
    fingerprint: str = ""
    suppression: str | None = None  # justification when suppressed in source
    suppression_kind: str = "inSource"  # SARIF suppression kind: "external" for baseline entries
    # One root cause, one finding (nhilint.pipeline.fold): findings of one file with the same `cause`
    # fold into the most severe; `clause` is what this one adds to the folded message ("no owner (owner
    # tag)").
    cause: str | None = None
    clause: str = ""
    also: list[str] = field(default_factory=list)  # rule IDs folded into this finding
    folded: list[Finding] = field(default_factory=list)  # those findings (baseline entries)
    non_production: bool = False  # in a test, example or docs path: lowered to note, never fails
    place: FixPlace | None = None  # where one edit fixes it with others (nhilint.pipeline.fold groups them)
    fix: str | None = None  # "safe" | "unsafe": `nhilint fix` can fix it now (set by nhilint.fixes.session)

    def __post_init__(self) -> None:
        # Every reporter, the baseline and the audit CSV show these: one line each, and no secret
        # beyond its redacted prefix, whatever a broken or hostile file put into a name.
        self.message = shown(self.message)
        if self.identity is not None:
            self.identity = IdentityRef(self.identity.kind, shown(self.identity.name))
        self.related = [Related(r.loc, shown(r.message)) for r in self.related]
        self.clause = shown(self.clause)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.loc.file, self.loc.line, self.loc.col, self.rule_id, self.message)


class FixSummary(Struct):
    """What `--fix` did, or could do, for the report's summary (nhilint.fixes.session fills it)."""

    show_unsafe: bool = False  # --unsafe-fixes: unsafe fixes are marked and counted as fixable
    applied: bool = False  # --fix ran: `fixed` findings in `files` files were fixed
    fixed: int = 0
    files: int = 0


class ScanResult(Struct):
    """Everything a reporter needs: findings (sorted; suppressed ones carry `suppression`), the
    catalogue entries of the rules that ran (by ID), and scan statistics."""

    findings: list[Finding]
    rules: dict[str, Check]
    files_scanned: int = 0
    root: str = "."
    baseline_stale: int = 0  # baseline entries that matched no finding (fixed since, or moved)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # reason -> files not scanned
    internal_errors: list[InternalError] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)  # what was read, for the inventory
    lines: Mapping[str, list[str]] = field(default_factory=dict)  # file -> its lines, for snippets
    fixes: FixSummary = field(default_factory=FixSummary)  # what `--fix` did or could do

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is None]

    @property
    def unfolded(self) -> list[Finding]:
        """The active findings as each rule reported them: those folded into another (nhilint.pipeline.fold)
        listed on their own again, for views by rule (the inventory's rule IDs per identity)."""
        return [g for f in self.active for g in (f, *f.folded)]
