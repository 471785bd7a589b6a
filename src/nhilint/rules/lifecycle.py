"""NHI3xx: owner, expiry, lifetimes and rotation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from nhilint.facts import Identity, Lifetime, Rotation, StoredSecret
from nhilint.findings import Finding, IdentityRef
from nhilint.fold import lifecycle_cause
from nhilint.rules import RuleContext, rule


def _tag(identity: Identity, keys: tuple[str, ...]) -> tuple[str, str] | None:
    """(key as written, value) of the first tag whose key is one of `keys`, case-insensitively."""
    for key, value in identity.tags.items():
        if key.lower() in keys and str(value).strip():
            return key, str(value).strip()
    return None


def _fix(ctx: RuleContext, identity: Identity) -> tuple[str, ...]:
    return (f"{ctx.format_of(identity.loc)}-{identity.provider}",)


@rule("NHI301")
def missing_owner(ctx: RuleContext) -> Iterator[Finding]:
    for identity in ctx.of(Identity):
        keys = ctx.config_at(identity.loc).owner_keys
        if not identity.tags_known or identity.has_owners or _tag(identity, keys):
            continue
        yield ctx.finding(
            "NHI301",
            identity.tags_loc or identity.loc,
            f"{identity.kind} {identity.name} has no owner ({' or '.join(keys)} tag): nobody will offboard "
            "it when its task ends.",
            identity=identity,
            fix=_fix(ctx, identity),
            cause=lifecycle_cause(identity.kind, identity.name),
            clause=f"no owner ({' or '.join(keys)} tag)",
        )


@rule("NHI302")
def missing_expiry(ctx: RuleContext) -> Iterator[Finding]:
    for identity in ctx.of(Identity):
        if not identity.tags_known:
            continue
        config = ctx.config_at(identity.loc)
        keys, limit = config.expiry_keys, config.max_identity_lifetime_days
        found = _tag(identity, keys)
        if found is None:
            problem = f"has no expiry ({' or '.join(keys)} tag)"
            clause = problem.removeprefix("has ")
            loc = identity.tags_loc or identity.loc
        else:
            key, value = found
            loc = identity.tag_locs.get(key) or identity.tags_loc or identity.loc
            expiry_problem = _expiry_problem(value, ctx.today, limit)
            if expiry_problem is None:
                continue
            problem, clause = expiry_problem
        yield ctx.finding(
            "NHI302",
            loc,
            f"{identity.kind} {identity.name} {problem}.",
            identity=identity,
            fix=_fix(ctx, identity),
            cause=lifecycle_cause(identity.kind, identity.name),
            clause=clause,
        )


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
    for lifetime in ctx.of(Lifetime):
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
        yield ctx.finding(
            "NHI303",
            lifetime.loc,
            f"`{lifetime.setting}` of {name} is {found}, above the limit of {limit} s "
            f"({_duration(limit)}): a stolen credential stays valid that long.",
            identity=owner or IdentityRef("credential", name),
            fix=f"{ctx.format_of(lifetime.loc)}-{lifetime.platform}" if lifetime.platform else None,
        )


@rule("NHI304")
def secret_without_rotation(ctx: RuleContext) -> Iterator[Finding]:
    rotated = {r.secret for r in ctx.of(Rotation)}
    for secret in ctx.of(StoredSecret):
        if secret.rotated or secret.address in rotated or (secret.name and secret.name in rotated):
            continue
        yield ctx.finding(
            "NHI304",
            secret.loc,
            f"secret {secret.name or secret.address} has no rotation schedule in this scan.",
            identity=IdentityRef("secret", secret.name or secret.address),
        )
