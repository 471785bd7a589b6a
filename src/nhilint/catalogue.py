"""The rule catalogue: one YAML file per rule under `checks/`, shipped inside the wheel.

The catalogue is data; docs, `nhilint rules`, `nhilint explain` and SARIF rule metadata are all
rendered from it, and its examples double as tests.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nhilint.findings import Suggestion


@dataclass(frozen=True)
class Example:
    name: str
    expect: str  # fail | pass
    filename: str
    code: str
    lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class Check:
    id: str
    slug: str
    family: str
    severity: str
    owasp: str
    formats: tuple[str, ...]
    summary: str
    rationale: str
    precision: str
    remediation: dict[str, Suggestion] = field(default_factory=dict)
    examples: tuple[Example, ...] = ()

    @property
    def owasp_title(self) -> str:
        return OWASP_TITLES.get(self.owasp, self.owasp)

    def suggestion(self, *fixes: str | None) -> Suggestion:
        """The first remediation of `fixes` (most specific first) the entry has, else its default.

        Keys name a format and, where it matters, a platform: `terraform-aws`, `cloudformation`,
        `kubernetes`, `github-actions-gcp`; a key `terraform-aws` also falls back to `terraform`.
        """
        for fix in fixes:
            while fix:
                if fix in self.remediation:
                    return self.remediation[fix]
                fix = fix.rpartition("-")[0] if fix.count("-") and fix not in FORMAT_KEYS else ""
        return self.remediation["default"]


FORMAT_KEYS = frozenset({"terraform", "cloudformation", "kubernetes", "github-actions", "gitlab-ci"})

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


def checks_dir() -> Path:
    """`nhilint/checks` inside an installed wheel, or `checks/` at the root of a checkout."""
    packaged = Path(__file__).resolve().parent / "checks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "checks"


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
        remediation=remediation,
        examples=examples,
    )


def read_raw() -> list[tuple[Path, Any]]:
    from nhilint.parse.yaml import load_plain

    return [(p, load_plain(p.read_text(encoding="utf-8"))) for p in sorted(checks_dir().glob("NHI*.yaml"))]


@functools.lru_cache(maxsize=1)
def load() -> dict[str, Check]:
    """Every check by ID, validated against `schemas/check.schema.json`.

    Reading and validating 27 YAML files costs more than a whole one-file scan should, so the
    validated catalogue is cached, keyed by the entries' names, sizes and mtimes and the schema.
    """
    from nhilint import cache
    from nhilint.schema import schema_text

    paths = sorted(checks_dir().glob("NHI*.yaml"))
    code = Path(__file__).stat()  # an edited Check class must not be answered from old entries
    stamp = [schema_text("check"), f"{code.st_size}:{code.st_mtime_ns}"]
    stamp += [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in paths]
    digest = hashlib.sha256("\n".join(stamp).encode()).hexdigest()
    catalogue = cache.load(digest, "catalogue", (Check, Example, Suggestion))
    if not isinstance(catalogue, dict) or not all(isinstance(c, Check) for c in catalogue.values()):
        catalogue = _read_validated()
        cache.store(digest, catalogue, "catalogue")
    return catalogue


def _read_validated() -> dict[str, Check]:
    from nhilint.schema import validate

    catalogue: dict[str, Check] = {}
    for path, data in read_raw():
        validate(data, "check", what=f"rule catalogue entry {path.name}")
        check = _to_check(data)
        if path.stem != check.id:
            raise ValueError(f"rule catalogue entry {path.name} declares id {check.id}")
        catalogue[check.id] = check
    return catalogue


def unknown_rule(prefix: str, ids: Iterable[str]) -> str | None:
    """Why `prefix` (an ID like NHI101 or a prefix like NHI2) names no rule, with the closest valid
    one; None when it names at least one. A typo must never turn a rule, or the linter, off."""
    import difflib

    from nhilint.secrets import redact

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
