"""Unrendered templates (a Helm chart's `templates/`, or YAML that only parses once rendered).

A template is not a manifest until `helm template` renders it, so it is not judged as one: it is
reported as skipped, and only its literal `key: value` lines go to the credential detectors, so a
key written into a chart is still caught.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nhilint.facts import Fact, StringValue
from nhilint.formats import Extraction, Skipped, SourceFile
from nhilint.formats.base import Format
from nhilint.knowledge.credential_names import lazy
from nhilint.parse.blocks import yaml_extents

REASON = "unrendered template"  # docs/configuration.md: render it (`helm template`) and scan that
_LINE = lazy(r"^\s*(?:-\s+)?([\"']?)(?P<key>[A-Za-z_][\w.-]{0,200})\1\s*:\s+(?P<value>\S.{0,8000}?)\s*$")


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    return Extraction(facts=list(literal_lines(file)), skipped=[Skipped(file.rel, REASON)])


def _claims(path: Path, seen_as: str | None) -> bool:
    """YAML in a chart's templates/ is a template, whatever it looks like (unless it is plainly
    another format: a workflow, a pipeline, a template)."""
    return seen_as in ("kubernetes", None) and path.name.endswith((".yaml", ".yml")) and in_chart(path)


def in_chart(path: Path) -> bool:
    """Whether `path` lies under a chart's `templates/` directory (beside a `Chart.yaml`)."""
    if "templates" not in path.parts[:-1]:
        return False
    return any(p.name == "templates" and (p.parent / "Chart.yaml").is_file() for p in path.parents)


def syntax_at(text: str, line: int) -> bool:
    """Whether a parse error at `line` is template syntax: a `{{` on that line or the one before,
    outside a comment (a `{{` in a comment of a manifest does not make it a template)."""
    lines = text.splitlines()
    near = lines[max(line - 2, 0) : line]
    return any("{{" in _COMMENT().sub("", code) for code in near)


_COMMENT = lazy(r"(?:^|\s)#.*$")


def literal_lines(file: SourceFile) -> Iterator[Fact]:
    """`key: value` lines whose value holds no template action, unquoted. In an env list the key
    is the variable's name from the `- name:` line above (`value:` alone says nothing)."""
    env_name = ""
    for number, line in enumerate(file.text.splitlines(), 1):
        match = _LINE().match(line)
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


FORMAT = Format(
    name="helm-template",
    title="Helm template",
    noun="template",
    language="yaml",
    extractor=__name__,
    catalogued=False,
    claims=_claims,
    block_suffixes=(".yaml", ".yml"),
    block_extents=yaml_extents,
)
