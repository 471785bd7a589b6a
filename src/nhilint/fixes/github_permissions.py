"""NHI208 in GitHub Actions (unsafe): a workflow whose jobs get the repository's default token scopes
(no `permissions:`, `read-all` or `write-all` at the top) gets `permissions: {}` after its `on:` block
and, on each job that inherited them (or had `write-all` of its own), the scopes it visibly uses:
`contents: read` for a checkout (`write` when it runs `git push`), `id-token: write` where it
federates, `packages: write` for a GHCR login with its token, and what known actions need (PR
comments, releases, stale, CodeQL uploads, Pages). A job that hands its token to anything else
(`actions/github-script` included), or calls a reusable workflow, leaves the workflow as it is.

Federation is what the GitHub Actions extractor calls federating (a login action with a role, a
provider or a client ID, trusted publishing, attestations...). An action that takes the job's token
by default without saying so cannot be seen: the advice says to check.
"""

from __future__ import annotations

import re
from typing import Any

from nhilint.findings import Finding
from nhilint.fixes.base import Edit, Fix, Fixer, FixInput
from nhilint.fixes.ci_yaml import child_map, indent, load, one_line, unit, unshared
from nhilint.fixes.github_token import Scopes, new_block
from nhilint.fixes.text import Text
from nhilint.parse.tree import LMap, LSeq

_TOKEN = re.compile(r"secrets\s*\.\s*GITHUB_TOKEN|github\s*\.\s*token|secrets\[\s*['\"]GITHUB_TOKEN", re.I)
_CHECKOUT = re.compile(r"^actions/checkout@", re.I)
_DOCKER_LOGIN = re.compile(r"^docker/login-action@", re.I)
# Actions known to need one scope of the token they are given (or take by default).
_ACTION_SCOPES = {
    "marocchino/sticky-pull-request-comment": {"pull-requests": "write"},
    "thollander/actions-comment-pull-request": {"pull-requests": "write"},
    # these take the job's token by default (their README's `permissions:`)
    "actions/stale": {"issues": "write", "pull-requests": "write"},
    "softprops/action-gh-release": {"contents": "write"},
    "peter-evans/create-pull-request": {"contents": "write", "pull-requests": "write"},
    "github/codeql-action/analyze": {"actions": "read", "contents": "read", "security-events": "write"},
    "github/codeql-action/upload-sarif": {"actions": "read", "contents": "read", "security-events": "write"},
    "actions/deploy-pages": {"pages": "write"},
}
# Actions that call any API with the job's token by default: their scopes cannot be told.
_ANY_SCOPE = frozenset({"actions/github-script"})
_GIT_PUSH = re.compile(r"\bgit\s+push\b")  # with the token actions/checkout left in the git config
_ORDER = (
    "contents",
    "actions",
    "id-token",
    "issues",
    "packages",
    "pages",
    "pull-requests",
    "security-events",
)


def fix(given: FixInput) -> list[Fix]:
    text, doc = Text(given.text), load(given.text)
    jobs = child_map(text, doc, "jobs") if doc is not None else None
    if doc is None or jobs is None:
        return []
    federating = _federating(given)
    if federating is None or not unshared(given.text, doc.kpos("jobs").line, len(text.lines)):
        return []  # an anchor or alias in the jobs: an edit would reach the places that share it
    fixes = []
    for finding in given.findings:
        made = _fix_one(text, doc, jobs, finding, federating)
        if made is not None:
            fixes.append(made)
    return fixes


def _fix_one(text: Text, doc: LMap, jobs: LMap, finding: Finding, federating: set[str]) -> Fix | None:
    line = finding.loc.line
    top = doc.get("permissions")
    if "permissions" in doc and doc.kpos("permissions").line == line and top in ("write-all", "read-all"):
        head = one_line(text, doc, "permissions")
        top_edit = text.replace_line(head, "permissions: {}") if head is not None else None
    elif "permissions" not in doc and doc.kpos("jobs").line == line:
        top_edit = _insert_top(text, doc)
    else:
        return _job_write_all(text, jobs, finding, federating)
    if top_edit is None:
        return None
    edits: list[Edit] = [top_edit]
    for name, job in jobs.items():
        if isinstance(job, LMap) and "permissions" not in job:
            scopes = visible_scopes(text, job, str(name) in federating)
            if scopes is None:
                return None
            if scopes:
                block = new_block(text, jobs, str(name), scopes)
                if block is None:
                    return None
                edits += block
    return Fix(
        "NHI208",
        "unsafe",
        "set `permissions: {}` at the top and the scopes each job visibly uses",
        tuple(edits),
        (finding,),
        advice=_ADVICE,
    )


def _job_write_all(text: Text, jobs: LMap, finding: Finding, federating: set[str]) -> Fix | None:
    """A job's own `permissions: write-all` -> the scopes it visibly uses (`{}` when none)."""
    for name, job in jobs.items():
        if not isinstance(job, LMap) or job.get("permissions") != "write-all":
            continue
        line = one_line(text, job, "permissions")
        if line != finding.loc.line or job.kpos("permissions").line != line:
            continue
        scopes = visible_scopes(text, job, str(name) in federating)
        if scopes is None:
            return None
        inner = indent(job) + " " * unit(jobs, name)
        lines = [f"{indent(job)}permissions:{'' if scopes else ' {}'}"]
        lines += [f"{inner}{scope}: {level}" for scope, level in scopes.items()]
        return Fix(
            "NHI208",
            "unsafe",
            f"job `{name}`: replace `write-all` with the scopes it visibly uses",
            (text.replace_line(line, text.newline.join(lines)),),
            (finding,),
            advice=_ADVICE,
        )
    return None


def _insert_top(text: Text, doc: LMap) -> Edit | None:
    """`permissions: {}` as a top-level line after the `on:` block (before `jobs:` without one)."""
    key = "on" if "on" in doc else True if True in doc else None
    if key is None:
        return text.insert_lines(doc.kpos("jobs").line, ["permissions: {}"])
    value = doc[key]
    end = value.end_line if isinstance(value, (LMap, LSeq)) else one_line(text, doc, key)
    if end is None or end >= doc.kpos("jobs").line:
        return None
    after = end + 1
    spaced = after <= len(text.lines) and not text.line(after).strip()
    return text.insert_lines(after, ["", "permissions: {}"] if spaced else ["permissions: {}"])


def visible_scopes(text: Text, job: LMap, federates: bool) -> Scopes | None:
    """The scopes a job visibly uses, in a fixed order; None when it uses its token some other way."""
    if isinstance(job.get("uses"), str):
        return None  # a reusable workflow: its jobs' needs are in another file
    found: Scopes = {}
    steps = job.get("steps")
    for step in steps if isinstance(steps, LSeq) else []:
        if not isinstance(step, LMap):
            continue
        uses = step.get("uses")
        action = uses.split("@", 1)[0].strip().lower() if isinstance(uses, str) else ""
        given = step.get("with")
        inputs = given if isinstance(given, LMap) else LMap()
        if action in _ANY_SCOPE:
            return None
        if isinstance(uses, str) and _CHECKOUT.match(uses):
            _add(found, {"contents": "read"})
            token_inputs: tuple[str, ...] = ("token",)
        elif isinstance(uses, str) and _DOCKER_LOGIN.match(uses) and _ghcr(inputs):
            _add(found, {"packages": "write"})
            token_inputs = ("password",)
        elif action in _ACTION_SCOPES:
            _add(found, _ACTION_SCOPES[action])
            token_inputs = tuple(str(k) for k in inputs)
        else:
            token_inputs = ()
        run = step.get("run")
        if isinstance(run, str) and _GIT_PUSH.search(run) and "contents" in found:
            _add(found, {"contents": "write"})
        if _uses_token({k: v for k, v in step.items() if k != "with"}) or _uses_token(
            {k: v for k, v in inputs.items() if k not in token_inputs}
        ):
            return None
    others = {k: v for k, v in job.items() if k not in ("steps", "permissions")}
    if _uses_token(others):
        return None
    if federates:
        found["id-token"] = "write"
    return {scope: found[scope] for scope in _ORDER if scope in found}


def _add(found: Scopes, scopes: Scopes) -> None:
    """Grant `scopes` on top of `found` (write wins over read)."""
    for scope, level in scopes.items():
        if found.get(scope) != "write":
            found[scope] = level


def _ghcr(inputs: LMap) -> bool:
    registry = inputs.get("registry")
    return isinstance(registry, str) and registry.strip().lower().startswith("ghcr.io")


def _uses_token(node: Any) -> bool:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and _TOKEN.search(item):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _federating(given: FixInput) -> set[str] | None:
    """The jobs the GitHub Actions extractor sees federating (None: the file does not extract)."""
    from nhilint.facts import TokenScope
    from nhilint.formats.base import SourceFile
    from nhilint.formats.github_actions.extract import extract

    found = extract([SourceFile(given.path, given.format, given.text)])
    if found.problems:
        return None
    return {f.job for f in found.facts if isinstance(f, TokenScope) and f.level == "job" and f.federates}


_ADVICE = (
    "Check each job still has the scopes it needs: an action that takes the job's token by default "
    "(release, comment or label actions) needs its scope added to that job's `permissions:`."
)

FIXER = Fixer(
    name="github-permissions",
    rules=frozenset({"NHI208"}),
    formats=frozenset({"github-actions"}),
    safety="unsafe",
    fix=fix,
)
