"""read: the files discovery found, as text within the size limits, and the files their formats pull in
(`Format.pulls_in`, `Format.reads_all`), numbered as their parsers number lines."""

from __future__ import annotations

import os
import posixpath
import re
import stat
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from msgspec import Struct, field

from nhilint.config import Config, Configs
from nhilint.facts import Fact, Loc
from nhilint.findings import InternalError
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.base import Pulled, repository_root
from nhilint.formats.registry import FORMATS
from nhilint.pipeline import discover
from nhilint.pipeline.lines import FileLines


class Sources(Struct):
    """The files read in a scan: their text (for fingerprints and suppressions), problems, and the
    files left unjudged, by reason."""

    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: Mapping[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    internal_errors: list[InternalError] = field(default_factory=list)
    # files by the files they pull in (a GitLab CI file's `include: local`), read as their context
    links: dict[str, list[str]] = field(default_factory=dict)
    # files (or directories) each file deploys by a relative path: a Terraform file's local modules, a
    # kustomization's resources; with `links`, what production.lower follows
    deploys: dict[str, list[str]] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)  # about the whole scan (kustomizations)
    edited: dict[str, str] = field(default_factory=dict)  # absolute path -> text read instead (fix)


# an unreadable file is reported when it holds a format's telltales (`Format.telltales`), else skipped
UNREADABLE = "unreadable (binary, not UTF-8 or over max-file-size), no {} in it".format(
    " or ".join(f.title for f in FORMATS if f.telltales)
)


def decode(data: bytes) -> str:
    """Text of a file: UTF-8 (BOM allowed) or BOM-marked UTF-16; anything else raises ValueError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\0" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid UTF-8 at byte {exc.start}") from None


def read_sources(
    paths: list[Path],
    root: Path,
    config: Config | Configs,
    skip_plans: bool = False,
    scanned: list[Path] | None = None,
    edited: Mapping[str, str] | None = None,
) -> Sources:
    """The files at `paths`; Terraform plans left out where `scan-plans: false`, and with `skip_plans`
    (the pre-commit hook) unless `scan-plans: true`. `scanned` (the paths the scan was given) bound
    what a file outside every repository pulls in. `edited` (absolute path -> text) is read instead
    of the file on disk: `nhilint fix` re-scans its edits before it writes them."""
    configs = config if isinstance(config, Configs) else Configs(explicit=config)
    sources = Sources(edited=dict(edited or {}))
    unclassified: dict[str, SourceFile] = {}
    seen: set[str] = set()
    for path in paths:
        rel = discover.relative(path, root)
        if rel in seen:  # the same file reached twice (`scan . "$PWD"`) is read once
            continue
        seen.add(rel)
        text = _read_text(path, rel, configs, sources)
        if text is None:
            continue
        fmt = discover.classify_file(path, text)
        why = fmt and _plan_left_out(SourceFile(rel, fmt, text), configs.at(path), skip_plans)
        if why:
            sources.skipped.setdefault(why, []).append(rel)
            continue
        if fmt is None:
            unclassified[rel] = SourceFile(rel, "", text, str(path))
            continue
        sources.files.append(SourceFile(rel, fmt, text, str(path)))
    reader = _Reader(root, configs, sources, [os.path.abspath(p) for p in scanned or [] if p.is_dir()])
    for pulling in (f.pulls_in for f in FORMATS if f.pulls_in is not None):
        pulled = Pulled()
        pulling(sources.files, unclassified, reader, pulled)
        sources.files += pulled.files
        _add_pulled(sources, pulled)
    for reading_all in (f.reads_all for f in FORMATS if f.reads_all is not None):
        pulled = Pulled()
        reading_all([*unclassified.values(), *sources.files], pulled)
        _add_pulled(sources, pulled)
    piped = unclassified.pop(discover.STDIN, None)
    if piped is not None:  # `scan -` names one document: nothing judged in it is never a pass
        sources.problems.append(Problem(Loc(discover.STDIN, 1), _unrecognised_stdin(piped.text)))
    if unclassified:
        sources.skipped.setdefault(discover.NOT_A_FORMAT, []).extend(unclassified)
    sources.lines = FileLines(sources.files)  # split when read: kept whole they outweigh the texts
    return sources


def _unrecognised_stdin(text: str) -> str:
    """Why nothing was judged in standard input: empty (the command before the pipe failed) or
    content no format recognises (a workflow or `.tf` file is known by its name, which `-` has not)."""
    if not text.strip():
        return "standard input is empty: did the command before the pipe fail?"
    return (
        "standard input is not a document recognised by its content, such as a Terraform plan, a "
        "CloudFormation template or a Kubernetes manifest; pass a workflow or a `.tf` file by its path"
    )


PLAN_OFF = "Terraform plan (scan-plans: false)"
PLAN_UNDER_HOOK = "Terraform plan, left out by --skip-plans (the pre-commit hook; scan-plans: true reads it)"


def _plan_left_out(file: SourceFile, config: Config, skip_plans: bool) -> str | None:
    """Why a Terraform plan is not read, or None (read it, or not a plan)."""
    if file.format != "terraform" or config.scan_plans is True:
        return None
    from nhilint.formats.terraform import is_plan  # only a Terraform scan pays for it

    if not is_plan(file):
        return None
    if config.scan_plans is False:
        return PLAN_OFF
    return PLAN_UNDER_HOOK if skip_plans else None


def _read_text(path: Path, rel: str, configs: Configs, sources: Sources) -> str | None:
    """A file's text, or None: a file that cannot be read is a problem (a format we read) or a skip."""
    text = sources.edited.get(os.path.abspath(path))
    if text is not None:
        return text
    try:
        limit = configs.at(path).max_file_size
        return decode(read_stdin(limit) if rel == discover.STDIN else read_bounded(path, limit))
    except FileNotFoundError:
        return None  # vanished since discovery: nothing left to judge
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if rel == discover.STDIN or _known_format(path):  # asked for by name: never skipped in silence
            what = "standard input" if rel == discover.STDIN else "file"
            sources.problems.append(Problem(Loc(rel, 1), f"cannot read {what}: {reason}"))
        else:
            sources.skipped.setdefault(UNREADABLE, []).append(rel)
        return None


class _Reader(Struct):
    """How a format pulls in a file it refers to (`Format.pulls_in`): read even in a skipped
    directory or outside the scanned paths, unless its configuration excludes it or it cannot be read."""

    root: Path
    configs: Configs
    sources: Sources
    scanned: list[str] = field(default_factory=list)  # the directories the scan was given, absolute

    def bound(self, directory: str) -> str:
        """The repository holding `directory`; outside one, the scanned directory holding it (the
        innermost), else the scan root when it holds it, else `directory` itself: never the current
        directory for a tree scanned elsewhere (its references would all be dropped in silence)."""
        repository = repository_root(directory)
        if repository is not None:
            return repository
        directory = os.path.abspath(directory)
        holding = [d for d in self.scanned if _holds(d, directory)]
        if holding:
            return max(holding, key=len)
        root = os.path.abspath(self.root)
        return root if _holds(root, directory) else directory

    def read(self, path: str, fmt: str) -> SourceFile | None:
        rel = discover.relative(Path(path), self.root)
        if os.path.islink(path):
            self.sources.skipped.setdefault(discover.SYMLINK, []).append(rel)
            return None
        if discover.excluded_by_config(Path(path), rel, self.configs):
            self.sources.skipped.setdefault(discover.EXCLUDED, []).append(rel)
            return None
        text = _read_text(Path(path), rel, self.configs, self.sources)
        return None if text is None else SourceFile(rel, fmt, text, path)

    def unreadable_directory(self, path: str) -> None:
        rel = discover.relative(Path(path), self.root) + "/"
        self.sources.skipped.setdefault(discover.UNREADABLE_DIRECTORY, []).append(rel)

    def not_a_file(self, path: str) -> None:
        rel = discover.relative(Path(path), self.root)
        self.sources.skipped.setdefault(discover.NOT_A_FILE, []).append(rel)

    def internal_error(self, rel: str, exc: Exception) -> None:
        self.sources.internal_errors.append(InternalError.of(rel, exc))


def _holds(directory: str, path: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _add_pulled(sources: Sources, pulled: Pulled) -> None:
    for rel, targets in pulled.links.items():
        sources.links.setdefault(rel, []).extend(targets)
    for rel, targets in pulled.deploys.items():
        sources.deploys.setdefault(rel, []).extend(targets)
    sources.facts += pulled.facts


def read_bounded(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most `limit` of them (else ValueError).

    Opened non-blocking and checked with fstat, so a FIFO or device swapped in after discovery
    cannot hang the scan, and a file that grows after the check is still read only to limit + 1.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        size = info.st_size
        data = handle.read(limit + 1) if size <= limit else b""
    size = max(size, len(data))
    if size > limit:
        raise ValueError(f"file is {size} bytes, over the {limit}-byte limit (max-file-size)")
    return data


def read_stdin(limit: int) -> bytes:
    """Standard input's bytes (`nhilint scan -`), at most `limit` of them (else ValueError): read to
    limit + 1, so a larger or endless stream stops there."""
    stream = sys.stdin.buffer if sys.stdin is not None else None
    if stream is None:
        raise ValueError("standard input is closed")
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"over the {limit}-byte limit (max-file-size)")
    return data


def _known_format(path: Path) -> bool:
    """Whether an unreadable file (too large, binary, not UTF-8) could be a format we read: by name,
    by a lossy look at its start, then by the words of a manifest or template anywhere in it (a
    10 MB file of comments can end with a ClusterRoleBinding)."""
    name = os.path.abspath(path)
    if discover.classify(name, "") is not None:
        return True
    if not path.is_file():  # never open a FIFO or device to peek (it could block forever)
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
            if discover.classify(name, head.decode("utf-8", "replace")) is not None:
                return True
            window = head
            for _ in range(_PEEK_LIMIT // _PEEK_CHUNK):  # linear, and bounded for a huge file
                if _format_words().search(window):
                    return True
                chunk = handle.read(_PEEK_CHUNK)
                if not chunk:
                    return False
                window = window[-32:] + chunk
    except OSError:
        return False
    return True  # larger than we look through: say so rather than guess it harmless


@cache  # compiled when an unreadable file is first peeked at, not by every scan (a long alternation)
def _format_words() -> re.Pattern[bytes]:
    return re.compile("|".join(f.telltales for f in FORMATS if f.telltales).encode())


_PEEK_CHUNK = 1 << 20
_PEEK_LIMIT = 1 << 30


def read_beside(extraction: Extraction, sources: Sources) -> set[str]:
    """The files a format read beside a unit (`file("policies/x.json")`) that are not scanned files
    themselves, by path from the scan root: they are scanned too, and a finding may sit in one."""
    scanned = {f.rel for f in sources.files} | {p.loc.file for p in sources.problems}
    beside = set()
    for read in extraction.reads:
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(read.source), read.name))
        if read.state not in ("missing", "too-large") and not rel.startswith(("/", "../")):
            beside.add(rel)
    return beside - scanned
