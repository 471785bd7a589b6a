"""GitHub Actions workflows and composite actions to facts."""

from __future__ import annotations

from nhilint.formats import Extraction, SourceFile
from nhilint.formats.walk import string_values
from nhilint.parse import ParseError
from nhilint.tree import LMap


def parse(file: SourceFile) -> LMap:
    from nhilint.parse.yaml import parse_yaml

    docs = parse_yaml(file.text)
    if len(docs) != 1 or not isinstance(docs[0], LMap):
        raise ParseError("a workflow must be a single YAML mapping")
    return docs[0]


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    workflow = parse(file)
    return Extraction(facts=list(string_values(file, workflow, workflow.pos, "ci-variable", identity=file.rel)))
