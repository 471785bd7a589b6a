"""Bitbucket Pipelines (`bitbucket-pipelines.yml`, the one file a repository's pipelines live in, or
any file shaped like one)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from nhilint.formats.base import Format, Mark
from nhilint.parse.blocks import yaml_extents

# A top-level mapping holding Bitbucket's pipeline kinds (with a top-level `pipelines:` key, it is that one).
_PIPELINES_MARK = Mark(
    "\0bitbucket-pipelines", frozenset({"default", "branches", "tags", "pull-requests", "custom"})
)


def _by_path(path: PurePosixPath, text: str) -> bool:
    return path.name == "bitbucket-pipelines.yml"  # the only name Bitbucket reads


def _by_shape(top: Mapping[str, object]) -> bool:
    return "pipelines" in top and _PIPELINES_MARK.name in top and "on" not in top and "jobs" not in top


FORMAT = Format(
    name="bitbucket-pipelines",
    title="Bitbucket Pipelines",
    language="yaml",
    extractor="nhilint.formats.bitbucket_pipelines.extract",
    suffixes=(".yml", ".yaml"),
    by_path=_by_path,
    mentions="pipelines",
    by_shape=_by_shape,
    keys=("pipelines",),
    marks=(_PIPELINES_MARK,),
    block_suffixes=(".yml", ".yaml"),
    block_extents=yaml_extents,
)
