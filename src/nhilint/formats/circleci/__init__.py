"""CircleCI configuration (`.circleci/config.yml`, and the other YAML files of `.circleci/`: dynamic
configuration's `continue_config.yml`)."""

from __future__ import annotations

from pathlib import PurePosixPath

from nhilint.formats.base import Format
from nhilint.parse.blocks import yaml_extents


def _by_path(path: PurePosixPath, text: str) -> bool:
    parts = path.parts
    return path.name.endswith((".yml", ".yaml")) and len(parts) >= 2 and parts[-2] == ".circleci"


FORMAT = Format(
    name="circleci",
    title="CircleCI",
    noun="pipeline",
    ci="circleci",
    literal_logins="job",
    language="yaml",
    extractor="nhilint.formats.circleci.extract",
    suffixes=(".yml", ".yaml"),
    by_path=_by_path,
    block_suffixes=(".yml", ".yaml"),
    block_extents=yaml_extents,
)
