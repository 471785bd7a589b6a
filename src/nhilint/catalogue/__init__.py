"""The rule catalogue: one YAML file per rule under `checks/`, compiled to `catalogue.json` at build time.

The catalogue is data; docs, `nhilint rules`, `nhilint explain` and SARIF rule metadata are all
rendered from it, and its examples double as tests.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from nhilint.catalogue.schema import schema_text

PACKAGE = Path(__file__).resolve().parents[1]  # nhilint/: a wheel ships `nhilint/checks` here


class Suggestion(Struct, frozen=True):
    """A remediation: catalogue data that a finding carries (so findings import it from here)."""

    text: str
    snippet: str = ""
    language: str = ""


class Example(Struct, frozen=True):
    name: str
    expect: str  # fail | pass
    filename: str
    code: str
    lines: tuple[int, ...] = ()


class Check(Struct, frozen=True):
    id: str
    slug: str
    family: str
    severity: str
    owasp: str
    formats: tuple[str, ...]
    summary: str
    rationale: str
    precision: str
    scope: str  # file | unit | scan: the facts one finding relates (docs/architecture.md)
    scope_reason: str = ""  # why a scan-scope rule needs the whole scan
    remediation: dict[str, Suggestion] = field(default_factory=dict)
    examples: tuple[Example, ...] = ()
    owasp_mcp: tuple[str, ...] = ()  # OWASP MCP Top 10 items (`MCP01:2025`), where one fits
    fix: str | None = None  # safe | unsafe: `nhilint fix` can fix some findings (the safest fixer's)

    @property
    def owasp_title(self) -> str:
        return OWASP_TITLES.get(self.owasp, self.owasp)

    @property
    def owasp_mcp_titles(self) -> tuple[str, ...]:
        return tuple(OWASP_MCP_TITLES.get(item, item) for item in self.owasp_mcp)

    def suggestion(self, *fixes: str | None) -> Suggestion:
        """The first remediation of `fixes` (most specific first) the entry has, else its default.

        Keys name a format and, where it matters, a platform: `terraform-aws`, `cloudformation`,
        `kubernetes`, `github-actions-gcp`; a key `terraform-aws` also falls back to `terraform`.
        """
        for fix in fixes:
            while fix:
                if fix in self.remediation:
                    return self.remediation[fix]
                fix = fix.rpartition("-")[0] if fix.count("-") and fix not in format_keys() else ""
        return self.remediation["default"]


@functools.cache
def format_keys() -> frozenset[str]:
    """The formats an entry may name: the check schema's enum, which a test keeps equal to the
    format registry's (the catalogue is data below the formats: it never imports them)."""
    schema = json.loads(schema_text("check"))
    return frozenset(schema["properties"]["formats"]["items"]["enum"])


OWASP_TITLES = {
    "NHI1": "NHI1:2025 Improper Offboarding",
    "NHI2": "NHI2:2025 Secret Leakage",
    "NHI3": "NHI3:2025 Vulnerable Third-Party NHI",
    "NHI4": "NHI4:2025 Insecure Authentication",
    "NHI5": "NHI5:2025 Overprivileged NHI",
    "NHI6": "NHI6:2025 Insecure Cloud Deployment Configurations",
    "NHI7": "NHI7:2025 Long-Lived Secrets",
    "NHI8": "NHI8:2025 Environment Isolation",
    "NHI9": "NHI9:2025 NHI Reuse",
    "NHI10": "NHI10:2025 Human Use of NHI",
}
# The OWASP MCP Top 10 (2025) as its project page lists it (https://owasp.org/www-project-mcp-top-10/);
# the check schema's `owasp_mcp` enum names the same IDs (tests/test_catalogue.py keeps them equal).
OWASP_MCP_TITLES = {
    "MCP01:2025": "MCP01:2025 Token Mismanagement & Secret Exposure",
    "MCP02:2025": "MCP02:2025 Privilege Escalation via Scope Creep",
    "MCP03:2025": "MCP03:2025 Tool Poisoning",
    "MCP04:2025": "MCP04:2025 Software Supply Chain Attacks & Dependency Tampering",
    "MCP05:2025": "MCP05:2025 Command Injection & Execution",
    "MCP06:2025": "MCP06:2025 Intent Flow Subversion",
    "MCP07:2025": "MCP07:2025 Insufficient Authentication & Authorization",
    "MCP08:2025": "MCP08:2025 Lack of Audit and Telemetry",
    "MCP09:2025": "MCP09:2025 Shadow MCP Servers",
    "MCP10:2025": "MCP10:2025 Context Injection & Over-Sharing",
}


def checks_dir() -> Path:
    """`nhilint/checks` inside an installed wheel, or `checks/` at the root of a checkout."""
    packaged = PACKAGE / "checks"
    if packaged.is_dir():
        return packaged
    return PACKAGE.parents[1] / "checks"


def _to_check(data: dict[str, Any]) -> Check:
    remediation = {
        key: Suggestion(text=r["text"].strip(), snippet=r.get("snippet", ""), language=r.get("language", ""))
        for key, r in data["remediation"].items()
    }
    examples = tuple(
        Example(
            name=e["name"],
            expect=e["expect"],
            filename=e["filename"],
            code=e["code"],
            lines=tuple(e.get("lines", ())),
        )
        for e in data.get("examples", ())
    )
    return Check(
        id=data["id"],
        slug=data["slug"],
        family=data["family"],
        severity=data["severity"],
        owasp=data["owasp"],
        formats=tuple(data["formats"]),
        summary=data["summary"].strip(),
        rationale=data["rationale"].strip(),
        precision=data.get("precision", "high"),
        scope=data["scope"],
        scope_reason=data.get("scope_reason", ""),
        remediation=remediation,
        examples=examples,
        owasp_mcp=tuple(data.get("owasp_mcp", ())),
        fix=data.get("fix"),
    )


def read_raw() -> list[tuple[Path, Any]]:
    from nhilint.parse.yaml import load_plain

    return [(p, load_plain(p.read_text(encoding="utf-8"))) for p in sorted(checks_dir().glob("NHI*.yaml"))]


COMPILED = Path(__file__).resolve().parent / "catalogue.json"


@functools.lru_cache(maxsize=1)
def load() -> dict[str, Check]:
    """Every check by ID, from the catalogue compiled at build time (`catalogue.json`).

    `scripts/generate_docs.py` validates `checks/*.yaml` against `schemas/check.schema.json` and
    writes `catalogue.json` (tests/test_docs.py fails when it is stale), so a scan reads one JSON
    file and imports neither YAML nor jsonschema for it. In a source checkout whose YAML entries
    were edited since, the entries are read and validated from `checks/` instead.
    """
    compiled = _compiled()
    if compiled is None:
        return from_sources()
    return {rule_id: _to_check(data) for rule_id, data in compiled["checks"].items()}


def _compiled() -> dict[str, Any] | None:
    """The compiled catalogue, or None in a checkout where it is missing or older than `checks/`.

    A wheel without it is a broken build: that fails loudly rather than reading the YAML slowly."""
    if _packaged():
        return dict(json.loads(COMPILED.read_text(encoding="utf-8")))
    try:
        compiled = json.loads(COMPILED.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return dict(compiled) if compiled.get("source") == source_digest() else None


def _packaged() -> bool:
    """Installed from a wheel (which ships `nhilint/checks` next to its compiled catalogue)."""
    return (PACKAGE / "checks").is_dir()


def source_digest() -> str:
    """SHA-256 of the catalogue's sources: every entry's name and bytes, and the entry schema."""
    digest = hashlib.sha256(schema_text("check").encode())
    for path in sorted(checks_dir().glob("NHI*.yaml")):
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def compiled_text() -> str:
    """`catalogue.json` as `scripts/generate_docs.py` writes it: the validated entries of `checks/`."""
    checks = {path.stem: data for path, data in _read_validated()}
    return json.dumps({"source": source_digest(), "checks": checks}, indent=1, ensure_ascii=False) + "\n"


def from_sources() -> dict[str, Check]:
    """Every check by ID, read from `checks/*.yaml` and validated (slow: YAML and jsonschema)."""
    return {path.stem: _to_check(data) for path, data in _read_validated()}


def _read_validated() -> list[tuple[Path, Any]]:
    from nhilint.catalogue.schema import validate

    entries = read_raw()
    for path, data in entries:
        validate(data, "check", what=f"rule catalogue entry {path.name}")
        if path.stem != data["id"]:
            raise ValueError(f"rule catalogue entry {path.name} declares id {data['id']}")
    return entries


def unknown_rule(prefix: str, ids: Iterable[str]) -> str | None:
    """Why `prefix` (an ID like NHI101 or a prefix like NHI2) names no rule, with the closest valid
    one; None when it names at least one. A typo must never turn a rule, or the linter, off."""
    import difflib

    from nhilint.knowledge.redaction import redact

    ids = sorted(ids)
    if any(i.startswith(prefix) for i in ids):
        return None
    same_length = sorted({i[: len(prefix)] for i in ids})  # NHI5 -> NHI4, NHI999 -> NHI404
    candidates = same_length if len(prefix) < 5 else [*ids, *same_length]
    close = difflib.get_close_matches(prefix, candidates, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]}?" if close else "; `nhilint rules` lists them"
    # A rule ID is 6 characters: a longer value is quoted as its redacted prefix, since a pasted
    # key (`ignore: [AKIA...]`) must not reach the log whole.
    shown = prefix if len(prefix) < 8 else redact(prefix)
    return f"{shown!r} is not a rule ID or prefix{hint}"
