"""NHI402 shared-identity: One identity is used by several workloads, so a compromise of one is a
compromise of all."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from nhilint.facts import Workload
from nhilint.findings import Finding, IdentityRef, Related
from nhilint.knowledge import releases
from nhilint.rules import RuleContext, rule


@rule("NHI402")
def shared_identity(ctx: RuleContext) -> Iterator[Finding]:
    users: dict[str, list[Workload]] = defaultdict(list)
    for workload in ctx.of(Workload):
        if workload.identity and not workload.uses_default:
            users[workload.identity].append(workload)
    for key, workloads in users.items():
        distinct = {(w.kind, w.name) for w in workloads}
        if len(distinct) < 2:
            continue
        declared = ctx.identity(key)
        first = workloads[0]
        names = ", ".join(f"{w.kind} {w.name}" for w in workloads)
        name = declared.name if declared else key
        # a rendered third-party release's own design (one controller identity): a note, upstream's choice
        upstream = releases.upstream(declared, releases.charts_in_scan(ctx.formats)) if declared else None
        yield ctx.finding(
            "NHI402",
            declared.loc if declared else (first.identity_loc or first.loc),
            f"identity {name} is used by {len(distinct)} workloads ({names})"
            + (f", as {upstream[0]} {upstream[1]} (rendered upstream) ships them" if upstream else "")
            + ": a compromise of one is a compromise of all; give each workload its own identity.",
            identity=declared or IdentityRef("identity", key),
            related=[Related(w.identity_loc or w.loc, f"{w.kind} {w.name} uses {name}") for w in workloads],
            fix=f"{ctx.format_of(first.loc)}-{first.platform}",
            severity="note" if upstream else None,
        )
