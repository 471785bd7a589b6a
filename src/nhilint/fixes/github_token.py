"""Edits of a GitHub Actions job's `permissions:` shared by the OIDC and the NHI208 fixes.

A job that has no `permissions:` gets a block of its own just above its `steps:` (and the comments
that lead into it). That insertion also takes over the indentation of the line it goes before, so two
fixes that both create the block in one round overlap and the later waits for the next round (which
sees the first one's block), instead of writing `permissions:` twice.
"""

from __future__ import annotations

from nhilint.fixes.base import Edit
from nhilint.fixes.ci_yaml import child_map, indent, insertion_line, key_text, one_line, unit
from nhilint.fixes.text import Text
from nhilint.parse.tree import LMap

Scopes = dict[str, str]


def plain_scopes(text: Text, perms: LMap) -> Scopes | None:
    """A block `permissions:` map's scopes, when each is a one-line `scope: level`."""
    if any(not isinstance(v, str) or one_line(text, perms, k) is None for k, v in perms.items()):
        return None
    return {str(k): str(v) for k, v in perms.items()}


def empty_flow(text: Text, owner: LMap, key: str) -> bool:
    """`key: {}` written on one line (the value may be followed by a comment)."""
    value = owner.get(key)
    if not isinstance(value, LMap) or value or owner.vpos(key).line != owner.kpos(key).line:
        return False
    rest = text.line(owner.vpos(key).line)[owner.vpos(key).col - 1 :]
    return rest.split("#", 1)[0].strip() == "{}"


def new_block(text: Text, jobs: LMap, name: str, scopes: Scopes) -> list[Edit] | None:
    """A `permissions:` block with `scopes` for job `name`, which has none, above its `steps:`."""
    job = child_map(text, jobs, name)
    if job is None or "permissions" in job or "steps" not in job or not scopes:
        return None
    outer = indent(job)
    inner = outer + " " * unit(jobs, name)
    line = insertion_line(text, job, "steps")
    if not text.line(line).startswith(outer):
        line = job.kpos("steps").line
    lines = [f"{outer}permissions:", *(f"{inner}{scope}: {level}" for scope, level in scopes.items())]
    at = text.offset(line)
    body = "".join(each + text.newline for each in lines)
    return [Edit(at, at + len(outer), body + outer)]


def add_scopes(text: Text, job: LMap, jobs: LMap, name: str, need: Scopes) -> list[Edit] | None:
    """Edits that give a job that has `permissions:` the scopes `need` (None: not editable)."""
    perms = job.get("permissions")
    if perms == "write-all":
        return []
    if empty_flow(text, job, "permissions"):
        line = job.kpos("permissions").line
        inner = indent(job) + " " * unit(jobs, name)
        lines = [f"{indent(job)}{key_text(text, job, 'permissions')}:"]
        lines += [f"{inner}{scope}: {level}" for scope, level in need.items()]
        return [text.replace_line(line, text.newline.join(lines))]
    block = child_map(text, job, "permissions")
    if block is None or plain_scopes(text, block) is None:
        return None
    edits, missing = [], []
    for scope, level in need.items():
        if block.get(scope) == level:
            continue
        if scope in block:
            at = one_line(text, block, scope)
            if at is None:
                return None
            edits.append(text.replace_line(at, f"{indent(block)}{key_text(text, block, scope)}: {level}"))
        else:
            missing.append(f"{indent(block)}{scope}: {level}")
    if missing:
        edits.append(text.insert_lines(block.end_line + 1, missing))
    return edits


def grant(text: Text, doc: LMap, name: str, need: Scopes, used: Scopes | None) -> list[Edit] | None:
    """Edits that give job `name` the scopes `need`, keeping what it has now.

    A job's `permissions:` replace the workflow's, so a job that had none and gets a block of its own
    keeps the workflow's scopes written into it, or, when the workflow sets none either, the scopes
    it `used` of the repository's default token (a GHCR or git push). None: the file is not edited
    safely that way (a `read-all` workflow, whose scopes cannot be listed; a job whose use of its
    token cannot be told, `used` None; flow maps; anchors).
    """
    jobs = child_map(text, doc, "jobs")
    job = child_map(text, jobs, name) if jobs is not None else None
    if jobs is None or job is None:
        return None
    if "permissions" in job:
        return add_scopes(text, job, jobs, name, need)
    if "permissions" not in doc:
        inherited = used
    elif doc["permissions"] == "write-all":
        return []
    elif empty_flow(text, doc, "permissions"):
        inherited = {}
    else:
        top = child_map(text, doc, "permissions")
        inherited = plain_scopes(text, top) if top is not None else None
    if inherited is None:
        return None
    if all(inherited.get(scope) == level for scope, level in need.items()):
        return []
    return new_block(text, jobs, name, {**inherited, **need})
