"""GitLab CI pipelines (`.gitlab-ci.yml`, fragments under `.gitlab/ci/`, or any file a pipeline
includes), read with the other files of their pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from nhilint.formats.base import Format, Mark
from nhilint.formats.gitlab_ci import includes
from nhilint.parse.blocks import yaml_extents

# A top-level mapping that is a GitLab job: a fragment pulled in by `include:` has jobs but no
# `stages:` of its own (its parent defines them), so it is recognised by its jobs wherever it lives.
_JOB_MARK = Mark("\0gitlab-job", frozenset({"script", "stage"}), every=True)
_ROOT_FILES = (".gitlab-ci.yml", ".gitlab-ci.yaml")


def _by_path(path: PurePosixPath, text: str) -> bool:
    name, parts = path.name, path.parts
    if not name.endswith((".yml", ".yaml")):
        return False
    if name.endswith(_ROOT_FILES):
        return True
    # the conventional home of `include: local:` pipeline fragments
    return ".gitlab" in parts[:-1] and "ci" in parts[parts.index(".gitlab") + 1 : -1]


def _by_shape(top: Mapping[str, object]) -> bool:
    return _JOB_MARK.name in top and "on" not in top  # `on`: a GitHub workflow's


FORMAT = Format(
    name=includes.NAME,
    title="GitLab CI",
    noun="pipeline",
    ci="gitlab",
    literal_logins="job",
    federates_with="`id_tokens`",
    language="yaml",
    extractor="nhilint.formats.gitlab_ci.extract",
    suffixes=(".yaml", ".yml"),
    by_path=_by_path,
    mentions="stage",
    by_shape=_by_shape,
    marks=(_JOB_MARK,),
    block_suffixes=(".yaml", ".yml"),
    block_extents=yaml_extents,
    pulls_in=includes.included,
    context=includes.context,
)
