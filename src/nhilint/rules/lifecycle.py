"""NHI3xx: owner, expiry, lifetimes and rotation."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

from nhilint.facts import (
    Credential,
    Identity,
    Kustomize,
    Lifetime,
    Loc,
    PolicyStatement,
    Rotation,
    StoredSecret,
)
from nhilint.findings import Finding, FixPlace, IdentityRef, Related
from nhilint.fold import lifecycle_cause
from nhilint.knowledge import iam
from nhilint.knowledge.secrets import stored_credential
from nhilint.rules import RuleContext, rule


def _tag(identity: Identity, keys: tuple[str, ...]) -> tuple[str, str] | None:
    """(key as written, value) of the first tag whose key is one of `keys`, case-insensitively."""
    for key, value in identity.tags.items():
        if key.lower() in keys and str(value).strip():
            return key, str(value).strip()
    return None


def _fix(ctx: RuleContext, identity: Identity) -> tuple[str, ...]:
    return (f"{ctx.format_of(identity.loc)}-{identity.provider}",)


def people(ctx: RuleContext) -> set[str]:
    """Addresses of people's AWS identities, not machine identities: the roles whose trust admits
    only people, and the IAM users with a console password (a login profile)."""
    trust: dict[str, list[PolicyStatement]] = defaultdict(list)
    for statement in ctx.of(PolicyStatement):
        if statement.policy_kind == "trust" and statement.identity:
            trust[statement.identity].append(statement)
    roles = {address for address, statements in trust.items() if iam.admits_only_people(statements)}
    users = {c.identity for c in ctx.of(Credential) if c.kind == "aws_login_profile" and c.identity}
    return roles | users


def _charts_in_scan(ctx: RuleContext) -> set[str]:
    """Charts whose templates are in the scan (Helm's layout: `<chart>/templates/...`)."""
    charts = set()
    for file, fmt in ctx.formats.items():
        parts = file.split("/")
        if fmt == "helm-template" and "templates" in parts[1:-1]:
            charts.add(parts[parts.index("templates", 1) - 1])
    return charts


def _deployed_by(ctx: RuleContext) -> dict[str, list[Kustomize]]:
    """The kustomizations of the scan by each file or directory they deploy."""
    by_target: dict[str, list[Kustomize]] = defaultdict(list)
    for kustomization in ctx.of(Kustomize):
        for target in kustomization.deploys:
            by_target[target].append(kustomization)
    return by_target


def _kustomized(identity: Identity, by_target: dict[str, list[Kustomize]]) -> Identity:
    """A ServiceAccount as kustomize deploys it: with the labels and annotations of the innermost
    kustomization of the scan that lists its file, and those every overlay deploying that one's
    directory (a base) sets, transitively; that kustomization is where one edit labels them all."""
    if identity.provider != "kubernetes" or not by_target:
        return identity
    listing = sorted(by_target.get(identity.loc.file, []), key=lambda k: (-k.loc.file.count("/"), k.loc.file))
    if not listing:
        return identity
    tags, tag_locs = dict(identity.tags), dict(identity.tag_locs)
    for key, (value, loc) in _labels(listing[0], by_target, frozenset()).items():
        if key not in tags:
            tags[key], tag_locs[key] = value, loc
    where = listing[0].loc
    return replace(
        identity, tags=tags, tag_locs=tag_locs, fix_place=where, fix_place_name=f"kustomization {where.file}"
    )


def _labels(
    kustomization: Kustomize, by_target: dict[str, list[Kustomize]], seen: frozenset[str]
) -> dict[str, tuple[str, Loc]]:
    """The labels a kustomization's objects get: its own, and those every overlay that deploys its
    directory gives (one overlay without them deploys the base without them)."""
    seen = seen | {kustomization.loc.file}
    own = {key: (value, kustomization.label_locs[key]) for key, value in kustomization.labels.items()}
    overlays = [
        k for k in by_target.get(posixpath.dirname(kustomization.loc.file), []) if k.loc.file not in seen
    ]
    common: dict[str, tuple[str, Loc]] | None = None
    for overlay in overlays:
        given = _labels(overlay, by_target, seen)
        common = given if common is None else {key: common[key] for key in common if key in given}
    return {**(common or {}), **own}


def _judged(ctx: RuleContext) -> tuple[list[Identity], dict[str, list[Identity]]]:
    """The machine identities whose tags are known, one by one, and those rendered from a chart
    that is not in the repository, by chart and in file order: their labels are upstream's choice."""
    persons = people(ctx)
    charts = _charts_in_scan(ctx)
    own: list[Identity] = []
    upstream: dict[str, list[Identity]] = defaultdict(list)
    by_target = _deployed_by(ctx)
    for declared in sorted(ctx.of(Identity), key=lambda i: (i.loc.file, i.loc.line, i.loc.col)):
        identity = _kustomized(declared, by_target)
        if not identity.tags_known or (identity.provider == "aws" and identity.address in persons):
            continue
        if identity.chart and identity.chart not in charts:
            upstream[identity.chart].append(identity)
        else:
            own.append(identity)
    return own, upstream


def _rendered(
    ctx: RuleContext, rule_id: str, upstream: dict[str, list[Identity]], missing: str
) -> Iterator[Finding]:
    """One note per chart for the rendered identities that lack `missing` (owner, expiry), at the
    first one (in file order), with the others as related locations: `helm template --output-dir`
    writes one file per template, so a chart's ServiceAccounts are often spread over many files."""
    for chart, identities in sorted(upstream.items()):
        first, *others = identities
        keys = " or ".join(getattr(ctx.config_at(first.loc), f"{missing}_keys"))
        files = len({i.loc.file for i in identities})
        who = (
            f"ServiceAccount {first.name} of chart {chart} (not in this repository) has"
            if not others
            else f"{len(identities)} ServiceAccounts of chart {chart} (not in this repository"
            + (f", in {files} files" if files > 1 else "")
            + f"), {first.name} first, have"
        )
        yield ctx.finding(
            rule_id,
            first.tags_loc or first.loc,
            f"{who} no {missing} ({keys} label): set it through the chart's values (common labels) "
            "where you install it.",
            identity=IdentityRef("helm_chart", chart),
            fix=_fix(ctx, first),
            severity="note",
            related=[Related(i.tags_loc or i.loc, f"ServiceAccount {i.name}") for i in others],
            cause=lifecycle_cause("helm_chart", chart),
            clause=f"no {missing} ({keys} label)",
        )


def _through(identity: Identity) -> str:
    """What a reusable module's identity judged for a call (`identity.via`) lacks it from, too."""
    if not identity.via:
        return ""
    if identity.provider == "aws":
        return ", neither here nor in its caller's provider default_tags"
    return " with the values its caller passes"


def _cause(identity: Identity) -> str:
    """One finding per identity, and per call site for a module's identity judged for its callers."""
    call = identity.via[0].loc if identity.via else None
    return lifecycle_cause(identity.kind, identity.name, f"{call.file}:{call.line}" if call else "")


def _place(ctx: RuleContext, rule_id: str, identity: Identity) -> FixPlace | None:
    """Where one edit gives this identity an owner and expiry with its neighbours: the kustomization
    listing it (labels), the aws provider block of its root module or of the caller it is judged for
    (default_tags), its CloudFormation template (the stack's tags); None for the identity alone."""
    check = ctx.catalogue[rule_id]
    if identity.fix_place is not None:
        fix = "kustomization" if identity.provider == "kubernetes" else "terraform-aws-default-tags"
        where = identity.fix_place
        name = (
            f"labels in the {identity.fix_place_name} that lists them"
            if identity.provider == "kubernetes"
            else f"default_tags in the {identity.fix_place_name}"
        )
        return FixPlace(f"lifecycle:{where.file}:{where.line}", where, name, check.suggestion(fix))
    if ctx.format_of(identity.loc) == "cloudformation":
        file, stack = identity.loc.file, check.suggestion("cloudformation-stack")
        return FixPlace(
            f"lifecycle:{file}", None, f"tags on the stack of template {file}, or Tags on each", stack
        )
    return None


@rule("NHI301")
def missing_owner(ctx: RuleContext) -> Iterator[Finding]:
    own, upstream = _judged(ctx)

    def lacks(identity: Identity) -> bool:
        keys = ctx.config_at(identity.loc).owner_keys
        return not (identity.tags_open or identity.has_owners or _tag(identity, keys))

    for identity in own:
        if not lacks(identity):
            continue
        keys = ctx.config_at(identity.loc).owner_keys
        yield ctx.finding(
            "NHI301",
            identity.tags_loc or identity.loc,
            f"{identity.kind} {identity.name} has no owner ({' or '.join(keys)} tag){_through(identity)}: "
            "nobody will offboard it when its task ends.",
            identity=identity,
            fix=_fix(ctx, identity),
            related=identity.via,
            cause=_cause(identity),
            clause=f"no owner ({' or '.join(keys)} tag)",
            place=_place(ctx, "NHI301", identity),
        )
    lacking = {chart: [i for i in identities if lacks(i)] for chart, identities in upstream.items()}
    yield from _rendered(ctx, "NHI301", {group: found for group, found in lacking.items() if found}, "owner")


@rule("NHI302")
def missing_expiry(ctx: RuleContext) -> Iterator[Finding]:
    own, upstream = _judged(ctx)
    lacking: dict[str, list[Identity]] = defaultdict(list)
    for chart, identities in upstream.items():
        for identity in identities:
            if _tag(identity, ctx.config_at(identity.loc).expiry_keys) is None and not identity.tags_open:
                lacking[chart].append(identity)
            else:
                own.append(identity)  # a written expiry is judged like any other
    for identity in own:
        config = ctx.config_at(identity.loc)
        keys, limit = config.expiry_keys, config.max_identity_lifetime_days
        found = _tag(identity, keys)
        if found is None:
            if identity.tags_open:
                continue  # the caller or deployer may set it
            clause = f"no expiry ({' or '.join(keys)} tag)"
            problem = f"has {clause}{_through(identity)}"
            loc = identity.tags_loc or identity.loc
            place = _place(ctx, "NHI302", identity)
        else:
            key, value = found
            loc = identity.tag_locs.get(key) or identity.tags_loc or identity.loc
            expiry_problem = _expiry_problem(value, ctx.today, limit)
            if expiry_problem is None:
                continue
            problem, clause = expiry_problem
            place = None  # the written value is the line to edit
        yield ctx.finding(
            "NHI302",
            loc,
            f"{identity.kind} {identity.name} {problem}.",
            identity=identity,
            fix=_fix(ctx, identity),
            related=identity.via,
            cause=_cause(identity),
            clause=clause,
            place=place,
        )
    yield from _rendered(ctx, "NHI302", lacking, "expiry")


def _expiry_problem(value: str, today: date, limit: int) -> tuple[str, str] | None:
    """What is wrong with an expiry tag's value: as a message, and as a clause of a folded one."""
    try:
        expires = date.fromisoformat(value[:10]) if len(value) >= 10 else date.fromisoformat(value)
    except ValueError:
        problem = f"an expiry {value!r} that is not an ISO date (YYYY-MM-DD)"
        return f"has {problem}", problem
    days = (expires - today).days
    if days < 0:
        return (
            f"expired {-days} days ago ({expires.isoformat()}): offboard it or renew the review",
            f"an expiry {expires.isoformat()} that passed {-days} days ago",
        )
    if days > limit:
        return (
            f"expires in {days} days ({expires.isoformat()}), beyond the {limit}-day limit",
            f"an expiry {expires.isoformat()} beyond the {limit}-day limit",
        )
    return None


def _duration(seconds: int) -> str:
    if seconds % 86400 == 0 and seconds >= 86400:
        return f"{seconds // 86400} d"
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{seconds} s"


@rule("NHI303")
def credential_ttl_too_long(ctx: RuleContext) -> Iterator[Finding]:
    persons = people(ctx)
    for lifetime in ctx.of(Lifetime):
        if lifetime.identity in persons:
            continue  # a person's session (SSO, MFA): not a machine credential
        limit = ctx.config_at(lifetime.loc).max_credential_ttl_seconds
        if lifetime.seconds is not None and lifetime.seconds <= limit:
            continue
        found = (
            "unbounded"
            if lifetime.seconds is None
            else f"{lifetime.seconds} s ({_duration(lifetime.seconds)})"
        )
        owner = ctx.identity(lifetime.identity)
        name = owner.name if owner else (lifetime.identity or "this credential")
        origin = f" by {lifetime.origin}" if lifetime.origin else ""
        yield ctx.finding(
            "NHI303",
            lifetime.loc,
            f"`{lifetime.setting}` of {name} is {found}{origin}, above the limit of {limit} s "
            f"({_duration(limit)}): a stolen credential stays valid that long.",
            identity=owner or IdentityRef("credential", name),
            fix=f"{ctx.format_of(lifetime.loc)}-{lifetime.platform}" if lifetime.platform else None,
            related=lifetime.via,
        )


@rule("NHI304")
def secret_without_rotation(ctx: RuleContext) -> Iterator[Finding]:
    rotated = {r.secret for r in ctx.of(Rotation)}
    for secret in ctx.of(StoredSecret):
        if secret.rotated or secret.address in rotated or (secret.name and secret.name in rotated):
            continue
        why = stored_credential(secret.name, secret.description, secret.value_keys, secret.generated)
        if why is None:
            continue  # configuration kept in a secret store (an ARN, a bucket), or nothing says
        where = " in this scan" if secret.missing == "rotation schedule" else ""
        yield ctx.finding(
            "NHI304",
            secret.loc,
            f"secret {secret.name or secret.address} holds a credential ({why}) and has no "
            f"{secret.missing}{where}: a copy taken once works until someone changes it.",
            identity=IdentityRef("secret", secret.name or secret.address),
            fix=f"{ctx.format_of(secret.loc)}-{_PLATFORMS.get(secret.address.split('_', 1)[0], 'aws')}",
        )


_PLATFORMS = {"aws": "aws", "azurerm": "azure", "google": "gcp"}  # Terraform type prefix -> fix key
