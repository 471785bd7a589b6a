"""GitHub Actions workflows (`.github/workflows/*.yml`, or any file shaped like one) and composite
actions (`action.yml`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath

from nhilint.formats.base import Format, Mark
from nhilint.knowledge.credential_names import lazy
from nhilint.parse.blocks import yaml_extents

# A `jobs:` mapping whose jobs look like GitHub Actions jobs: a runner, steps, or a reusable workflow.
_JOBS_MARK = Mark("\0jobs", frozenset({"runs-on", "steps", "uses"}), under="jobs")
_RUNS = lazy(r"^runs\s*:", re.M)
_ON = lazy(r"^[\"']?on[\"']?\s*:", re.M)
_JOBS = lazy(r"^jobs\s*:", re.M)
_JOB_KEY = lazy(r"^\s+(?:runs-on|steps)\s*:", re.M)


def _by_path(path: PurePosixPath, text: str) -> bool:
    if not path.name.endswith((".yml", ".yaml")):
        return False
    parts = path.parts
    if len(parts) >= 3 and parts[-3] == ".github" and parts[-2] == "workflows":
        return True
    return path.name in ("action.yml", "action.yaml") and bool(_RUNS().search(text))


def _by_shape(top: Mapping[str, object]) -> bool:
    return "on" in top and _JOBS_MARK.name in top  # a workflow wherever it lives (workflow-templates/)


def _by_words(name: str, head: str) -> bool:
    return not name.endswith(".json") and bool(
        _ON().search(head) and _JOBS().search(head) and _JOB_KEY().search(head)
    )


FORMAT = Format(
    name="github-actions",
    title="GitHub Actions",
    noun="workflow",
    ci="github",
    literal_logins="job",
    language="yaml",
    extractor="nhilint.formats.github_actions.extract",
    suffixes=(".yaml", ".yml", ".json"),
    by_path=_by_path,
    mentions="jobs",
    by_shape=_by_shape,
    keys=("on",),  # its value may be a mapping or a list: the key decides
    marks=(_JOBS_MARK,),
    by_words=_by_words,
    block_suffixes=(".yaml", ".yml"),
    block_extents=yaml_extents,
)
