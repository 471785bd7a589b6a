"""The machine-identity inventory: every identity a scan declares or runs as, and what touches it.

Built from facts (not from findings text): an `Identity` plus the Credentials, Trusts, trust
PolicyStatements, Lifetimes, Grants and Workloads that name its address; owner and expiry come
from the configured tag keys; the privilege summary and the rule IDs come from the findings on that
identity. Identities that workloads run as without declaring them (a namespace's `default`
ServiceAccount) are listed too, marked `declared: false`.

Cross-format links use only what the files say: a ServiceAccount's workload-identity annotation
(IRSA role ARN, GKE service-account email) and a workflow's `role-to-assume` are matched to the
identity of that name in the scan.
"""

from __future__ import annotations

import re
from collections import defaultdict
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from nhilint.config import Config, Configs
from nhilint.facts import (
    AgentServer,
    Credential,
    Fact,
    Grant,
    Identity,
    Lifetime,
    Loc,
    PolicyStatement,
    StringValue,
    Trust,
    Workload,
)
from nhilint.findings import Finding, severity_rank, shown
from nhilint.inventory.agents import attach_agent_servers
from nhilint.inventory.model import COLUMNS, RISKS, Entry, Inventory
from nhilint.inventory.output import render

__all__ = ["COLUMNS", "Entry", "Inventory", "render"]  # re-exported: `inventory.render(...)` and friends

# Findings that say what an identity can do, strongest first.
PRIVILEGE_RULES = (
    ("admin", ("NHI204", "NHI207")),
    ("escalation", ("NHI203",)),
    ("wildcard", ("NHI201", "NHI206")),
)
GRANTEE_KINDS = {
    "service_account": ("k8s_service_account", "gcp_service_account"),
    "role": ("aws_iam_role",),
    "user": ("aws_iam_user",),
    "service_principal": ("azure_service_principal", "azure_application", "azure_managed_identity"),
}
# CI settings that name the AWS role a job assumes: GitHub's `role-to-assume`, a Bitbucket pipe's
# `AWS_OIDC_ROLE_ARN`.
_ROLE_KEYS = frozenset({"role-to-assume", "AWS_OIDC_ROLE_ARN"})
# CircleCI `aws-cli/setup`'s `role_arn`: a CI setting only (Terraform's `role_arn` attributes are not).
_CI_ROLE_KEYS = frozenset({"role_arn"})
_ROLE_ARN = re.compile(r":role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")


def build(paths: list[Path], config: Config | Configs, root: Path, today: date | None = None) -> Inventory:
    """Scan `paths` and inventory the identities found, each read with its own file's configuration."""
    from nhilint.pipeline.scan import scan

    configs = config if isinstance(config, Configs) else Configs(explicit=config)
    result = scan(paths, configs, root=root)
    return inventory(result.facts, result.unfolded, configs, today or date.today(), root)


def inventory(
    facts: list[Fact],
    findings: list[Finding],
    config: Config | Configs,
    today: date,
    root: Path | None = None,
) -> Inventory:
    configs = config if isinstance(config, Configs) else Configs(explicit=config)
    base = root or Path.cwd()
    by_type: dict[type, list[Any]] = defaultdict(list)
    for fact in facts:
        by_type[type(fact)].append(fact)
    # a module's identities as declared, not their copies judged for each caller of the module
    identities: list[Identity] = [i for i in by_type[Identity] if not i.via]
    entries = {i.address or i.name: _declared(i, configs.at(base / i.loc.file), today) for i in identities}
    for workload in by_type[Workload]:
        key = workload.identity
        if key and key not in entries and workload.platform == "kubernetes":
            entries[key] = _undeclared(key, workload)
    _attach(entries, by_type)
    attach_agent_servers(entries, by_type[AgentServer])
    _link(entries, identities, by_type[StringValue])
    # From here on every entry is as it may be shown (every format renders these fields), and its
    # name matches the findings' identity names, which are redacted the same way.
    entries = {key: _redacted(entry) for key, entry in entries.items()}
    _judge(entries, findings)
    ordered = sorted(entries.values(), key=lambda e: (RISKS.index(e.risk), e.provider, e.kind, e.name))
    return Inventory(ordered, today)


def _declared(identity: Identity, config: Config, today: date) -> Entry:
    tags = {k.lower(): v for k, v in identity.tags.items()}
    owner = next((tags[k] for k in config.owner_keys if tags.get(k)), None)
    expires = next((tags[k] for k in config.expiry_keys if tags.get(k)), None)
    name = " ".join(identity.name.split())  # a name cut short by a syntax error may span lines
    entry = Entry(
        identity.kind,
        identity.provider,
        name,
        identity.address or identity.name,
        identity.loc.file,
        identity.loc.line,
        owner=owner,
        expires=expires,
    )
    if expires:
        # not a date: NHI302 says so; the inventory shows the text as written
        with suppress(ValueError):
            entry.days_left = (date.fromisoformat(expires.strip()[:10]) - today).days
    return entry


def _redacted(entry: Entry) -> Entry:
    """`entry` with every text in it on one line and every credential in it cut to its redacted
    prefix, as in findings: a key in a name, a token in an owner tag or a trust principal, a
    password in an expiry URL are never printed."""

    def safe(value: Any) -> Any:
        if isinstance(value, str):
            return shown(value)
        if isinstance(value, list):
            return [shown(item) for item in value]
        return value

    return replace(entry, **{name: safe(getattr(entry, name)) for name in entry.__struct_fields__})


def _undeclared(key: str, workload: Workload) -> Entry:
    """A ServiceAccount a workload runs as but no manifest in the scan declares (often `default`)."""
    loc = workload.identity_loc or workload.loc
    name = key.removeprefix("ServiceAccount/")
    return Entry("k8s_service_account", "kubernetes", name, key, loc.file, loc.line, declared=False)


def _where(loc: Loc) -> str:
    return f"{loc.file}:{loc.line}"


def _attach(entries: dict[str, Entry], by_type: dict[type, list[Any]]) -> None:
    """Credentials, trusts, lifetimes, grants and workloads that name an identity's address."""
    for c in by_type[Credential]:
        if c.identity in entries:
            entries[c.identity].credentials.append(f"static {c.kind} ({_where(c.loc)})")
    for t in by_type[Trust]:
        if t.identity in entries:
            entries[t.identity].credentials.append(
                f"federated {t.kind} {t.issuer} sub={t.subject or '*'} ({_where(t.loc)})"
            )
    for s in by_type[PolicyStatement]:
        if s.policy_kind == "trust" and s.identity in entries and s.effect == "Allow":
            who = ", ".join(f"{kind}: {' '.join(values)}" for kind, values in sorted(s.principals.items()))
            entries[s.identity].credentials.append(f"trust {who or 'unknown principal'} ({_where(s.loc)})")
    for life in by_type[Lifetime]:
        if life.identity in entries:
            ttl = "unbounded" if life.seconds is None else f"{life.seconds}s"
            entries[life.identity].credentials.append(f"TTL {life.setting}={ttl} ({_where(life.loc)})")
    for w in by_type[Workload]:
        if w.identity in entries:
            entries[w.identity].workloads.append(f"{w.kind} {w.name} ({_where(w.loc)})")
    granted = {g.identity for g in by_type[Grant]} | {
        s.identity for s in by_type[PolicyStatement] if s.policy_kind == "identity"
    }
    for key in granted & entries.keys():
        entries[key].privilege = "scoped"  # raised below when a privilege finding names it


def _link(entries: dict[str, Entry], identities: list[Identity], strings: list[StringValue]) -> None:
    """Join identities across formats by the names the files write."""
    by_name = {(i.provider, i.name): entries[i.address or i.name] for i in identities}
    for identity in identities:
        for provider, reference in identity.workload_identity.items():
            target = by_name.get((provider, _referenced_name(provider, reference)))
            if target is not None:
                source = entries[identity.address or identity.name]
                source.links.append(f"runs as {target.kind} {target.name} ({target.location})")
                target.links.append(f"assumed by {source.kind} {source.name} ({source.location})")
    for s in strings:
        role_key = s.key in _ROLE_KEYS or (s.key in _CI_ROLE_KEYS and s.context == "ci-variable")
        if role_key and (target := by_name.get(("aws", _referenced_name("aws", s.value)))):
            target.links.append(f"assumed by workflow {s.loc.file}:{s.loc.line}")


def _referenced_name(provider: str, reference: str) -> str:
    if provider == "aws":
        match = _ROLE_ARN.search(reference)
        return match.group(1) if match else reference
    if provider == "gcp":
        return reference.split("@", 1)[0]
    return reference


def _judge(entries: dict[str, Entry], findings: list[Finding]) -> None:
    """Rule IDs, privilege and risk of each identity from the findings that name it."""
    named: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.identity is not None:
            named[f.identity.name].append(f)
    for entry in entries.values():
        found = [f for f in named.get(entry.address, []) + named.get(entry.name, []) if _names(f, entry)]
        entry.rules = sorted({f.rule_id for f in found})
        for level, rule_ids in PRIVILEGE_RULES:
            if any(r in rule_ids for r in entry.rules):
                entry.privilege = level
                break
        worst = max((severity_rank(f.severity) for f in found), default=-1)
        entry.risk = {2: "high", 1: "medium", 0: "low"}.get(worst, "none")


def _names(finding: Finding, entry: Entry) -> bool:
    """Whether a finding is about this identity: by address, or by name and a matching kind (rules
    about grants name the grantee with `Grant.grantee_kind`)."""
    ref = finding.identity
    if ref is None:
        return False
    if ref.name == entry.address:
        return True
    return ref.name == entry.name and (
        ref.kind == entry.kind or entry.kind in GRANTEE_KINDS.get(ref.kind, ())
    )
