"""NHI303 credential-ttl-too-long: A credential or session lifetime is unbounded or longer than the
configured maximum."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import (
    Lifetime,
)
from nhilint.findings import Finding, IdentityRef
from nhilint.knowledge import releases
from nhilint.rules import RuleContext, rule
from nhilint.rules._lifecycle import charts_in_scan, people, upstream_cause


def _duration(seconds: int) -> str:
    if seconds % 86400 == 0 and seconds >= 86400:
        return f"{seconds // 86400} d"
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{seconds} s"


@rule("NHI303")
def credential_ttl_too_long(ctx: RuleContext) -> Iterator[Finding]:
    persons = people(ctx)
    charts = charts_in_scan(ctx)
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
        # a rendered third-party release's default (Istio's 12 h istio-token): a note, upstream's choice
        upstream = releases.upstream(owner, charts) if owner else None
        default = f" ({upstream[0]} {upstream[1]}'s default, rendered upstream)" if upstream else ""
        yield ctx.finding(
            "NHI303",
            lifetime.loc,
            f"`{lifetime.setting}` of {name} is {found}{origin}{default}, above the limit of {limit} s "
            f"({_duration(limit)}): a stolen credential stays valid that long.",
            identity=owner or IdentityRef("credential", name),
            fix=f"{ctx.format_of(lifetime.loc)}-{lifetime.platform}" if lifetime.platform else None,
            related=lifetime.via,
            severity="note" if upstream else None,
            # upstream's default: the same cause as the chart's missing labels (one note per chart)
            cause=upstream_cause(*upstream) if upstream else None,
            clause=f"a token lifetime of {_duration(lifetime.seconds)} (`{lifetime.setting}`, above "
            f"{_duration(limit)})"
            if upstream and lifetime.seconds is not None
            else "",
        )
