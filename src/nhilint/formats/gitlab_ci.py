"""GitLab CI pipelines to facts."""

from __future__ import annotations

from nhilint.formats import Extraction, SourceFile
from nhilint.formats.walk import string_values
from nhilint.parse import ParseError
from nhilint.tree import LMap


def parse(file: SourceFile) -> LMap:
    from nhilint.parse.yaml import parse_yaml

    docs = parse_yaml(file.text, tags="gitlab")
    if not docs or not isinstance(docs[0], LMap):
        raise ParseError("a GitLab CI file must be a YAML mapping")
    return docs[0]


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    pipeline = parse(file)
    return Extraction(facts=list(string_values(file, pipeline, pipeline.pos, "ci-variable", identity=file.rel)))
