"""GitHub Actions workflows and composite actions to facts.

Besides the StringValues every format emits (NHI101), a workflow yields: how each job reaches a
cloud (`CiAuth`, from `uses:` + `with:`, `env:` at every level and the lines of `run:`), every
`${{ secrets.X }}` it reads and what for (`CiSecretUse`), the `permissions:` of the workflow and of
each job (`TokenScope`) and session lifetimes it asks for (`Lifetime`). A job's facts come from
`job.Job`, what an expression reads from `expressions`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.facts import CiSecretUse, Fact, Loc, TokenScope
from nhilint.formats import Extraction, SourceFile
from nhilint.formats.base import Skipped
from nhilint.formats.ci_file import read_ci_file
from nhilint.formats.github_actions.job import Job
from nhilint.parse.tree import LMap, LSeq, Pos


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    doc, result = read_ci_file(file, "a workflow")
    if doc is None:
        return result
    facts: list[Fact] = result.facts
    runs = doc.get("runs")
    if isinstance(runs, LMap):  # a composite action: steps, no jobs and no token permissions
        if isinstance(runs.get("steps"), LSeq):
            facts += Job(file, str(doc.get("name") or file.rel), runs).steps(runs["steps"])
        return Extraction(facts=facts)
    facts += _workflow(file, doc)
    return Extraction(
        facts=facts, skipped=[Skipped(file.rel, UNREAD_WORKFLOWS)] if _calls_elsewhere(doc) else []
    )


# The calling job is judged (its permissions, the secrets it passes); the called workflow is not.
UNREAD_WORKFLOWS = "reusable workflows not read: another repository's (`owner/repo/...@ref`)"


def _calls_elsewhere(doc: LMap) -> bool:
    """Whether a job calls a reusable workflow of another repository (`uses: o/r/.github/workflows/x.yml@v1`;
    a local `./.github/workflows/x.yml` is a workflow file of this scan)."""
    jobs = doc.get("jobs")
    return isinstance(jobs, LMap) and any(
        isinstance(job, LMap) and isinstance(job.get("uses"), str) and not job["uses"].startswith("./")
        for job in jobs.values()
    )


def _workflow(file: SourceFile, doc: LMap) -> Iterator[Fact]:
    jobs = doc.get("jobs")
    if not isinstance(jobs, LMap):
        return
    top = Job(file, "", doc)
    yield from top.env(doc.get("env"), doc, "env")
    yield from top.secret_uses(doc, ("env",))
    scopes = [
        _job(file, str(name), job, jobs.kpos(name), top.secret_env)
        for name, job in jobs.items()
        if isinstance(job, LMap)
    ]
    facts = [f for facts in scopes for f in facts]
    yield from facts
    where = doc.kpos("permissions") if "permissions" in doc else doc.kpos("jobs")  # where `permissions:` goes
    yield TokenScope(
        loc=file.loc(*where),
        level="workflow",
        permissions=_plain(doc.get("permissions")),
        locs=_scope_locs(file, doc.get("permissions")),
        reusable=_only_called(doc),
    )


def _only_called(doc: LMap) -> bool:
    """The workflow runs only when another workflow calls it (`on: workflow_call`)."""
    on = doc.get("on", doc.get(True))
    names = [on] if isinstance(on, str) else list(on) if isinstance(on, (LMap, LSeq)) else []
    return names == ["workflow_call"]


def _job(file: SourceFile, name: str, job: LMap, header: Pos, secret_env: frozenset[str]) -> list[Fact]:
    model = Job(file, name, job, secret_env)
    others = tuple(str(k) for k in job if k not in ("steps", "secrets"))
    facts: list[Fact] = [*model.env(job.get("env"), job, "env"), *model.secret_uses(job, others)]
    if isinstance(job.get("uses"), str):  # a reusable workflow: its inputs and secrets may carry keys
        for section in ("with", "secrets"):
            if isinstance(job.get(section), LMap):
                facts += model.key_inputs(job["uses"], job[section], section)
    if job.get("secrets") == "inherit":
        facts.append(
            CiSecretUse(
                loc=file.loc(*job.kpos("secrets")),
                ci="github",
                secret="*",
                workflow=file.rel,
                job=name,
                usage="inherit",
            )
        )
    if isinstance(job.get("secrets"), LMap):
        facts += model.secret_uses(job["secrets"], tuple(job["secrets"]), usage="with")
    if isinstance(job.get("steps"), LSeq):
        facts += model.steps(job["steps"])
    perms = job.get("permissions")
    federates = model.federates or (isinstance(perms, LMap) and perms.get("id-token") == "write")
    facts.append(TokenScope(
        loc=file.loc(*(job.kpos("permissions") if "permissions" in job else header)), level="job", job=name,
        permissions=_plain(perms), federates=federates, locs=_scope_locs(file, perms),
        calls_workflow=isinstance(job.get("uses"), str),
    ))  # fmt: skip
    return facts


def _plain(value: Any) -> Any:
    if isinstance(value, LMap):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _scope_locs(file: SourceFile, perms: Any) -> dict[str, Loc]:
    return {str(k): file.loc(*perms.kpos(k)) for k in perms} if isinstance(perms, LMap) else {}
