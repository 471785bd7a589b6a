"""NHI103 in GitHub Actions (unsafe): a cloud login action given a stored key logs in with OIDC
instead, from repository variables: `configure-aws-credentials` gets `role-to-assume: ${{
vars.AWS_ROLE_ARN }}` (`fix.aws-role-variable`) for its key inputs, `google-github-actions/auth`
`workload_identity_provider` and `service_account` for `credentials_json`, `azure/login` `client-id`,
`tenant-id` and `subscription-id` for `creds`; the job gets `id-token: write`, and the advice printed
is the trust policy to create (its `sub` pinned to `repo:OWNER/REPO:*`, to fill in).

AWS also loses `aws-session-token`; an existing `role-to-assume` stays (it was assumed with the keys,
now with the token). `id-token: write` goes into the job's own `permissions:` (github_token.grant:
a job without one gets a block that keeps the workflow's scopes, since a job's block replaces them;
in a workflow without `permissions:`, the scopes the job visibly uses, as NHI208's fix writes them).
The fix is offered only when every place the finding names is such an input: a key handed over in
`env:` or a script is left to the user, as is a `read-all` workflow whose scopes cannot be listed
and a job that hands its token to something whose scopes cannot be told (`actions/github-script`).
"""

from __future__ import annotations

import json
import re

from msgspec import Struct

from nhilint.findings import Finding
from nhilint.fixes.base import Edit, Fix, Fixer, FixInput
from nhilint.fixes.ci_yaml import child_map, indent, load, one_line, unshared
from nhilint.fixes.github_permissions import visible_scopes
from nhilint.fixes.github_token import grant
from nhilint.fixes.text import Text
from nhilint.parse.tree import LMap, LSeq

REPO_PLACEHOLDER = "OWNER/REPO"
_AWS = re.compile(r"^(?:[\w.-]+/)?configure-aws-credentials@", re.I)
_GCP = re.compile(r"^google-github-actions/auth@", re.I)
_AZURE = re.compile(r"^azure/login@", re.I)


class _Login(Struct, frozen=True):
    """How one login action's stored key is replaced: the inputs removed, the lines written."""

    cloud: str
    removed: tuple[str, ...]
    added: tuple[tuple[str, str], ...]


def _login(uses: str, inputs: LMap, role_variable: str) -> _Login | None:
    if _AWS.match(uses):
        role = ("role-to-assume", f"${{{{ vars.{role_variable} }}}}")
        added = () if "role-to-assume" in inputs else (role,)
        keys = ("aws-access-key-id", "aws-secret-access-key", "aws-session-token")
        return _Login("aws", keys, added)
    if _GCP.match(uses):
        wanted: tuple[tuple[str, str], ...] = (
            ("workload_identity_provider", "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}"),
            ("service_account", "${{ vars.GCP_SERVICE_ACCOUNT }}"),
        )
        return _Login("gcp", ("credentials_json",), tuple(p for p in wanted if p[0] not in inputs))
    if _AZURE.match(uses) and "client-secret" not in inputs:
        wanted = (
            ("client-id", "${{ vars.AZURE_CLIENT_ID }}"),
            ("tenant-id", "${{ vars.AZURE_TENANT_ID }}"),
            ("subscription-id", "${{ vars.AZURE_SUBSCRIPTION_ID }}"),
        )
        return _Login("azure", ("creds",), tuple(p for p in wanted if p[0] not in inputs))
    return None


def _step_edits(text: Text, step: LMap, role_variable: str) -> tuple[str, set[int], list[Edit]] | None:
    """(cloud, lines of the removed key inputs, edits) for a login step given a stored key."""
    uses, inputs = step.get("uses"), child_map(text, step, "with")
    if not isinstance(uses, str) or inputs is None:
        return None
    login = _login(uses.strip(), inputs, role_variable)
    present = [k for k in login.removed if k in inputs] if login else []
    if login is None or not present:
        return None
    lines = [one_line(text, inputs, k) for k in present]
    if any(line is None for line in lines):
        return None
    first, *rest = sorted(line for line in lines if line is not None)
    new = text.newline.join(f"{indent(inputs)}{key}: {value}" for key, value in login.added)
    edits = [text.replace_line(first, new) if new else text.delete_lines(first, first)]
    edits += [text.delete_lines(line, line) for line in rest]
    return login.cloud, {first, *rest}, edits


def _places(finding: Finding) -> set[int]:
    return {finding.loc.line, *(r.loc.line for r in finding.related if r.loc.file == finding.loc.file)}


def fix(given: FixInput) -> list[Fix]:
    text, doc = Text(given.text), load(given.text)
    jobs = child_map(text, doc, "jobs") if doc is not None else None
    if doc is None or jobs is None:
        return []
    by_job: dict[str, list[Finding]] = {}
    for finding in given.findings:
        if finding.identity is not None and finding.identity.name in jobs:
            by_job.setdefault(finding.identity.name, []).append(finding)
    fixes = []
    for name, findings in by_job.items():
        made = _job_fix(text, doc, jobs, name, findings, given.options.aws_role_variable)
        if made is not None:
            fixes.append(made)
    return fixes


def _job_fix(
    text: Text, doc: LMap, jobs: LMap, name: str, findings: list[Finding], role_variable: str
) -> Fix | None:
    job = child_map(text, jobs, name)
    steps = job.get("steps") if job is not None else None
    if (
        job is None
        or not isinstance(steps, LSeq)
        or not unshared(text.text, jobs.kpos(name).line, job.end_line)
    ):
        return None
    covered: dict[str, set[int]] = {}  # by cloud: the lines of the key inputs the edits remove
    by_cloud: dict[str, list[Edit]] = {}
    for step in steps:
        made = _step_edits(text, step, role_variable) if isinstance(step, LMap) else None
        if made is not None:
            covered.setdefault(made[0], set()).update(made[1])
            by_cloud.setdefault(made[0], []).extend(made[2])
    # a finding is one cloud's stored keys in the job: fixed when every place it names is removed
    clouds = sorted(c for c in covered if any(_places(f) <= covered[c] for f in findings))
    resolved = tuple(f for f in findings if any(_places(f) <= covered[c] for c in clouds))
    if not resolved:
        return None
    edits = [e for c in clouds for e in by_cloud[c]]
    permissions = grant(text, doc, name, {"id-token": "write"}, visible_scopes(text, job, federates=False))
    if permissions is None:
        return None
    names = ", ".join(_CLOUD_NAMES[c] for c in clouds)
    return Fix(
        rule_id="NHI103",
        safety="unsafe",
        title=f"job `{name}`: log in to {names} with OIDC instead of a stored key",
        edits=(*edits, *permissions),
        resolves=resolved,
        advice="\n\n".join(_ADVICE[c](role_variable) for c in clouds),
    )


_CLOUD_NAMES = {"aws": "AWS", "gcp": "Google Cloud", "azure": "Azure"}


def _aws_advice(role_variable: str) -> str:
    issuer = "token.actions.githubusercontent.com"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::ACCOUNT_ID:oidc-provider/{issuer}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{issuer}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{issuer}:sub": f"repo:{REPO_PLACEHOLDER}:*"},
                },
            }
        ],
    }
    return (
        f"AWS: create the IAM OIDC provider for https://{issuer} (audience sts.amazonaws.com) and a role "
        f"with the permissions the old key had and this trust policy (ACCOUNT_ID and {REPO_PLACEHOLDER} "
        f"filled in; pin `sub` to a branch or environment if you can), then set the repository variable "
        f"{role_variable} to its ARN, delete the key's secrets and deactivate the access key:\n"
        + json.dumps(policy, indent=2)
    )


def _gcp_advice(_: str) -> str:
    return (
        "Google Cloud: create a workload identity pool and an OIDC provider for "
        "https://token.actions.githubusercontent.com with the attribute condition "
        f"`assertion.repository == '{REPO_PLACEHOLDER}'`, grant it roles/iam.workloadIdentityUser on the "
        "service account, set the repository variables GCP_WORKLOAD_IDENTITY_PROVIDER (projects/NUMBER/"
        "locations/global/workloadIdentityPools/POOL/providers/PROVIDER) and GCP_SERVICE_ACCOUNT, then "
        "delete the key's secret and the service-account key."
    )


def _azure_advice(_: str) -> str:
    return (
        "Azure: add a federated credential to the app registration (issuer "
        "https://token.actions.githubusercontent.com, audience api://AzureADTokenExchange, subject "
        f"repo:{REPO_PLACEHOLDER}:ref:refs/heads/main or :environment:NAME), set the repository variables "
        "AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_SUBSCRIPTION_ID, then delete the credentials secret "
        "and the client secret."
    )


_ADVICE = {"aws": _aws_advice, "gcp": _gcp_advice, "azure": _azure_advice}

FIXER = Fixer(
    name="github-oidc",
    rules=frozenset({"NHI103"}),
    formats=frozenset({"github-actions"}),
    safety="unsafe",
    fix=fix,
)
