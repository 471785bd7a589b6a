"""units: the groups of files an extractor reads together."""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath

from nhilint.formats import SourceFile
from nhilint.formats.registry import BY_NAME, FORMATS


def units(files: list[SourceFile], links: dict[str, list[str]] | None = None) -> list[list[SourceFile]]:
    """Groups an extractor reads together: a Terraform module (directory), or a single file.

    A unit is followed by the files its format reads it with (`Format.context`): a Terraform
    module's local modules (transitively), judged with the values the call passes, so the cache key
    covers them too; the other files of a GitLab CI file's pipeline. Only the first file (or
    directory) of a unit is judged; the rest is context."""
    grouped: dict[tuple[str, str], list[SourceFile]] = defaultdict(list)
    for file in files:
        key = str(PurePosixPath(file.rel).parent) if BY_NAME[file.format].per_directory else file.rel
        grouped[(file.format, key)].append(file)
    context: dict[str, dict[str, list[SourceFile]]] = {
        f.name: f.context([file for file in files if file.format == f.name], links or {})
        for f in FORMATS
        if f.context is not None
    }
    return [grouped[k] + context.get(k[0], {}).get(k[1], []) for k in sorted(grouped)]
