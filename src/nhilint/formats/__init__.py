"""Extractors: the only code that knows a format. Each turns located trees into facts.

An extractor module exposes `extract(files: list[SourceFile]) -> Extraction`. Terraform reads a
whole module (one directory) at once because variables, locals and references cross files; every
other format reads one file at a time.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import ModuleType

from nhilint.facts import Fact, Loc
from nhilint.findings import InternalError

MODULES = {
    "terraform": "nhilint.formats.terraform",
    "cloudformation": "nhilint.formats.cloudformation",
    "kubernetes": "nhilint.formats.kubernetes",
    "github-actions": "nhilint.formats.github_actions",
    "gitlab-ci": "nhilint.formats.gitlab_ci",
    "helm-template": "nhilint.formats.helm_template",
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


@dataclass(frozen=True)
class Skipped:
    """A file read but deliberately not judged as its format (an unrendered Helm template)."""

    file: str
    reason: str


MAX_SIDE_FILE = 1_000_000  # bytes: a policy document, not a data dump


@dataclass(frozen=True)
class SideRead:
    """A file a format read beside a unit file (`file("policy.json")`), as the cache re-checks it."""

    source: str  # `rel` of the unit file whose directory `name` is relative to
    name: str  # normalised forward-slash path from that directory (`../policies/x.json`), inside the root
    state: str  # sha256 of the bytes read, or why nothing was read: missing | too-large


@dataclass(frozen=True)
class SideText:
    name: str  # normalised forward-slash path from the source's directory (may start with `..`)
    text: str


def read_beside(source: SourceFile, name: str, reads: list[SideRead]) -> SideText | None:
    """The text of the file `name` (relative to `source`'s directory, `..` allowed), recorded in
    `reads`; None when it leaves the scan root, passes through a symlink, is missing, too large or
    not UTF-8.

    The only way a format reads a file that is not a scanned one: the facts cache keys a unit on its
    own files, and re-checks every recorded read, so an edited side file is never answered from the
    cache.
    """
    target = side_path(source, name)
    if target is None:
        return None
    state, data = side_state(target)
    normal = posixpath.normpath(name)
    reads.append(SideRead(source.rel, normal, state))
    try:
        return SideText(normal, data.decode("utf-8")) if data is not None else None
    except UnicodeDecodeError:
        return None


def side_path(source: SourceFile, name: str) -> Path | None:
    """`name` relative to `source`'s directory, on disk; None when it leaves the scan root (a
    repository's policy must not read the auditor's files), passes through a symlink anywhere below
    the root, or `source` is not on disk. Lexical: `a/../b` is `b`, and no part of `b` may be a link."""
    anchor = _anchor(source)
    if anchor is None or PurePosixPath(name).is_absolute() or "\\" in name or "\0" in name:
        return None
    root, home = anchor
    below = posixpath.normpath(posixpath.join(home, name))
    if below in (".", "..") or below.startswith(("../", "/")):
        return None
    target = root
    for part in below.split("/"):
        target = target / part
        if target.is_symlink():
            return None
    return target


def _anchor(source: SourceFile) -> tuple[Path, str] | None:
    """The scan root (what `source.rel` is relative to, found from its path on disk) and the
    source's directory below it. A file pulled in from outside the root (an absolute `rel`) is
    anchored at its own directory: nothing above it is read."""
    if not source.path:
        return None
    path = Path(os.path.abspath(source.path))
    rel = PurePosixPath(source.rel)
    if rel.is_absolute() or len(rel.parts) >= len(path.parts) or path.parts[-len(rel.parts) :] != rel.parts:
        return path.parent, ""
    return path.parents[len(rel.parts) - 1], posixpath.dirname(source.rel)


def side_state(target: Path) -> tuple[str, bytes | None]:
    """The `SideRead.state` of `target`, and its bytes when it is read."""
    try:
        if not target.is_file():  # absent, a directory, a FIFO (opening it would block)
            return "missing", None
        with target.open("rb") as handle:
            data = handle.read(MAX_SIDE_FILE + 1)
    except OSError:  # unreadable reads as nothing too
        return "missing", None
    if len(data) > MAX_SIDE_FILE:
        return "too-large", None
    return hashlib.sha256(data).hexdigest(), data


@dataclass
class Extraction:
    facts: list[Fact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    internal_errors: list[InternalError] = field(default_factory=list)  # never cached
    reads: list[SideRead] = field(default_factory=list)  # files read beside the unit, for the cache

    def add(self, other: Extraction) -> None:
        self.facts.extend(other.facts)
        self.problems.extend(other.problems)
        self.reads.extend(other.reads)
        self.skipped.extend(other.skipped)
        self.internal_errors.extend(other.internal_errors)


def numbered_lines(file: SourceFile) -> list[str]:
    """The file's lines as its parser numbers them, so a finding's line, its snippet, its inline
    ignores and its fingerprint are one line. The HCL and JSON parsers count `\n` only; YAML also
    breaks at U+0085, U+2028 and U+2029 as `str.splitlines()` does (the other breaks splitlines knows,
    form feeds and file separators, YAML rejects)."""
    text = file.text.lstrip()
    json = file.rel.endswith(".json") and text.startswith(("{", "["))
    if file.format == "terraform" or json or (file.format == "cloudformation" and text.startswith("{")):
        lines = file.text.split("\n")
        if lines[-1] == "":
            lines.pop()
        return [line.removesuffix("\r") for line in lines]
    return file.text.splitlines()


def extractor(fmt: str) -> ModuleType:
    return importlib.import_module(MODULES[fmt])
