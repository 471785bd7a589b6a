"""What every format shares: the `Format` a format package exposes, and the types it reads and returns.

A format is one package under `nhilint.formats` whose `__init__` builds one `Format` (`FORMAT`) and
stays light (it is imported for every scan); its extractor module, imported at first use, exposes
`extract(files: list[SourceFile]) -> Extraction`. Terraform reads a whole module (one directory) at
once because variables, locals and references cross files; every other format reads one file at a
time. `nhilint.formats.registry` lists the formats.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import posixpath
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from msgspec import Struct, field

from nhilint.errors import InternalError
from nhilint.facts import Fact, Loc

if TYPE_CHECKING:
    from nhilint.parse.tree import LMap


class SourceFile(Struct, frozen=True):
    rel: str  # path relative to the scan root, forward slashes
    format: str
    text: str
    path: str | None = None  # absolute path on disk, for files a format reads beside it (`file("x.json")`)

    def loc(self, line: int, col: int = 1) -> Loc:
        return Loc(self.rel, line, col)

    def absolute(self) -> str:
        """Its normalised absolute path (from the working directory when it is not on disk)."""
        return os.path.abspath(self.path or self.rel)


class Problem(Struct, frozen=True):
    """A file (or part of one) that could not be read: becomes NHI001."""

    loc: Loc
    reason: str


class Skipped(Struct, frozen=True):
    """A file read but deliberately not judged as its format (an unrendered Helm template)."""

    file: str
    reason: str


MAX_SIDE_FILE = 1_000_000  # bytes: a policy document, not a data dump


class SideRead(Struct, frozen=True):
    """A file a format read beside a unit file (`file("policy.json")`), as the cache re-checks it."""

    source: str  # `rel` of the unit file whose directory `name` is relative to
    name: str  # normalised forward-slash path from that directory (`../policies/x.json`), inside the root
    state: str  # sha256 of the bytes read, or why nothing was read: missing | too-large


class SideText(Struct, frozen=True):
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


class Extraction(Struct):
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


def single_mapping(file: SourceFile, what: str) -> LMap:
    """The file's one YAML document, a mapping (a CI system's configuration); else a ParseError saying
    `what` must be one."""
    from nhilint.parse import ParseError
    from nhilint.parse.tree import LMap
    from nhilint.parse.yaml import parse_yaml

    docs = parse_yaml(file.text)
    if len(docs) != 1 or not isinstance(docs[0], LMap):
        raise ParseError(f"{what} must be a single YAML mapping")
    return docs[0]


def lines_of(text: str, newline_only: bool) -> list[str]:
    """`text`'s lines as a parser numbers them. The HCL and JSON parsers count `\n` only; YAML also
    breaks at U+0085, U+2028 and U+2029 as `str.splitlines()` does (the other breaks splitlines knows,
    form feeds and file separators, YAML rejects)."""
    if newline_only:
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        return [line.removesuffix("\r") for line in lines]
    return text.splitlines()


def repository_root(directory: str) -> str | None:
    """The nearest of `directory` and its ancestors holding `.git` (lexically: links are not
    followed), or None outside a repository."""
    current = os.path.abspath(directory)
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def inside_without_links(bound: str, target: str) -> bool:
    """Whether `target` (absolute, normalised) is `bound` or under it, with no symbolic link on the
    way down from `bound`: what a scan pulls in by reference never leaves the repository."""
    if target != bound and not target.startswith(bound.rstrip(os.sep) + os.sep):
        return False
    current = bound
    for part in PurePosixPath(os.path.relpath(target, bound).replace(os.sep, "/")).parts:
        if part == ".":
            continue
        current = os.path.join(current, part)
        if os.path.islink(current):
            return False
    return True


class Mark(Struct, frozen=True):
    """A shape a top-level key alone does not tell, noted as `name` (start it with NUL: no key can
    clash) in discovery's summary of a document: a mapping one level below the top (a top-level
    value, or with `under`, a value of the top-level mapping `under`) holding any of `keys` (with
    `every`, all of them)."""

    name: str
    keys: frozenset[str]
    under: str | None = None
    every: bool = False


def _never(*_: object) -> bool:
    return False


def json_document(rel: str, text: str) -> bool:
    """A `.json` file holding a JSON document: the JSON parser numbers its lines at `\n` only."""
    return rel.endswith(".json") and text.lstrip().startswith(("{", "["))


class Reader(Protocol):
    """What a format may ask of the scan when it pulls in files (`Format.pulls_in`): the scan reads
    them (its size limit, its exclusions, no links) and records what it left out, and why."""

    root: Path  # the scan root

    def bound(self, directory: str) -> str:
        """What a file in `directory` may pull in stays under: its repository, outside one the
        scanned directory (or scan root) holding it."""
        ...

    def read(self, path: str, fmt: str) -> SourceFile | None:
        """The file at `path` as `fmt` (read even in a skipped directory), or None when it is
        excluded, a link, or cannot be read (recorded as skipped or as a problem)."""
        ...

    def unreadable_directory(self, path: str) -> None: ...

    def not_a_file(self, path: str) -> None: ...

    def internal_error(self, rel: str, exc: Exception) -> None:
        """A bug of ours while looking for what `rel` pulls in (the format raises it instead under
        NHILINT_DEBUG)."""
        ...


class Pulled(Struct):
    """Files a format pulled in, and what it found: `links` (file -> the files it pulls in, read as
    the context of its units), `deploys` (file -> files or directories it deploys, for
    production.lower), and `facts` about the whole scan (overlays and bases)."""

    files: list[SourceFile] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=dict)
    deploys: dict[str, list[str]] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)


# A `Format.pulls_in`: the files read so far (of every format: it picks its own), the files no format
# claimed (by path from the scan root; a format takes out those it reads), the reader, the `Pulled`.
PullsIn = Callable[[list[SourceFile], dict[str, SourceFile], Reader, Pulled], None]
# A `Format.context`: the scan's files of this format, its `Pulled.links` -> the files each unit (by
# key: its file, or its directory for a per-directory format) is read with, after its own.
Context = Callable[[list[SourceFile], dict[str, list[str]]], dict[str, list[SourceFile]]]


class Format(Struct, frozen=True):
    """Everything the scan knows about one format. A frozen struct of values and plain functions
    rather than a Protocol: a format is data plus a few hooks, most of them optional (defaults here),
    so each package states only what is particular to it, and the registry is a list of values."""

    name: str  # the id: `SourceFile.format`, catalogue entries' `formats`, remediation keys
    title: str  # how reports name it (SARIF help headings)
    language: str  # the code-fence language of its files (`hcl`, `yaml`)
    extractor: str  # module exposing `extract(files) -> Extraction`, imported at first use
    catalogued: bool = True  # whether catalogue entries name it (a Helm template only feeds secrets)
    # What a finding calls the thing a value is written in (NHI101: `... of <noun> x`).
    noun: str = "file"
    # What it calls a value written outside every identity of the file (default: `noun`).
    loose_noun: str = ""
    # A CI system's format: the `ci` its facts carry (`CiAuth.ci`), by which rules name the format ...
    ci: str = ""
    # ... what a message calls the unit its facts' `job` names (Bitbucket Pipelines runs steps) ...
    unit_noun: str = "job"
    # ... which literal cloud keys are a stored-key login's own (NHI101's finding folds into that
    # NHI103): `job`, those written in the job that logs in (its path starts `jobs.<job>.` or `<job>.`)
    # or in the file's own `env:`/`variables:` for a file-wide login; `line`, one on the login's line
    # (a Bitbucket pipe's variable); "" none ...
    literal_logins: str = ""
    # ... and, where its jobs may take cloud keys from project variables the scan cannot read (facts
    # with `method="variables"`), the setting that makes a job federate instead (NHI103 names it).
    federates_with: str = ""
    # Where one edit gives many of its identities an owner and expiry (NHI301, NHI302), as (remediation
    # key, what a finding calls it): the place an identity names (`Identity.fix_place`, `{place}` its
    # `fix_place_name`) ...
    tags_at_place: tuple[str, str] = ("", "")
    # ... and the file of identities that name none (`{file}`: a stack's template, a manifest file).
    tags_at_file: tuple[str, str] = ("", "")
    # Discovery: file names it may have (what the walk picks up at all) ...
    suffixes: tuple[str, ...] = ()
    # ... its path conventions (relative path, text): decided before any content is looked at ...
    by_path: Callable[[PurePosixPath, str], bool] = _never
    # ... the words its files cannot be written without (a regex alternative: no match, no parse) ...
    mentions: str = ""
    # ... a document's summary: its top-level keys with their scalar values, plus the top-level keys
    # it notes whatever their value (`keys`), the values of `(top key, key)` in the mappings below a
    # top-level key, as a list (`collects`), and `marks` ...
    by_shape: Callable[[Mapping[str, object]], bool] = _never
    keys: tuple[str, ...] = ()
    collects: tuple[tuple[str, str], ...] = ()
    marks: tuple[Mark, ...] = ()
    # ... and, for a file that does not parse, its words (name, first 200 kB), so it is reported.
    by_words: Callable[[str, str], bool] = _never
    # Words that mark a file as this format anywhere in it (a regex alternative): an unreadable file
    # (too large, binary, not UTF-8) holding them is reported (NHI001), not skipped.
    telltales: str = ""
    # A file on disk it claims whatever another format saw in it (Helm chart templates).
    claims: Callable[[Path, str | None], bool] = _never
    # Whether the files of one directory are one unit (Terraform modules); else each file is one.
    per_directory: bool = False
    # Whether its parser numbers lines at `\n` only (HCL, JSON), by the file's path and text; else as
    # splitlines. By default a `.json` file holding a JSON document.
    newline_lines: Callable[[str, str], bool] = json_document
    # Suppression comments: the markers an inline `nhilint: ignore[...]` may follow, the file
    # names whose blocks an ignore on a header line covers, and those blocks (first -> last line).
    comment_markers: tuple[str, ...] = ("#",)
    block_suffixes: tuple[str, ...] = ()
    block_extents: Callable[[str, Callable[[int, int], None]], None] | None = None
    # Files it pulls in by reference, and the context its units are read with (see the types above).
    pulls_in: PullsIn | None = None
    context: Context | None = None
    # Sees every file the scan read, of any format or none (kustomizations), after all are pulled in.
    reads_all: Callable[[list[SourceFile], Pulled], None] | None = None

    def extract(self, files: list[SourceFile]) -> Extraction:
        return importlib.import_module(self.extractor).extract(files)  # type: ignore[no-any-return]
