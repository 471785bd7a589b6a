"""What a fixer returns, and what it is given."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Literal

from msgspec import Struct, field

from nhilint.findings import Finding

Safety = Literal["safe", "unsafe"]


class Edit(Struct, frozen=True):
    """Replace `text[start:end]` (character offsets) with `new`; start == end inserts."""

    start: int
    end: int
    new: str


class Fix(Struct, frozen=True):
    """One fix of one cause: the edits that make it, the findings it resolves, and what the user must
    still do by hand (`advice`: the trust policy to create for a new OIDC role...)."""

    rule_id: str
    safety: Safety
    title: str  # what it does, one line: "replace the static AWS keys with an OIDC role"
    edits: tuple[Edit, ...]
    resolves: tuple[Finding, ...]
    advice: str = ""


class FixOptions(Struct, frozen=True):
    """The `fix:` section of the configuration (values a fix writes that the file does not hold)."""

    owner: str | None = None  # fix.owner: written by NHI301's fix; else the CODEOWNERS owner of the path
    expires_in_days: int | None = None  # fix.expires-in-days: NHI302's fix writes today + this
    aws_role_variable: str = "AWS_ROLE_ARN"  # ${{ vars.<this> }} in a GitHub Actions OIDC fix
    max_ttl_seconds: int = 3600  # NHI303's fix lowers a TTL to this (the configured maximum)
    # owner-keys / expiry-keys: NHI301/NHI302's fixes write the first, and add none when one is written
    owner_keys: tuple[str, ...] = ("owner",)
    expiry_keys: tuple[str, ...] = ("expires", "expiry", "expiration-date")
    today: date = field(default_factory=date.today)  # the day an expiry is counted from


class FixInput(Struct, frozen=True):
    """One file, as a fixer sees it: `path` as findings name it (relative to `root`, the scan root:
    where CODEOWNERS is looked up), its current text, its format (a registry name), the active
    findings on it of the fixer's rules, and the options."""

    root: str
    path: str
    format: str
    text: str
    findings: tuple[Finding, ...]
    options: FixOptions


class Fixer(Struct, frozen=True):
    """A fix for some rules in some formats. `fix` returns the fixes it can make (none: it cannot,
    e.g. no owner is configured: never invent a value)."""

    name: str
    rules: frozenset[str]
    formats: frozenset[str]
    safety: Safety
    fix: Callable[[FixInput], list[Fix]]


class FixConflict(Exception):
    """Two edits of one round overlap: the later fix waits for the next round."""
