"""Rules: functions over facts. A rule never parses, and never imports a format.

One module per rule ID, `nhi<id>_<slug>.py` (docs/architecture.md); `_`-prefixed modules hold what
several rules share. A rule module registers its functions with `@rule("NHI101")`; each function
takes a `RuleContext` and yields findings built with `ctx.finding(...)`, which fills in the slug,
severity and the catalogue's suggestion for the platform the rule names.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TypeVar

from msgspec import Struct, field

from nhilint.catalogue import Check
from nhilint.config import Config, Configs
from nhilint.facts import Fact, Identity, Loc, Via
from nhilint.findings import Finding, FixPlace, IdentityRef, InternalError, Related

RuleFunc = Callable[["RuleContext"], Iterable[Finding]]
F = TypeVar("F", bound=Fact)

_REGISTRY: dict[str, list[RuleFunc]] = defaultdict(list)


def rule(rule_id: str) -> Callable[[RuleFunc], RuleFunc]:
    def register(func: RuleFunc) -> RuleFunc:
        _REGISTRY[rule_id].append(func)
        return func

    return register


def registry() -> dict[str, list[RuleFunc]]:
    """Every rule function by ID, importing each module of this package once."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(_REGISTRY)


class RuleContext(Struct):
    facts: list[Fact]
    config: Config
    catalogue: dict[str, Check]
    formats: dict[str, str] = field(default_factory=dict)  # file -> format
    # From the format registry (rules never import formats): a CI fact's `ci` -> its format, and
    # format -> what a finding calls the thing a value is written in (`Format.ci`, `Format.noun`).
    ci_formats: dict[str, str] = field(default_factory=dict)
    nouns: dict[str, str] = field(default_factory=dict)
    loose_nouns: dict[str, str] = field(default_factory=dict)  # `Format.loose_noun`
    # A CI fact's `ci` -> `Format.unit_noun` and `Format.federates_with`; format -> `Format.literal_logins`,
    # `Format.tags_at_place` and `Format.tags_at_file`.
    unit_nouns: dict[str, str] = field(default_factory=dict)
    federates_with: dict[str, str] = field(default_factory=dict)
    literal_logins: dict[str, str] = field(default_factory=dict)
    tags_at_place: dict[str, tuple[str, str]] = field(default_factory=dict)
    tags_at_file: dict[str, tuple[str, str]] = field(default_factory=dict)
    today: date = field(default_factory=date.today)
    configs: Configs | None = None  # each file's own configuration; `config` when None
    root: Path = field(default_factory=Path.cwd)  # what finding paths are relative to
    _by_type: dict[type, list[Fact]] = field(default_factory=dict)
    _identities: dict[str, Identity] | None = None

    def of(self, kind: type[F]) -> list[F]:
        """All facts of one type, in scan order (indexed in one pass on first use)."""
        if not self._by_type and self.facts:
            for fact in self.facts:
                self._by_type.setdefault(type(fact), []).append(fact)
        return self._by_type.get(kind, [])  # type: ignore[return-value]

    def identity(self, address: str | None) -> Identity | None:
        if self._identities is None:
            # a module's identity as declared wins over its copies judged for each caller (`via`)
            by_copy = sorted(self.of(Identity), key=lambda i: not i.via)
            self._identities = {i.address: i for i in by_copy}
        return self._identities.get(address) if address else None

    def config_at(self, loc: Loc) -> Config:
        """The configuration of the file at `loc` (owner keys, limits, severities)."""
        return self.configs.at(os.path.join(self.root, loc.file)) if self.configs else self.config

    def format_of(self, loc: Loc) -> str:
        return self.formats.get(loc.file, "")

    def finding(
        self,
        rule_id: str,
        loc: Loc,
        message: str,
        identity: IdentityRef | Identity | None = None,
        fix: str | tuple[str, ...] | None = None,
        related: Iterable[Related | Via] = (),
        severity: str | None = None,
        cause: str | None = None,
        clause: str = "",
        place: FixPlace | None = None,
    ) -> Finding:
        """A finding with the catalogue's slug, severity (config overrides win over `severity`,
        which overrides the default) and the remediation for the first `fix` key it has, falling
        back to the file's format. Findings of one file with the same `cause` fold into one
        (nhilint.pipeline.fold); `clause` says what this one adds to the folded message."""
        check = self.catalogue[rule_id]
        if isinstance(identity, Identity):
            identity = IdentityRef(identity.kind, identity.name)
        fixes = (fix,) if isinstance(fix, str) or fix is None else fix
        return Finding(
            rule_id=rule_id,
            slug=check.slug,
            severity=self.config_at(loc).severity.get(rule_id, severity or check.severity),
            message=message,
            loc=loc,
            identity=identity,
            suggestion=check.suggestion(*fixes, self.format_of(loc)),
            related=[r if isinstance(r, Related) else Related(r.loc, r.message) for r in related],
            cause=cause,
            clause=clause,
            place=place,
        )


def run(ctx: RuleContext, errors: list[InternalError]) -> Iterator[Finding]:
    """Every enabled rule's findings; a rule that raises is a bug of ours, added to `errors`, and
    the other rules still run."""
    for rule_id, funcs in sorted(registry().items()):
        if rule_id in ctx.catalogue and ctx.config.enabled(rule_id):
            for func in funcs:
                try:
                    found = list(func(ctx))
                except Exception as exc:
                    if os.environ.get("NHILINT_DEBUG"):
                        raise
                    errors.append(InternalError.of(f"(rule {rule_id})", exc))
                    continue
                yield from found
