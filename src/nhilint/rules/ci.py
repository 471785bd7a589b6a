"""CI pipelines: static cloud keys (NHI103), personal tokens (NHI107), token scope (NHI208) and
shared credentials (NHI403), over the facts of the GitHub Actions and GitLab CI extractors."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from nhilint.facts import CiAuth, CiSecretUse, StringValue, TokenScope
from nhilint.findings import Finding, IdentityRef, Related
from nhilint.fold import ci_key_pair_cause, ci_login_cause, ci_variable_cause
from nhilint.rules import RuleContext, rule

CLOUD_NAMES = {"aws": "AWS", "gcp": "Google Cloud", "azure": "Azure"}
_FORMAT = {"github": "github-actions", "gitlab": "gitlab-ci"}
# A secret named for a person's token: GH_PAT, RELEASE_PAT, PAT_TOKEN, PERSONAL_ACCESS_TOKEN...
_PAT_NAME = re.compile(r"(?:^|[_-])(?:GH|GITHUB|GL|GITLAB)?PATS?(?:$|[_-])|PERSONAL\w*TOKEN", re.I)
_LITERAL_PAT = re.compile(r"\b(?:ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,}|glpat-[A-Za-z0-9_-]{20,})")
# Tokens the platform mints per run: never a stored, shared credential.
_EPHEMERAL = frozenset({"GITHUB_TOKEN", "CI_JOB_TOKEN", "CI_REGISTRY_PASSWORD", "CI_DEPLOY_PASSWORD"})


def is_pat_name(name: str) -> bool:
    return _PAT_NAME.search(name) is not None


def _job(ci: str, job: str) -> str:
    """The job a finding is about; its file is the finding's own (every report shows it)."""
    return f"job `{job}`" if job else "every job"


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
            f"{_job(first.ci, job)} logs in to {cloud_name} with a stored long-lived key "
            f"({first.detail}): federate with OIDC instead so no key exists to leak.",
            identity=IdentityRef("CI job", job or file),
            fix=f"{_FORMAT.get(first.ci, first.ci)}-{cloud}" if cloud else None,
            related=[Related(a.loc, f"also uses the stored key: {a.detail}") for a in found[1:]],
            cause=ci_login_cause(job, cloud),
            clause=f"logs in to {cloud_name} with a stored key",
        )
    yield from _keys_from_variables(ctx, {(file, job) for file, job, _ in groups})


def _keys_from_variables(ctx: RuleContext, static_jobs: set[tuple[str, str]]) -> Iterator[Finding]:
    """GitLab jobs that run a cloud CLI or Terraform with no `id_tokens` and no key in sight, in a
    project whose pipelines name that cloud's key variables: the keys come from CI/CD variables
    (project settings the scan cannot read), so the finding is a warning."""
    auths = sorted(ctx.of(CiAuth), key=lambda a: a.loc)
    evidence: dict[str, CiAuth] = {}
    for auth in auths:
        if auth.ci == "gitlab" and auth.method in ("mentioned", "static") and auth.cloud in CLOUD_NAMES:
            evidence.setdefault(auth.cloud, auth)
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
        proof = evidence.get(auth.cloud) if auth.cloud else next(iter(evidence.values()), None)
        if proof is None:
            continue
        reported.add(where)
        named = proof.detail if proof.method == "static" else f"`{proof.detail}`"
        yield ctx.finding(
            "NHI103",
            auth.loc,
            f"{_job(auth.ci, auth.job)} runs `{auth.detail}` with no `id_tokens` while the "
            f"project names {named}: its {CLOUD_NAMES[proof.cloud]} keys come from CI/CD variables; "
            "federate with OIDC instead so no key exists to leak.",
            identity=IdentityRef("CI job", auth.job),
            fix=f"gitlab-ci-{proof.cloud}",
            related=[Related(proof.loc, f"{named} named here")],
            severity="warning",
        )


@rule("NHI107")
def personal_token_in_automation(ctx: RuleContext) -> Iterator[Finding]:
    groups: dict[tuple[str, str, str], list[CiSecretUse]] = defaultdict(list)
    for use in ctx.of(CiSecretUse):
        if use.usage not in ("other", "inherit", "all") and is_pat_name(use.secret):
            groups[(use.loc.file, use.job, use.secret)].append(use)
    for (_, job, secret), uses in groups.items():
        uses.sort(key=lambda u: u.loc)
        first = uses[0]
        yield ctx.finding(
            "NHI107",
            first.loc,
            f"{_job(first.ci, job)} runs on `{secret}`, a person's access token ({first.usage}): "
            "it acts with all of that person's rights and dies with their account; use an app or project "
            "token.",
            identity=IdentityRef("personal token", secret),
            fix=_FORMAT.get(first.ci),
            related=[Related(u.loc, f"`{secret}` used again ({u.usage})") for u in uses[1:]],
        )
    yield from _literal_tokens(ctx)


def _literal_tokens(ctx: RuleContext) -> Iterator[Finding]:
    from nhilint.secrets import redact

    for value in ctx.of(StringValue):
        if ctx.format_of(value.loc) not in _FORMAT.values():
            continue
        match = _LITERAL_PAT.search(value.value)
        if match:
            yield ctx.finding(
                "NHI107",
                value.loc,
                f"a personal access token ({redact(match.group())}) is written at "
                f"`{value.path}`: automation must not run as a person; revoke it and use an app or project "
                "token.",
                identity=IdentityRef("personal token", redact(match.group())),
            )


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


@rule("NHI403")
def shared_ci_credential(ctx: RuleContext) -> Iterator[Finding]:
    yield from _shared_across_workflows(ctx)
    for use in ctx.of(CiSecretUse):
        if use.usage == "inherit":
            message = (
                f"{_job(use.ci, use.job)} passes every repository secret to a reusable "
                "workflow (`secrets: inherit`): pass only the secrets it needs, by name."
            )
        elif use.usage == "all":
            message = (
                f"{_job(use.ci, use.job)} hands every repository secret to one step "
                "(`toJSON(secrets)`): pass only the secrets it needs, by name."
            )
        elif use.usage == "global-variable":
            message = (
                f"`{use.secret}` is a credential in the global `variables:`: every job "
                "gets it; move it to the one job that needs it, or replace it with `id_tokens`."
            )
        else:
            continue
        global_variable = use.usage == "global-variable"
        yield ctx.finding(
            "NHI403",
            use.loc,
            message,
            identity=IdentityRef("CI secret", use.secret),
            fix="github-actions-all" if use.usage == "all" else _FORMAT.get(use.ci),
            cause=ci_variable_cause(use.secret) if global_variable else None,
            clause="every job of the pipeline gets it" if global_variable else "",
        )


def _shared_across_workflows(ctx: RuleContext) -> Iterator[Finding]:
    from nhilint.formats.github_actions.extract import CLOUD_ENV
    from nhilint.secrets import is_credential_name

    # secrets a workflow gives to a cloud key input or variable are keys whatever their names say
    logins = [a for a in ctx.of(CiAuth) if a.ci == "github" and a.method == "static"]
    keys = {s.upper() for a in logins for s in a.secrets}
    # The cloud keys a job that logs in with stored keys reads together (an AWS key id and its secret
    # key) are one credential: shared, they are one finding.
    logged_in = {(a.loc.file, a.job) for a in logins}
    job_keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    for use in ctx.of(CiSecretUse):
        name = use.secret.upper()
        if (
            use.ci == "github"
            and (use.loc.file, use.job) in logged_in
            and (name in CLOUD_ENV or name in keys)
        ):
            job_keys[(use.loc.file, use.job)].add(name)
    pairs = {
        s: ci_key_pair_cause(sorted(names)) for names in job_keys.values() if len(names) > 1 for s in names
    }
    uses: dict[str, list[CiSecretUse]] = defaultdict(list)
    for use in ctx.of(CiSecretUse):
        name = use.secret.upper()
        if use.ci != "github" or name == "*" or name in _EPHEMERAL:
            continue
        if is_credential_name(name) or is_pat_name(name) or name in CLOUD_ENV or name in keys:
            uses[name].append(use)
    for _, found in sorted(uses.items()):
        files = sorted({u.loc.file for u in found})
        if len(files) < 2:
            continue
        found.sort(key=lambda u: u.loc)
        first = found[0]
        yield ctx.finding(
            "NHI403",
            first.loc,
            f"secret `{first.secret}` is used by {len(files)} workflows ({', '.join(files)}): one leak "
            "exposes all of them and none can rotate it alone; give each pipeline its own credential, "
            "or OIDC.",
            identity=IdentityRef("CI secret", first.secret),
            fix="github-actions-shared",
            related=[Related(u.loc, f"`{first.secret}` used by {_job(u.ci, u.job)}") for u in found[1:]],
            cause=pairs.get(first.secret.upper()),
        )
