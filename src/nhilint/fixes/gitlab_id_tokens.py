"""NHI103 in GitLab CI (unsafe): a job that reaches AWS with stored keys gets an `id_tokens:` block
(`AWS_ID_TOKEN`, audience https://gitlab.com) and, first in its `before_script`, the
`aws sts assume-role-with-web-identity` line that exports a session of the role in `$AWS_ROLE_ARN`
(`fix.aws-role-variable`); the key variables the job sets itself go. The advice printed is the trust
policy to create (`sub` pinned to `project_path:GROUP/PROJECT:ref_type:branch:ref:main`).

The fix is offered only when every place the finding names is such a variable or a command run with
the project's keys: a key written into a script (`aws configure set`), a key in the global
`variables:` (every job's) or one a template gives is left to the user, and so is a job whose
`before_script` would come from `extends:` or `default:` (a `before_script` of its own would replace
it).
"""

from __future__ import annotations

import json

from nhilint.facts import CiAuth
from nhilint.findings import Finding
from nhilint.fixes.base import Edit, Fix, Fixer, FixInput
from nhilint.fixes.ci_yaml import child_map, indent, insertion_line, load, one_line, unit, unshared
from nhilint.fixes.text import Text
from nhilint.parse.tree import LMap, LSeq

TOKEN = "AWS_ID_TOKEN"
AUDIENCE = "https://gitlab.com"
_KEY_VARIABLES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"})


def assume_role_line(role_variable: str) -> str:
    return (
        'export $(printf "AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s" '
        f'$(aws sts assume-role-with-web-identity --role-arn "${role_variable}" '
        f'--role-session-name "gitlab-$CI_JOB_ID" --web-identity-token "${TOKEN}" '
        "--query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text))"
    )


def fix(given: FixInput) -> list[Fix]:
    text, doc = Text(given.text), load(given.text, last=True)
    if doc is None:
        return []
    auths = _auths(given)
    auths.setdefault("", {})
    fixes = []
    for finding in given.findings:
        name = finding.identity.name if finding.identity is not None else ""
        job = child_map(text, doc, name) if name in doc else None
        if (
            not name
            or job is None
            or "extends" in job
            or not unshared(given.text, doc.kpos(name).line, job.end_line)
            or not _aws_only(finding, auths.get(name, {}), auths[""])
        ):
            continue
        edits = _job_edits(text, doc, name, job, finding, auths[name], given.options.aws_role_variable)
        if edits is not None:
            fixes.append(
                Fix(
                    "NHI103",
                    "unsafe",
                    f"job `{name}`: assume an AWS role with a GitLab ID token instead of stored keys",
                    tuple(edits),
                    (finding,),
                    advice=_advice(given.options.aws_role_variable),
                )
            )
    return fixes


def _auths(given: FixInput) -> dict[str, dict[int, CiAuth]]:
    """job -> line -> how the GitLab extractor sees the job reach a cloud at that line (job "": the
    file's other mentions of a cloud's keys)."""
    from nhilint.formats.base import SourceFile
    from nhilint.formats.gitlab_ci.extract import extract

    found = extract([SourceFile(given.path, given.format, given.text)])
    out: dict[str, dict[int, CiAuth]] = {}
    for fact in found.facts:
        if isinstance(fact, CiAuth):
            out.setdefault(fact.job, {})[fact.loc.line] = fact
            out.setdefault("", {}).setdefault(fact.loc.line, fact)
    return out


def _places(finding: Finding) -> list[int]:
    return [finding.loc.line, *(r.loc.line for r in finding.related if r.loc.file == finding.loc.file)]


def _aws_only(finding: Finding, auths: dict[int, CiAuth], anywhere: dict[int, CiAuth]) -> bool:
    """The finding is the job's AWS keys: its own, or the project's that a command it runs takes (the
    cloud is the one the project names, at the finding's first related place, for Terraform)."""
    at = auths.get(finding.loc.line)
    if at is None or at.method not in ("static", "variables"):
        return False
    if at.method == "static" or at.cloud:
        return at.cloud == "aws"
    proof = anywhere.get(finding.related[0].loc.line) if finding.related else None
    return proof is not None and proof.cloud == "aws"


def _job_edits(
    text: Text, doc: LMap, name: str, job: LMap, finding: Finding, auths: dict[int, CiAuth], role: str
) -> list[Edit] | None:
    variables = child_map(text, job, "variables") if "variables" in job else None
    removed: list[int] = []
    for line in _places(finding) if auths[finding.loc.line].method == "static" else []:
        auth = auths.get(line)
        key = _variable_at(text, variables, line) if variables is not None else None
        if auth is None or auth.cloud != "aws" or key is None:
            return None  # a key written into a script, or given by a template: not edited here
        removed.append(line)
    if variables is not None:  # the job's other key variables go too: the role's session replaces them
        for key in _KEY_VARIABLES & set(variables):
            at = one_line(text, variables, key)
            if at is None:
                return None
            removed.append(at)
    lines = sorted(set(removed))
    edits = _remove_variables(text, job, variables, lines) if lines and variables is not None else []
    start = _start_script(text, doc, job, name, role)
    if start is None:
        return None
    return [*edits, *start]


def _variable_at(text: Text, variables: LMap, line: int) -> str | None:
    """The key variable written on `line` of the job's own `variables:`, a one-line entry."""
    for key in variables:
        if variables.kpos(key).line == line and str(key).upper() in _KEY_VARIABLES:
            return str(key) if one_line(text, variables, key) == line else None
    return None


def _remove_variables(text: Text, job: LMap, variables: LMap, lines: list[int]) -> list[Edit]:
    if len(lines) == len(variables):  # nothing left: `variables:` goes too (GitLab rejects a null one)
        return [text.delete_lines(job.kpos("variables").line, variables.end_line)]
    return [text.delete_lines(line, line) for line in lines]


def _start_script(text: Text, doc: LMap, job: LMap, name: str, role: str) -> list[Edit] | None:
    """`id_tokens:` and the assume-role line first in `before_script` (a new one before `script:`)."""
    step = " " * unit(doc, name)
    outer = indent(job)
    tokens = [f"{outer}id_tokens:", f"{outer}{step}{TOKEN}:", f"{outer}{step}{step}aud: {AUDIENCE}"]
    command = assume_role_line(role)
    before = job.get("before_script")
    if (
        isinstance(before, LSeq)
        and before
        and job.vpos("before_script").line > job.kpos("before_script").line
    ):
        first = before.ipos(0)
        prefix = text.line(first.line)[: first.col - 1]
        if prefix.strip() != "-":
            return None  # a flow sequence, or a nested list
        at = insertion_line(text, job, "before_script")
        return [text.insert_lines(at, tokens), text.insert_lines(first.line, [prefix + command])]
    if "before_script" in job or "script" not in job:
        return None
    default = doc.get("default")
    if isinstance(default, LMap) and "before_script" in default:
        return None  # a before_script of its own would replace the one it gets now
    prefix = _item_prefix(text, job, "script") or f"{outer}{step}- "
    at = insertion_line(text, job, "script")
    return [text.insert_lines(at, [*tokens, f"{outer}before_script:", prefix + command])]


def _item_prefix(text: Text, job: LMap, key: str) -> str | None:
    """How the block sequence under `key` writes an item's start (`  - ` or `- `)."""
    items = job.get(key)
    if not isinstance(items, LSeq) or not items or job.vpos(key).line <= job.kpos(key).line:
        return None
    first = items.ipos(0)
    prefix = text.line(first.line)[: first.col - 1]
    return prefix if prefix.strip() == "-" else None


def _advice(role: str) -> str:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::ACCOUNT_ID:oidc-provider/gitlab.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"gitlab.com:aud": AUDIENCE},
                    "StringLike": {"gitlab.com:sub": "project_path:GROUP/PROJECT:ref_type:branch:ref:main"},
                },
            }
        ],
    }
    return (
        f"AWS: create the IAM OIDC provider for {AUDIENCE} (audience {AUDIENCE}; on a self-managed GitLab "
        "use its URL here, in `aud:` and in the policy) and a role with the permissions the keys had and "
        f"this trust policy (ACCOUNT_ID, GROUP/PROJECT and the branch filled in), set the CI/CD variable "
        f"{role} to its ARN (the job's image needs the AWS CLI), then delete the AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY CI/CD variables and deactivate the access key:\n"
        + json.dumps(policy, indent=2)
    )


FIXER = Fixer(
    name="gitlab-id-tokens",
    rules=frozenset({"NHI103"}),
    formats=frozenset({"gitlab-ci"}),
    safety="unsafe",
    fix=fix,
)
