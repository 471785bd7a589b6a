"""CloudFormation templates (YAML with its short-form tags, or JSON)."""

from __future__ import annotations

from collections.abc import Mapping

from nhilint.formats.base import Format, json_document
from nhilint.knowledge.credential_names import lazy
from nhilint.parse.blocks import yaml_extents

_WORDS = lazy(
    r"AWSTemplateFormatVersion|[\"']?Type[\"']?\s*:\s*[\"']?AWS::[A-Za-z0-9]+::|Transform[\"']?\s*:\s*[\"']?AWS::Serverless"
)


def _by_shape(top: Mapping[str, object]) -> bool:
    if "AWSTemplateFormatVersion" in top or str(top.get("Transform", "")).startswith("AWS::Serverless"):
        return True
    types = top.get("Resources")
    return isinstance(types, list) and any(str(t).startswith("AWS::") for t in types)


def _by_words(name: str, head: str) -> bool:
    return bool(_WORDS().search(head)) and "Resources" in head


FORMAT = Format(
    name="cloudformation",
    title="CloudFormation",
    language="yaml",
    extractor="nhilint.formats.cloudformation.extract",
    suffixes=(".yaml", ".yml", ".json", ".template"),
    mentions="AWS",
    by_shape=_by_shape,
    collects=(("Resources", "Type"),),  # the types of its resources
    by_words=_by_words,
    telltales="AWSTemplateFormatVersion|AWS::",
    noun="cloudformation resource",
    tags_at_file=("cloudformation-stack", "tags on the stack of template {file}, or Tags on each"),
    newline_lines=lambda rel, text: text.lstrip().startswith("{") or json_document(rel, text),
    block_suffixes=(".yaml", ".yml"),
    block_extents=yaml_extents,
)
