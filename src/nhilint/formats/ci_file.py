"""How every CI format that reads one YAML mapping per file starts (GitHub Actions, Bitbucket,
CircleCI): the mapping, and the literal strings of all its values."""

from __future__ import annotations

from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.base import single_mapping
from nhilint.formats.walk import string_values
from nhilint.parse import ParseError
from nhilint.parse.tree import LMap


def read_ci_file(file: SourceFile, what: str) -> tuple[LMap | None, Extraction]:
    """The file's one mapping (`what` names it in the error) and its extraction so far: the literal
    strings of every value (a key written in place is a finding wherever it is, NHI101); or no
    mapping and the parse error as the file's problem (NHI001)."""
    try:
        doc = single_mapping(file, what)
    except ParseError as exc:
        return None, Extraction(problems=[Problem(file.loc(exc.line, exc.col), exc.reason)])
    return doc, Extraction(facts=list(string_values(file, doc, doc.pos, "ci-variable", identity=file.rel)))
