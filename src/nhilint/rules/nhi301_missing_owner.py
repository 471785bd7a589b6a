"""NHI301 missing-owner: A machine identity has no owner tag, so nobody offboards it when its task
ends."""

from __future__ import annotations

from collections.abc import Iterator

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


@rule("NHI301")
def missing_owner(ctx: RuleContext) -> Iterator[Finding]:
    own, upstream = judged_identities(ctx)

    def lacks(identity: Identity) -> bool:
        keys = ctx.config_at(identity.loc).owner_keys
        return not (identity.tags_open or identity.has_owners or tag_of(identity, keys))

    for identity in own:
        if not lacks(identity):
            continue
        keys = ctx.config_at(identity.loc).owner_keys
        yield ctx.finding(
            "NHI301",
            identity.tags_loc or identity.loc,
            f"{identity.kind} {identity.name} has no owner ({' or '.join(keys)} tag)"
            f"{lacking_through(identity)}: nobody will offboard it when its task ends.",
            identity=identity,
            fix=lifecycle_fix(ctx, identity),
            related=identity.via,
            cause=identity_cause(identity),
            clause=f"no owner ({' or '.join(keys)} tag)",
            place=fix_place_of(ctx, "NHI301", identity),
        )
    lacking = {chart: [i for i in identities if lacks(i)] for chart, identities in upstream.items()}
    yield from chart_notes(
        ctx, "NHI301", {group: found for group, found in lacking.items() if found}, "owner"
    )
