"""The files of a GitLab pipeline: what `include: local` pulls in, and the context each file is read with."""

from __future__ import annotations

import fnmatch
import os
from collections import defaultdict
from pathlib import Path

from nhilint.formats.base import Pulled, Reader, SourceFile, inside_without_links, repository_root
from nhilint.knowledge.credential_names import lazy

NAME = "gitlab-ci"
MAX_PIPELINE_FILES = 64  # other files of a GitLab pipeline read as context of one of its files
# The key is written with this word, or with an escape in a quoted scalar that spells it.
_INCLUDE_WORD = lazy(r"include|\\")


def pipeline_root(file: SourceFile) -> str:
    """The directory GitLab resolves a pipeline's `include: local` against: its repository's root,
    else the directory of the root `.gitlab-ci.yml` (the parent of `.gitlab/` for a fragment there)."""
    directory = os.path.dirname(file.absolute())
    repository = repository_root(directory)
    if repository is not None:
        return repository
    parts = Path(directory).parts
    if ".gitlab" in parts and not file.rel.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
        return str(Path(*parts[: len(parts) - parts[::-1].index(".gitlab") - 1]))
    return directory


def included(
    files: list[SourceFile], unclassified: dict[str, SourceFile], reader: Reader, pulled: Pulled
) -> None:
    """Files a pipeline pulls in with `include: local` (any name, any folder), transitively, resolved
    against the pipeline's repository root whatever the scan root. A file already read is taken out
    of `unclassified`; a named file (no glob) is read from disk where the walk did not go (a skipped
    directory, outside the scanned paths), never outside the repository or through a link. Each
    file is claimed once, so include cycles end."""
    pending = [(f, pipeline_root(f)) for f in files if f.format == NAME]
    if not pending:
        return  # a scan without a pipeline imports no GitLab extractor
    from nhilint.formats.gitlab_ci.extract import local_includes

    claimed = {f.absolute() for f in files}
    by_path = {f.absolute(): rel for rel, f in unclassified.items()}
    pipelines = {f.absolute(): f.rel for f, _ in pending}  # GitLab files read so far
    while pending:
        pipeline, repository = pending.pop()
        if not _INCLUDE_WORD().search(pipeline.text):
            continue  # no parse for a pipeline that includes nothing
        try:
            patterns = local_includes(pipeline)
        except Exception as exc:  # a bug of ours: the pipeline's own extraction will say more
            if os.environ.get("NHILINT_DEBUG"):
                raise
            reader.internal_error(pipeline.rel, exc)
            continue
        prefix = repository.rstrip(os.sep) + os.sep
        edges = pulled.links.setdefault(pipeline.rel, [])
        for pattern in patterns:
            edges += [
                rel
                for path, rel in pipelines.items()
                if path.startswith(prefix) and _matches(path[len(prefix) :].replace(os.sep, "/"), pattern)
            ]
            matched = [
                path
                for path, rel in by_path.items()
                if rel in unclassified
                and path.startswith(prefix)
                and _matches(path[len(prefix) :].replace(os.sep, "/"), pattern)
            ]
            target = os.path.normpath(os.path.join(repository, pattern))
            if not matched and not any(c in pattern for c in "*?[") and target not in claimed:
                matched = [target] if _readable_in(repository, target) else []
            for path in matched:
                if not path.endswith((".yml", ".yaml")) or path in claimed:
                    continue
                claimed.add(path)
                rel = by_path.get(path)
                if rel in unclassified:
                    read: SourceFile | None = unclassified.pop(rel)
                else:
                    read = reader.read(path, NAME)
                if read is not None:
                    file = SourceFile(read.rel, NAME, read.text, read.path)
                    pulled.files.append(file)
                    pending.append((file, repository))
                    pipelines[path] = file.rel
                    edges.append(file.rel)


def _matches(rel: str, pattern: str) -> bool:
    return rel == pattern or fnmatch.fnmatchcase(rel, pattern)


def _readable_in(bound: str, target: str) -> bool:
    """A regular file under `bound`, reached without a link."""
    return inside_without_links(bound, target) and os.path.isfile(target)


def context(files: list[SourceFile], includes: dict[str, list[str]]) -> dict[str, list[SourceFile]]:
    """The other files of its pipeline each GitLab CI file is read with. Every file of a pipeline is
    then parsed once per file of it: in all, no more than about two more reads of every GitLab
    file (plus 1 MB), so a hostile tree of includes costs little; past that, files go without."""
    by_rel = {f.rel: f for f in files}
    parents: dict[str, set[str]] = defaultdict(set)
    for parent, children in includes.items():
        for child in children:
            if child != parent:
                parents[child].add(parent)
    budget = 2 * sum(len(f.text) for f in files) + 1_000_000
    found_context: dict[str, list[SourceFile]] = {}
    for rel in sorted(by_rel):
        found = [by_rel[r] for r in pipeline(rel, includes, parents) if r in by_rel]
        cost = sum(len(f.text) for f in found)
        if found and cost <= budget:
            budget -= cost
            found_context[rel] = found
    return found_context


def pipeline(rel: str, includes: dict[str, list[str]], parents: dict[str, set[str]]) -> list[str]:
    """The other files of the one pipeline a GitLab CI file belongs to: the file that includes it
    (through any chain; `parents` maps a file to those that include it) and everything that file
    includes. A file several pipelines include gets none: a `default:` or template of one of them
    may not hold in the others."""
    roots, seen, pending = set(), {rel}, [rel]
    while pending:
        current = pending.pop()
        if not parents.get(current):
            roots.add(current)
        for parent in parents.get(current, set()) - seen:
            seen.add(parent)
            pending.append(parent)
    if len(roots) != 1:
        return []
    members, pending = dict.fromkeys(roots), list(roots)
    while pending and len(members) <= MAX_PIPELINE_FILES:
        for child in includes.get(pending.pop(0), []):
            if child not in members:
                members[child] = None
                pending.append(child)
    return [other for other in members if other != rel][:MAX_PIPELINE_FILES]
