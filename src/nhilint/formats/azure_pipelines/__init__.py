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
    """A pipeline or template wherever it lives: something to run (`stages`, `jobs`, `steps`,
    `extends`) with a trigger (`trigger`/`pr`), a `pool` or declared `parameters`, and none of the
    top-level keys other CI systems have and Azure's never (GitHub `on`, CircleCI `version` and
    `workflows`, Drone `kind`, Bitbucket and GitLab `image`)."""
    return (
        any(k in top for k in _RUNS) and any(k in top for k in _AZURE) and not any(k in top for k in _OTHERS)
    )


_RUNS = ("stages", "jobs", "steps", "extends")
_AZURE = ("trigger", "pr", "pool", "parameters")
_OTHERS = ("on", "version", "workflows", "kind", "image", "apiVersion")


FORMAT = Format(
    name=templates.NAME,
    title="Azure Pipelines",
    noun="pipeline",
    ci="azure",
    literal_logins="job",  # a file-wide `variables:` key and the login reading it (jobs are list items)
    language="yaml",
    extractor="nhilint.formats.azure_pipelines.extract",
    suffixes=_SUFFIXES,
    by_path=_by_path,
    mentions="trigger|pr:|pool|parameters",
    by_shape=_by_shape,
    keys=(*_RUNS, *_AZURE, "workflows"),
    block_suffixes=_SUFFIXES,
    block_extents=yaml_extents,
    pulls_in=templates.pulled,
)
