"""NHI208 broad-ci-token: A GitHub workflow's GITHUB_TOKEN is not scoped to what its jobs need."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from nhilint.facts import TokenScope
from nhilint.findings import Finding, IdentityRef
from nhilint.rules import RuleContext, rule


@rule("NHI208")
def broad_ci_token(ctx: RuleContext) -> Iterator[Finding]:
    jobs: dict[str, list[TokenScope]] = defaultdict(list)
    for scope in ctx.of(TokenScope):
        if scope.level == "job":
            jobs[scope.loc.file].append(scope)
    for workflow in ctx.of(TokenScope):
        if workflow.level == "workflow":
            yield from _workflow_scope(ctx, workflow, jobs[workflow.loc.file])
    for scope in ctx.of(TokenScope):
        if scope.level == "job" and scope.permissions == "write-all":
            yield _scope_finding(
                ctx,
                scope,
                f"job `{scope.job}` of {scope.loc.file} grants its GITHUB_TOKEN "
                "`write-all`: list only the scopes this job needs.",
            )


def _scope_finding(
    ctx: RuleContext, scope: TokenScope, message: str, where: TokenScope | None = None
) -> Finding:
    loc = (where or scope).loc
    return ctx.finding("NHI208", loc, message, identity=IdentityRef("GITHUB_TOKEN", scope.loc.file))


def _workflow_scope(ctx: RuleContext, workflow: TokenScope, jobs: list[TokenScope]) -> Iterator[Finding]:
    file, perms = workflow.loc.file, workflow.permissions
    if perms == "write-all":
        yield _scope_finding(
            ctx,
            workflow,
            "the workflow grants every job's GITHUB_TOKEN `write-all`: set "
            "`permissions: {}` at the top and the minimum per job.",
        )
        return
    inheriting = [j for j in jobs if j.permissions is None]
    if perms is None and inheriting and not workflow.reusable:
        names = ", ".join(f"`{j.job}`" for j in inheriting)
        yield _scope_finding(
            ctx,
            workflow,
            f"the workflow sets no `permissions:`, nor do these jobs: {names}; "
            "their GITHUB_TOKEN gets the repository's default scopes; set `permissions: {}` "
            "at the top and the minimum per job.",
        )
    if perms == "read-all" and inheriting:
        yield _scope_finding(
            ctx,
            workflow,
            f"the workflow grants {_jobs(inheriting)} read access to every scope (`read-all`): "
            "set `permissions: {}` at the top and the minimum per job.",
        )
    writes = (
        [s for s, v in perms.items() if v == "write" and s != "id-token"] if isinstance(perms, dict) else []
    )
    if writes and len(inheriting) > 1:
        scopes = ", ".join(f"`{s}: write`" for s in writes)
        yield ctx.finding(
            "NHI208",
            workflow.locs.get(writes[0], workflow.loc),
            f"the workflow grants {scopes} to every job at the top, and {_jobs(inheriting)} inherit it: "
            "grant write scopes only on the job that writes.",
            identity=IdentityRef("GITHUB_TOKEN", file),
        )
    if isinstance(perms, dict) and perms.get("id-token") == "write":
        federating = [j for j in inheriting if j.federates or j.calls_workflow]
        idle = [j for j in inheriting if not (j.federates or j.calls_workflow)]
        if federating and idle:
            names = ", ".join(f"`{j.job}`" for j in idle)
            loc = workflow.locs.get("id-token", workflow.loc)
            yield ctx.finding(
                "NHI208",
                loc,
                f"the workflow lets every job mint OIDC tokens (`id-token: write`) but jobs {names} "
                "do not federate: grant `id-token: write` only on the job that does.",
                identity=IdentityRef("GITHUB_TOKEN", file),
            )


def _jobs(scopes: list[TokenScope]) -> str:
    names = ", ".join(f"`{j.job}`" for j in scopes)
    return f"job {names}" if len(scopes) == 1 else f"jobs {names}"
