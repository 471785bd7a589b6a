"""Bitbucket Pipelines (`bitbucket-pipelines.yml`: the one file, by that name, a repository's pipelines
live in; shared pipeline configurations that other repositories import carry the same name)."""

from __future__ import annotations

from pathlib import PurePosixPath

from nhilint.formats.base import Format
from nhilint.parse.blocks import yaml_extents


def _by_path(path: PurePosixPath, text: str) -> bool:
    # Bitbucket reads no other name, so content is no evidence: a `pipelines:` key in a Helm values
    # file or a Tekton manifest is not a Bitbucket pipeline.
    return path.name == "bitbucket-pipelines.yml"


FORMAT = Format(
    name="bitbucket-pipelines",
    title="Bitbucket Pipelines",
    noun="pipeline",
    ci="bitbucket",
    unit_noun="step",
    literal_logins="line",  # a pipe's key variable: its login is that line
    federates_with="`oidc: true`",
    language="yaml",
    extractor="nhilint.formats.bitbucket_pipelines.extract",
    suffixes=(".yml",),
    by_path=_by_path,
    block_suffixes=(".yml",),
    block_extents=yaml_extents,
)
