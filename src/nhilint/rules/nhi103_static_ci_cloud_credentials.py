"""NHI103 static-ci-cloud-credentials: A CI job logs in to a cloud with a stored long-lived key instead
of OIDC federation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from nhilint.facts import CiAuth
from nhilint.findings import Finding, IdentityRef, Related
from nhilint.rules import RuleContext, rule
from nhilint.rules._shared import ci_login_cause, job_named

CLOUD_NAMES = {"aws": "AWS", "gcp": "Google Cloud", "azure": "Azure"}


@rule("NHI103")
def static_ci_cloud_credentials(ctx: RuleContext) -> Iterator[Finding]:
    groups: dict[tuple[str, str, str], list[CiAuth]] = defaultdict(list)
    for auth in ctx.of(CiAuth):
        if auth.method == "static":
            groups[(auth.loc.file, auth.job, auth.cloud)].append(auth)
    for (file, job, cloud), found in groups.items():
        found.sort(key=lambda a: a.loc)
        first, cloud_name = found[0], CLOUD_NAMES.get(cloud, cloud) or "a cloud"
        yield ctx.finding(
            "NHI103",
            first.loc,
            f"{job_named(ctx, first.ci, job)} logs in to {cloud_name} with a stored long-lived key "
            f"({first.detail}): federate with OIDC instead so no key exists to leak.",
            identity=IdentityRef("CI job", job or file),
            fix=f"{ctx.ci_formats.get(first.ci, first.ci)}-{cloud}" if cloud else None,
            related=[Related(a.loc, f"also uses the stored key: {a.detail}") for a in found[1:]],
            cause=ci_login_cause(job, cloud),
            clause=f"logs in to {cloud_name} with a stored key",
        )
    yield from _keys_from_variables(ctx, {(file, job) for file, job, _ in groups})


def _keys_from_variables(ctx: RuleContext, static_jobs: set[tuple[str, str]]) -> Iterator[Finding]:
    """GitLab jobs (Bitbucket steps) that run a cloud CLI or Terraform with no `id_tokens` (`oidc: true`)
    and no key in sight, in a project whose pipelines name that cloud's key variables: the keys come
    from CI/CD (repository) variables the scan cannot read, so the finding is a warning. Which CI
    systems' jobs do, and what makes a job federate there, is `ctx.federates_with`."""
    federation = ctx.federates_with
    auths = sorted(ctx.of(CiAuth), key=lambda a: a.loc)
    evidence: dict[tuple[str, str], CiAuth] = {}
    for auth in auths:
        if auth.ci in federation and auth.method in ("mentioned", "static") and auth.cloud in CLOUD_NAMES:
            evidence.setdefault((auth.ci, auth.cloud), auth)
    reported: set[tuple[str, str]] = set()
    for auth in auths:
        where = (auth.loc.file, auth.job)
        every_job = (auth.loc.file, "")  # a key in the global `variables:` is already every job's finding
        if (
            auth.method != "variables"
            or where in static_jobs
            or every_job in static_jobs
            or where in reported
        ):
            continue
        of_ci = [proof for (ci, _), proof in evidence.items() if ci == auth.ci]
        proof = evidence.get((auth.ci, auth.cloud)) if auth.cloud else next(iter(of_ci), None)
        if proof is None:
            continue
        reported.add(where)
        named = proof.detail if proof.method == "static" else f"`{proof.detail}`"
        yield ctx.finding(
            "NHI103",
            auth.loc,
            f"{job_named(ctx, auth.ci, auth.job)} runs `{auth.detail}` with no {federation[auth.ci]} "
            f"while the project names {named}: its {CLOUD_NAMES[proof.cloud]} keys come from CI/CD "
            "variables; federate with OIDC instead so no key exists to leak.",
            identity=IdentityRef("CI job", auth.job),
            fix=f"{ctx.ci_formats[auth.ci]}-{proof.cloud}",
            related=[Related(proof.loc, f"{named} named here")],
            severity="warning",
        )
