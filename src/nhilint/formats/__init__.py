"""Extractors: the only code that knows a format. Each turns located trees into facts.

An extractor module exposes `extract(files: list[SourceFile]) -> Extraction`. Terraform reads a
whole module (one directory) at once because variables, locals and references cross files; every
other format reads one file at a time.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType

from nhilint.facts import Fact, Loc

MODULES = {
    "terraform": "nhilint.formats.terraform",
    "cloudformation": "nhilint.formats.cloudformation",
    "kubernetes": "nhilint.formats.kubernetes",
    "github-actions": "nhilint.formats.github_actions",
    "gitlab-ci": "nhilint.formats.gitlab_ci",
}
PER_DIRECTORY = frozenset({"terraform"})


@dataclass(frozen=True)
class SourceFile:
    rel: str  # path relative to the scan root, forward slashes
    format: str
    text: str
    path: str | None = None  # absolute path on disk, for files a format reads beside it (`file("x.json")`)

    def loc(self, line: int, col: int = 1) -> Loc:
        return Loc(self.rel, line, col)


@dataclass(frozen=True)
class Problem:
    """A file (or part of one) that could not be read: becomes NHI001."""

    loc: Loc
    reason: str


@dataclass
class Extraction:
    facts: list[Fact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add(self, other: Extraction) -> None:
        self.facts.extend(other.facts)
        self.problems.extend(other.problems)


def extractor(fmt: str) -> ModuleType:
    return importlib.import_module(MODULES[fmt])
