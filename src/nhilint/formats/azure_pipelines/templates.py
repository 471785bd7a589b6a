"""The local templates an Azure pipeline references (`template: x.yml` of stages, jobs, steps,
variables and `extends`), read as Azure Pipelines files of their own."""

from __future__ import annotations

import os

from nhilint.formats.base import Pulled, Reader, SourceFile, inside_without_links
from nhilint.knowledge.credential_names import lazy
from nhilint.parse import ParseError

NAME = "azure-pipelines"
MAX_TEMPLATES = 256  # templates pulled in by one scan: a hostile tree of references costs little
_TEMPLATE_WORD = lazy(r"template|\\")


def pulled(
    files: list[SourceFile], unclassified: dict[str, SourceFile], reader: Reader, found: Pulled
) -> None:
    """Templates referenced by local path, transitively. A path is relative to the file that
    references it, or to the repository root when it starts with `/`; `x.yml@other-repo` (another
    repository) and paths built from expressions are not read. Never outside the repository (or the
    scan root outside one), never through a link; each file is read once, so cycles end."""
    pending = [f for f in files if f.format == NAME]
    if not pending:
        return  # a scan without a pipeline imports no Azure Pipelines extractor
    from nhilint.formats.azure_pipelines.extract import template_paths

    claimed = {f.absolute() for f in files}
    by_path = {f.absolute(): rel for rel, f in unclassified.items()}
    budget = MAX_TEMPLATES
    while pending and budget > 0:
        pipeline = pending.pop()
        if not _TEMPLATE_WORD().search(pipeline.text):
            continue
        try:
            paths = template_paths(pipeline)
        except ParseError:
            continue  # its own extraction reports it (NHI001, or an unrendered template)
        except Exception as exc:  # a bug of ours: the file's own extraction reports more
            if os.environ.get("NHILINT_DEBUG"):
                raise
            reader.internal_error(pipeline.rel, exc)
            continue
        home = os.path.dirname(pipeline.absolute())
        bound = reader.bound(home)
        edges = found.links.setdefault(pipeline.rel, [])
        for path in paths:
            base = bound if path.startswith("/") else home
            target = os.path.normpath(os.path.join(base, path.lstrip("/")))
            if target in claimed or not target.endswith((".yml", ".yaml")):
                continue
            if not inside_without_links(bound, target) or not os.path.isfile(target):
                continue
            claimed.add(target)
            budget -= 1
            rel = by_path.get(target)
            read = (
                unclassified.pop(rel)
                if rel is not None and rel in unclassified
                else reader.read(target, NAME)
            )
            if read is not None:
                file = SourceFile(read.rel, NAME, read.text, read.path)
                found.files.append(file)
                pending.append(file)
                edges.append(file.rel)
