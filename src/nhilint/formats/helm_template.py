"""Unrendered templates (a Helm chart's `templates/`, or YAML that only parses once rendered).

A template is not a manifest until `helm template` renders it, so it is not judged as one: it is
reported as skipped, and only its literal `key: value` lines go to the credential detectors, so a
key written into a chart is still caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from nhilint.facts import Fact, StringValue
from nhilint.formats import Extraction, Skipped, SourceFile

REASON = "unrendered template"  # docs/configuration.md: render it (`helm template`) and scan that
_LINE = re.compile(
    r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[A-Za-z_][\w.-]{0,200})\s*:\s+(?P<value>\S.{0,8000}?)\s*$"
)


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    return Extraction(facts=list(literal_lines(file)), skipped=[Skipped(file.rel, REASON)])


def in_chart(path: Path) -> bool:
    """Whether `path` lies under a chart's `templates/` directory (beside a `Chart.yaml`)."""
    return any(p.name == "templates" and (p.parent / "Chart.yaml").is_file() for p in path.parents)


def literal_lines(file: SourceFile) -> Iterator[Fact]:
    """`key: value` lines whose value holds no template action, unquoted. In an env list the key
    is the variable's name from the `- name:` line above (`value:` alone says nothing)."""
    env_name = ""
    for number, line in enumerate(file.text.splitlines(), 1):
        match = _LINE.match(line)
        if match is None or "{{" in match["value"] or match["value"].startswith(("#", "|", ">", "&", "*")):
            env_name = ""
            continue
        key, value = match["key"], match["value"].strip("\"'")
        if key == "name":
            env_name = value
            continue
        yield StringValue(
            loc=file.loc(number, match.start("value") + 1),
            key=env_name if key == "value" and env_name else key,
            value=value,
            path=key,
            context="env" if key == "value" and env_name else "attribute",
        )
        env_name = ""
