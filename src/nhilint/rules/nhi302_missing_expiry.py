"""NHI302 missing-expiry: A machine identity has no expiry or review date, or the date has passed or
lies too far out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from nhilint.facts import (
    Identity,
)
from nhilint.findings import Finding
from nhilint.rules import RuleContext, rule
from nhilint.rules._lifecycle import (
    chart_notes,
    fix_place_of,
    identity_cause,
    judged_identities,
    lacking_through,
    lifecycle_fix,
    tag_of,
)


@rule("NHI302")
def missing_expiry(ctx: RuleContext) -> Iterator[Finding]:
    own, upstream = judged_identities(ctx)
    lacking: dict[tuple[str, str], list[Identity]] = defaultdict(list)
    for chart, identities in upstream.items():
        for identity in identities:
            if tag_of(identity, ctx.config_at(identity.loc).expiry_keys) is None and not identity.tags_open:
                lacking[chart].append(identity)
            else:
                own.append(identity)  # a written expiry is judged like any other
    for identity in own:
        config = ctx.config_at(identity.loc)
        keys, limit = config.expiry_keys, config.max_identity_lifetime_days
        found = tag_of(identity, keys)
        if found is None:
            if identity.tags_open:
                continue  # the caller or deployer may set it
            clause = f"no expiry ({' or '.join(keys)} tag)"
            problem = f"has {clause}{lacking_through(identity)}"
            loc = identity.tags_loc or identity.loc
            place = fix_place_of(ctx, "NHI302", identity)
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
            fix=lifecycle_fix(ctx, identity),
            related=identity.via,
            cause=identity_cause(identity),
            clause=clause,
            place=place,
        )
    yield from chart_notes(ctx, "NHI302", lacking, "expiry")


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
