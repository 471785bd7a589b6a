"""CloudFormation and SAM templates (YAML with short intrinsic tags, or JSON) to facts."""

from __future__ import annotations

from typing import Any

from nhilint.formats import Extraction, SourceFile
from nhilint.formats.walk import string_values
from nhilint.parse import ParseError
from nhilint.tree import LMap


def parse(file: SourceFile) -> Any:
    if file.rel.endswith(".json") or file.text.lstrip().startswith("{"):
        from nhilint.parse.json import parse_json

        return parse_json(file.text)
    from nhilint.parse.yaml import parse_yaml

    docs = parse_yaml(file.text, tags="cloudformation")
    return docs[0] if docs else None


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    template = parse(file)
    if not isinstance(template, LMap):
        raise ParseError("a CloudFormation template must be a mapping")
    result = Extraction()
    parameters = template.get("Parameters")
    if isinstance(parameters, LMap):
        for name, spec in parameters.items():
            if isinstance(spec, LMap) and isinstance(spec.get("Default"), str):
                result.facts.extend(string_values(file, spec["Default"], spec.vpos("Default"), "parameter",
                                                  path=f"Parameters.{name}", key=str(name)))
    resources = template.get("Resources")
    if isinstance(resources, LMap):
        for name, resource in resources.items():
            if isinstance(resource, LMap) and "Properties" in resource:
                result.facts.extend(
                    string_values(file, resource["Properties"], resource.vpos("Properties"), "attribute",
                                  path=f"{name}", identity=str(name))
                )
    return result
