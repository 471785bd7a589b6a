"""The identities the owner and expiry rules (NHI301, NHI302) judge and where one edit fixes them:
people's AWS identities left out (also NHI303), kustomize labels and overlays applied, ServiceAccounts
of charts not in the repository grouped per chart.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator

from msgspec.structs import replace

from nhilint.facts import (
    Credential,
    Identity,
    Kustomize,
    Loc,
    PolicyStatement,
)
from nhilint.findings import Finding, FixPlace, IdentityRef, Related
from nhilint.knowledge import iam, releases
from nhilint.rules import RuleContext
from nhilint.rules._shared import lifecycle_cause


def tag_of(identity: Identity, keys: tuple[str, ...]) -> tuple[str, str] | None:
    """(key as written, value) of the first tag whose key is one of `keys`, case-insensitively."""
    for key, value in identity.tags.items():
        if key.lower() in keys and str(value).strip():
            return key, str(value).strip()
    return None


def lifecycle_fix(ctx: RuleContext, identity: Identity) -> tuple[str, ...]:
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


def charts_in_scan(ctx: RuleContext) -> set[str]:
    """Charts whose templates are in the scan (Helm's layout: `<chart>/templates/...`)."""
    return releases.charts_in_scan(ctx.formats)


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


def judged_identities(ctx: RuleContext) -> tuple[list[Identity], dict[tuple[str, str], list[Identity]]]:
    """The machine identities whose tags are known, one by one, and those rendered from a chart
    that is not in the repository or from a third-party release (knowledge.releases), by chart or
    release and in file order: their labels are upstream's choice."""
    persons = people(ctx)
    charts = charts_in_scan(ctx)
    own: list[Identity] = []
    upstream: dict[tuple[str, str], list[Identity]] = defaultdict(list)
    by_target = _deployed_by(ctx)
    for declared in sorted(ctx.of(Identity), key=lambda i: (i.loc.file, i.loc.line, i.loc.col)):
        identity = _kustomized(declared, by_target)
        if not identity.tags_known or (identity.provider == "aws" and identity.address in persons):
            continue
        origin = releases.upstream(declared, charts)  # its own labels, not a kustomization's
        if origin:
            upstream[origin].append(identity)
        else:
            own.append(identity)
    return own, upstream


def chart_notes(
    ctx: RuleContext, rule_id: str, upstream: dict[tuple[str, str], list[Identity]], missing: str
) -> Iterator[Finding]:
    """One note per chart or release for the rendered identities that lack `missing` (owner,
    expiry), at the first one (in file order), with the others as related locations: `helm template
    --output-dir` writes one file per template, so a chart's ServiceAccounts are often spread over
    many files."""
    for (origin, chart), identities in sorted(upstream.items()):
        first, *others = identities
        keys = " or ".join(getattr(ctx.config_at(first.loc), f"{missing}_keys"))
        files = len({i.loc.file for i in identities})
        where = "not in this repository" if origin == "chart" else "rendered upstream"
        who = (
            f"ServiceAccount {first.name} of {origin} {chart} ({where}) has"
            if not others
            else f"{len(identities)} ServiceAccounts of {origin} {chart} ({where}"
            + (f", in {files} files" if files > 1 else "")
            + f"), {first.name} first, have"
        )
        how = (
            "through the chart's values (common labels) where you install it"
            if origin == "chart"
            else "where you deploy it (labels in the kustomization that lists it)"
        )
        kind = upstream_kind(origin)
        yield ctx.finding(
            rule_id,
            first.tags_loc or first.loc,
            f"{who} no {missing} ({keys} label): set it {how}.",
            identity=IdentityRef(kind, chart),
            fix=lifecycle_fix(ctx, first),
            severity="note",
            related=[Related(i.tags_loc or i.loc, f"ServiceAccount {i.name}") for i in others],
            cause=upstream_cause(origin, chart),
            clause=f"no {missing} ({keys} label)",
        )


def upstream_kind(origin: str) -> str:
    """The identity kind of a chart's or a release's lifecycle note (`origin` from knowledge.releases)."""
    return "helm_chart" if origin == "chart" else "release"


def upstream_cause(origin: str, chart: str) -> str:
    """The root cause of everything lifecycle a chart or release not in the repository chose (its
    labels, its token lifetimes): set where it is installed, so one finding per file."""
    return lifecycle_cause(upstream_kind(origin), chart)


def lacking_through(identity: Identity) -> str:
    """What a reusable module's identity judged for a call (`identity.via`) lacks it from, too."""
    if not identity.via:
        return ""
    if identity.provider == "aws":
        return ", neither here nor in its caller's provider default_tags"
    return " with the values its caller passes"


def identity_cause(identity: Identity) -> str:
    """One finding per identity, and per call site for a module's identity judged for its callers."""
    call = identity.via[0].loc if identity.via else None
    return lifecycle_cause(identity.kind, identity.name, f"{call.file}:{call.line}" if call else "")


def fix_place_of(ctx: RuleContext, rule_id: str, identity: Identity) -> FixPlace | None:
    """Where one edit gives this identity an owner and expiry with its neighbours: the kustomization
    listing it (labels), the aws provider block of its root module or of the caller it is judged for
    (default_tags), its CloudFormation template (the stack's tags), the Kubernetes manifest file no
    kustomization lists (a kustomization wrapping it); None for the identity alone."""
    check = ctx.catalogue[rule_id]
    fmt = ctx.format_of(identity.loc)
    if identity.fix_place is not None and fmt in ctx.tags_at_place:
        fix, name = ctx.tags_at_place[fmt]
        where = identity.fix_place
        return FixPlace(
            f"lifecycle:{where.file}:{where.line}",
            where,
            name.format(place=identity.fix_place_name),
            check.suggestion(fix),
        )
    if fmt in ctx.tags_at_file:
        fix, name = ctx.tags_at_file[fmt]
        file = identity.loc.file
        return FixPlace(f"lifecycle:{file}", None, name.format(file=file), check.suggestion(fix))
    return None
