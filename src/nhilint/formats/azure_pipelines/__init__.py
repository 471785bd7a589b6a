"""Azure Pipelines (`azure-pipelines.yml`, `azure-pipelines*.yml`, `*.azure-pipelines.yml`, files under
`.azure-pipelines/`, any file shaped like a pipeline, and the local templates a pipeline references)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from nhilint.formats.azure_pipelines import templates
from nhilint.formats.base import Format
from nhilint.parse.blocks import yaml_extents

_SUFFIXES = (".yml", ".yaml")


def _by_path(path: PurePosixPath, text: str) -> bool:
    name = path.name.lower()
    if not name.endswith(_SUFFIXES):
        return False
    stem = name.rsplit(".", 1)[0]
    # documented conventions: azure-pipelines.yml (the default), azure-pipelines-ci.yml, x.azure-pipelines.yml
    if stem.startswith("azure-pipelines") or stem.endswith(".azure-pipelines"):
        return True
    return ".azure-pipelines" in path.parts[:-1]


def _by_shape(top: Mapping[str, object]) -> bool:
    """A pipeline wherever it lives: a trigger (`trigger`/`pr`, Azure's words; GitHub says `on`) and
    something to run."""
    return (
        "on" not in top
        and ("trigger" in top or "pr" in top)
        and any(k in top for k in ("stages", "jobs", "steps", "extends"))
    )


FORMAT = Format(
    name=templates.NAME,
    title="Azure Pipelines",
    language="yaml",
    extractor="nhilint.formats.azure_pipelines.extract",
    suffixes=_SUFFIXES,
    by_path=_by_path,
    mentions="trigger|pr:",
    by_shape=_by_shape,
    keys=("trigger", "pr", "stages", "jobs", "steps", "extends"),
    block_suffixes=_SUFFIXES,
    block_extents=yaml_extents,
    pulls_in=templates.pulled,
)
