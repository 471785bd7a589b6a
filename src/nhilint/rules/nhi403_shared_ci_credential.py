"""NHI403 shared-ci-credential: One stored CI credential is handed to many pipelines or jobs instead of
the one that needs it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from nhilint.facts import AgentCredential, AgentServer, CiAuth, CiSecretUse
from nhilint.findings import Finding, IdentityRef, Related
from nhilint.knowledge.ci_credentials import CLOUD_ENV, is_pat_name
from nhilint.rules import RuleContext, rule
from nhilint.rules._shared import ci_key_pair_cause, ci_variable_cause, job_named

# Tokens the platform mints per run: never a stored, shared credential.
_EPHEMERAL = frozenset({"GITHUB_TOKEN", "CI_JOB_TOKEN", "CI_REGISTRY_PASSWORD", "CI_DEPLOY_PASSWORD"})


@rule("NHI403")
def shared_ci_credential(ctx: RuleContext) -> Iterator[Finding]:
    yield from _shared_across_workflows(ctx)
    yield from _shared_between_agent_servers(ctx)
    yield from _shared_contexts(ctx)
    yield from _shared_across_azure_pipelines(ctx)
    yield from _shared_across_steps(ctx)
    for use in ctx.of(CiSecretUse):
        if use.usage == "inherit":
            message = (
                f"{job_named(ctx, use.ci, use.job)} passes every repository secret to a reusable "
                "workflow (`secrets: inherit`): pass only the secrets it needs, by name."
            )
        elif use.usage == "all":
            message = (
                f"{job_named(ctx, use.ci, use.job)} hands every repository secret to one step "
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
            fix=f"{ctx.ci_formats.get(use.ci)}-all" if use.usage == "all" else ctx.ci_formats.get(use.ci),
            cause=ci_variable_cause(use.secret) if global_variable else None,
            clause="every job of the pipeline gets it" if global_variable else "",
        )


def _shared_across_workflows(ctx: RuleContext) -> Iterator[Finding]:
    from nhilint.knowledge.credential_names import is_credential_name

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
            fix=f"{ctx.ci_formats.get(first.ci)}-shared",
            related=[
                Related(u.loc, f"`{first.secret}` used by {job_named(ctx, u.ci, u.job)}") for u in found[1:]
            ],
            cause=pairs.get(first.secret.upper()),
        )


def _shared_between_agent_servers(ctx: RuleContext) -> Iterator[Finding]:
    """One credential (a variable, input or CI secret it reads, or one literal value) given to
    several different MCP servers: what a server runs says which it is, so one server configured in
    several clients' files is one user."""
    uses: dict[str, list[tuple[AgentServer, AgentCredential, str]]] = defaultdict(list)
    for server in ctx.of(AgentServer):
        for credential in server.credentials:
            for key, shown in _credential_keys(credential):
                uses[key].append((server, credential, shown))
    for _, found in sorted(uses.items()):
        found.sort(key=lambda use: use[1].loc)
        first_server, first, shown = found[0]
        seen = {first_server.runs}
        others = []
        for server, credential, _ in found[1:]:
            if server.runs not in seen:
                seen.add(server.runs)
                others.append((server, credential))
        if not others:
            continue
        names = ", ".join(f"`{s.name}`" for s in [first_server, *(s for s, _ in others)])
        yield ctx.finding(
            "NHI403",
            first.loc,
            f"{shown} is given to {len(seen)} MCP servers ({names}): a leak through any of them exposes "
            "all, and none can be scoped or rotated alone; give each server its own credential.",
            identity=IdentityRef("agent credential", shown),
            related=[Related(c.loc, f"also given to MCP server `{s.name}`") for s, c in others],
        )


def _credential_keys(credential: AgentCredential) -> list[tuple[str, str]]:
    """What credential a setting hands over, as (key, how messages name it): each variable it reads
    when the variable or the setting is named for a credential (VS Code inputs are per file), or the
    literal secret it holds (by a hash: never kept, never shown)."""
    from nhilint.knowledge.agent_servers import literal_key
    from nhilint.knowledge.ci_credentials import is_pat_name
    from nhilint.knowledge.credential_names import is_credential_name
    from nhilint.knowledge.redaction import redact
    from nhilint.knowledge.secrets import detect

    keys: list[tuple[str, str]] = []
    named = bool(credential.name) and is_credential_name(credential.name)
    for ref in credential.refs:
        kind, name = ref.split(":", 1)
        if not (named or is_credential_name(name) or is_pat_name(name)):
            continue
        if kind == "input":
            keys.append((f"input:{credential.loc.file}:{name}", f"input `{name}`"))
        else:
            keys.append((ref, f"{'secret' if kind == 'secrets' else 'variable'} `{name}`"))
    if not credential.refs and (found := detect(credential.value, credential.name)):
        secret = credential.value[found.start : found.end] or credential.value
        keys.append((literal_key(secret), f"the same {found.kind} ({redact(secret)})"))
    return keys


# A variable group's name is all a pipeline says of it: these words say it holds credentials.
_CREDENTIAL_GROUP = re.compile(r"secret|credential|cred(?:s)?\b|key|token|password|pat\b|spn", re.I)


def _shared_across_azure_pipelines(ctx: RuleContext) -> Iterator[Finding]:
    """Azure Pipelines: each pipeline file is its own pipeline, so a secret variable, or a variable
    group that holds credentials (its name says so, or a pipeline linking it logs in with a stored
    key), used by several pipeline files is one credential shared by all of them."""
    from nhilint.knowledge.credential_names import is_credential_name

    logins = [a for a in ctx.of(CiAuth) if a.ci == "azure" and a.method == "static"]
    keys = {s.upper() for a in logins for s in a.secrets}
    with_keys = {a.loc.file for a in logins}
    uses: dict[tuple[str, str], list[CiSecretUse]] = defaultdict(list)
    for use in ctx.of(CiSecretUse):
        name = use.secret.upper()
        if use.ci != "azure":
            continue
        if use.usage == "variable-group":
            uses[("group", use.secret)].append(use)
        elif is_credential_name(name) or is_pat_name(name) or name in CLOUD_ENV or name in keys:
            uses[("secret", name)].append(use)
    for (kind, _), found in sorted(uses.items()):
        files = sorted({u.loc.file for u in found})
        if len(files) < 2:
            continue
        found.sort(key=lambda u: u.loc)
        first = found[0]
        if kind == "group" and not (_CREDENTIAL_GROUP.search(first.secret) or with_keys & set(files)):
            continue
        noun = "variable group" if kind == "group" else "secret variable"
        yield ctx.finding(
            "NHI403",
            first.loc,
            f"{noun} `{first.secret}` is used by {len(files)} pipelines ({', '.join(files)}): one leak "
            "exposes all of them and none can rotate it alone; give each pipeline its own service "
            "connection with workload identity federation, or at least its own credential.",
            identity=IdentityRef("CI variable group" if kind == "group" else "CI secret", first.secret),
            fix=f"{ctx.ci_formats.get(first.ci)}-shared",
            related=[
                Related(u.loc, f"`{first.secret}` used by {job_named(ctx, u.ci, u.job)}") for u in found[1:]
            ],
        )


def _shared_contexts(ctx: RuleContext) -> Iterator[Finding]:
    """CircleCI: a context is one set of stored variables; handed to several jobs that log in with
    stored cloud keys (the extractor notes a context only for those), it is one key shared by all."""
    uses: dict[tuple[str, str], list[CiSecretUse]] = defaultdict(list)
    for use in ctx.of(CiSecretUse):
        if use.usage == "context":
            uses[(use.loc.file, use.secret)].append(use)
    for (_, context), found in sorted(uses.items()):
        jobs = sorted({(u.workflow, u.job) for u in found})
        if len(jobs) < 2:
            continue
        found.sort(key=lambda u: u.loc)
        names = ", ".join(dict.fromkeys(job for _, job in jobs))
        yield ctx.finding(
            "NHI403",
            found[0].loc,
            f"context `{context}` hands the stored cloud keys its jobs log in with to {len(jobs)} jobs "
            f"({names}): one leak exposes all of them and none can rotate it alone; give each job its own "
            "role through OIDC (`$CIRCLE_OIDC_TOKEN`), or at least its own context.",
            identity=IdentityRef("CI context", context),
            fix=f"{ctx.ci_formats.get(found[0].ci)}-context",
            related=[Related(u.loc, f"context `{context}` given to job `{u.job}`") for u in found[1:]],
        )


def _shared_across_steps(ctx: RuleContext) -> Iterator[Finding]:
    """Bitbucket: one repository keeps its pipelines in one file, so a variable holding a cloud key read
    by several steps of the same deployment environment (or of none: repository variables) is one key
    shared by all of them. Steps of different deployments read their own deployment variables."""
    logins = [a for a in ctx.of(CiAuth) if a.ci == "bitbucket" and a.method == "static"]
    keys = {s.upper() for a in logins for s in a.secrets}
    uses: dict[tuple[str, str, str], list[CiSecretUse]] = defaultdict(list)
    for use in ctx.of(CiSecretUse):
        name = use.secret.upper()
        if use.ci == "bitbucket" and (name in CLOUD_ENV or name in keys):
            uses[(use.loc.file, use.environment, name)].append(use)
    together: dict[tuple[str, str, str], set[str]] = defaultdict(set)  # the keys each step reads
    for (file, environment, name), found in uses.items():
        for use in found:
            together[(file, environment, use.job)].add(name)
    for (file, environment, _), found in sorted(uses.items()):
        steps = sorted({u.job for u in found})
        if len(steps) < 2:
            continue
        found.sort(key=lambda u: u.loc)
        first = found[0]
        pair = sorted(set.intersection(*(together[(file, environment, s)] for s in steps)))
        scope = f"deployment `{environment}`" if environment else "the repository"
        yield ctx.finding(
            "NHI403",
            first.loc,
            f"variable `{first.secret}` of {scope} holds a cloud key read by {len(steps)} steps "
            f"({', '.join(steps)}): one leak exposes all of them and none can rotate it alone; give each "
            "step its own deployment and credential, or OIDC (`oidc: true`).",
            identity=IdentityRef("CI secret", first.secret),
            fix=f"{ctx.ci_formats.get(first.ci)}-shared",
            related=[
                Related(u.loc, f"`{first.secret}` read by {job_named(ctx, u.ci, u.job)}") for u in found[1:]
            ],
            cause=ci_key_pair_cause(pair) if len(pair) > 1 else None,
        )
