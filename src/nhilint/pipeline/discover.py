"""Which files to scan, and what format each one is.

Directories are walked without following symlinks; inside a git work tree, git itself says which
files are not ignored (honouring every .gitignore exactly as git does).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from nhilint.formats.base import Mark
from nhilint.formats.registry import FORMATS

if TYPE_CHECKING:
    from nhilint.config import Configs

# What the walk picks up at all: every format's file names.
SUFFIXES = tuple(dict.fromkeys(suffix for f in FORMATS for suffix in f.suffixes))


def is_candidate(name: str) -> bool:
    return name.endswith(SUFFIXES) and name not in (".nhilint.yaml", ".nhilint.yml")  # our own config


def classify(rel: str, text: str) -> str | None:
    """The format of a file from its repo-relative path and (for YAML/JSON) its content: the first
    format (in the registry's order) whose path conventions take it, else whose document shape fits."""
    path = PurePosixPath(rel)
    name = path.name
    for fmt in FORMATS:
        if fmt.by_path(path, text):
            return fmt.name
    if not _MENTIONS.search(text):  # no format can be written without these: skip the parse
        return None
    try:
        return _sniff_json(text) if name.endswith(".json") else _sniff_yaml(text)
    except _Unsure:  # merge keys, alias keys: the event view cannot tell, the located tree can
        return _from_tree(name, text)
    except Exception:  # not parseable whole: judge each document that is, then the words
        return _from_tree(name, text) or _by_words(name, text)


def classify_file(path: Path, text: str) -> str | None:
    """The format of a file on disk: as `classify` says from its absolute path (`.github/workflows`
    wherever the scan stands), unless a format claims it from where it lies (a Helm chart's templates)."""
    found = classify(os.path.abspath(path), text)
    return next((f.name for f in FORMATS if f.claims(path, found)), found)


# What every format's files contain (each format's words), or an escape that could spell them.
_MENTIONS = re.compile("|".join([*(f.mentions for f in FORMATS if f.mentions), r"\\[xuU]"]))
# What a document's summary holds beyond its top-level scalars (see `Format.by_shape`).
_KEYS = frozenset(k for f in FORMATS for k in f.keys)
_COLLECTS = frozenset(c for f in FORMATS for c in f.collects)
_MARKS = tuple(m for f in FORMATS for m in f.marks)
_JSON_MARKS = tuple(m for f in FORMATS if ".json" in f.suffixes for m in f.marks)


class _Unsure(Exception):
    """The event sniffer met a construct (a merge key, an alias as a key) it does not resolve."""


def _from_tree(name: str, text: str) -> str | None:
    """Classify from the located tree of every document that parses (slower, exact)."""
    from nhilint.parse.yaml import parse_yaml_stream

    docs = parse_yaml_stream(text)[0]
    if not docs and name.endswith(".json"):
        return None
    for doc in docs:
        if isinstance(doc, dict):
            top: dict[str, object] = {str(k): v for k, v in doc.items()}
            if True in doc:  # YAML 1.1 reads a plain `on` key as true
                top["on"] = doc[True]
            _summarise(doc, top, _MARKS)
            if found := _judge(top):
                return found
    return None


def _by_words(name: str, text: str) -> str | None:
    """The format of a file that does not parse, judged by its words (so it is reported, not dropped)."""
    head = text[:200_000]
    return next((f.name for f in FORMATS if f.by_words(name, head)), None)


def _judge(top: dict[str, object]) -> str | None:
    """The format of one document from its top-level keys (values: scalars, or the `Resources`
    types seen, and the marks above)."""
    return next((f.name for f in FORMATS if f.by_shape(top)), None)


def _sniff_json(text: str) -> str | None:
    import json

    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except ValueError:  # kubectl reads YAML in a .json file too
        return _sniff_yaml(text)
    if not isinstance(data, dict):
        return None
    top = dict(data)
    _summarise(data, top, _JSON_MARKS)  # a format that is never JSON is not marked in JSON
    return _judge(top)


def _summarise(doc: Mapping[Any, Any], top: dict[str, object], marks: tuple[Mark, ...]) -> None:
    """Add to `top` (a document's top-level keys) the marks `doc` has and the values it collects."""
    for mark in marks:
        below = doc.get(mark.under) if mark.under is not None else doc
        if isinstance(below, dict) and any(
            isinstance(v, dict) and (set(v) >= mark.keys if mark.every else bool(mark.keys & set(v)))
            for v in below.values()
        ):
            top[mark.name] = True
    for outer, inner in _COLLECTS:
        mappings = doc.get(outer)
        if isinstance(mappings, dict):
            top[outer] = [m.get(inner) for m in mappings.values() if isinstance(m, dict)]


def _sniff_yaml(text: str) -> str | None:
    """Classify by structure, from libyaml's events: a document that is a mapping with `apiVersion`
    and `kind`, or with `Resources` of `AWS::` types. Stops at the first document that decides."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        return _sniff_events(loader.get_event)
    finally:
        loader.dispose()


def _sniff_events(next_event: Callable[[], Any]) -> str | None:
    """`_sniff_yaml` over libyaml's events, read straight from the parser (`yaml.parse` asks twice
    per event)."""
    import yaml

    depth = 0
    top: dict[str, object] = {}
    path: list[str | None] = []  # the key being read at each mapping depth (None: expecting a key)
    seen: dict[str, set[str]] = {}  # keys of an `every` mark seen in the mapping being read
    while True:
        event = next_event()
        if event is None or isinstance(event, yaml.StreamEndEvent):
            return None
        if isinstance(event, yaml.DocumentStartEvent):
            depth, top, path = 0, {}, []
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            path.append(None if isinstance(event, yaml.MappingStartEvent) else "-")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            path.pop()
            _value_done(path)
        elif isinstance(event, yaml.ScalarEvent) and path:
            if path[-1] is None:  # a key
                if event.value == "<<" and not event.style:  # a plain `<<`: a merge key
                    raise _Unsure
                path[-1] = event.value
                if depth == 1:
                    seen.clear()
                    if event.value in _KEYS:
                        top[event.value] = ""  # noted whatever its value: a mapping, a list
                if depth in (2, 3) and path[0] != "-" and path[depth - 2] != "-":
                    _mark(top, seen, path, event.value)
                continue
            key, value = path[-1], event.value
            if depth == 1 and key != "-":
                top[key] = value
            elif depth == 3 and (path[0], key) in _COLLECTS:
                collected = top.setdefault(str(path[0]), [])
                if isinstance(collected, list):
                    collected.append(value)
            if found := _judge(top):
                return found
            _value_done(path)
        elif isinstance(event, yaml.AliasEvent) and path:
            if path[-1] is None:
                raise _Unsure  # an alias as a key
            _value_done(path)
        elif isinstance(event, yaml.DocumentEndEvent) and (found := _judge(top)):
            return found  # a workflow's deciding keys may all hold collections


def _mark(top: dict[str, object], seen: dict[str, set[str]], path: list[str | None], key: str) -> None:
    """Note the marks a key read in a mapping below the top level (at `path`) makes."""
    for mark in _MARKS:
        if key not in mark.keys or (path[0] != mark.under if len(path) == 3 else mark.under is not None):
            continue
        if not mark.every:
            top[mark.name] = True
            continue
        keys = seen.setdefault(f"{mark.name}/{path[1] if len(path) == 3 else ''}", set())
        keys.add(key)
        if keys == mark.keys:
            top[mark.name] = True


def _value_done(path: list[str | None]) -> None:
    """After a value inside a mapping, the next scalar is a key again."""
    if path and path[-1] != "-":
        path[-1] = None


def excluded(rel: str, patterns: Iterable[str]) -> bool:
    """gitignore-flavoured globs: a pattern matches the path, any parent directory, or a basename."""
    parts = rel.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        pattern = pattern.strip("/")
        if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes):
            return True
        if "/" not in pattern and any(fnmatch.fnmatchcase(part, pattern) for part in parts):
            return True
    return False


def _git(directory: Path, *args: str) -> bytes | None:
    """git's output in `directory`, or None when it fails (not a work tree, no git)."""
    import subprocess  # only directory scans pay for it

    try:
        # The scanned repository's own .git/config is untrusted: `core.fsmonitor` names a command
        # git would run for ls-files. Command-line -c wins over every config file.
        return subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-C", str(directory), *args],
            capture_output=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def _names(out: bytes) -> list[str]:
    return [n for n in out.decode("utf-8", "surrogateescape").split("\0") if n]


def _git_files(directory: str) -> tuple[list[str], list[Path]] | None:
    """What git does not ignore under `directory` (submodules and nested repositories appear as
    directories), and what it ignores (directories collapsed); None outside a work tree or when
    `directory` itself is ignored: a directory named on the command line is read whole."""
    where = Path(directory)
    if _git(where, "check-ignore", "-q", "--", ".") is not None:
        return None  # exit 0: ignored
    listed = _git(where, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is None:
        return None
    ignored = _git(where, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory")
    return (
        [os.path.join(directory, n.rstrip("/")) for n in _names(listed)],
        [where / n.rstrip("/") for n in _names(ignored or b"")],
    )


# The path that names standard input (`nhilint scan -`), and the file its findings are reported in: a
# valid relative URI (SARIF), and no scanned file's name (a file named `-` has no suffix nhilint reads).
STDIN = "-"

# Why a file under the scanned paths was not judged; each is counted in the report.
SKIPPED_DIRECTORY = "skipped directory (skip-directories)"
EXCLUDED = "excluded (exclude)"
NOT_A_FORMAT = "not a format nhilint reads"
SYMLINK = "symbolic link (not followed)"
NOT_A_FILE = "not a regular file"
UNREADABLE_DIRECTORY = "unreadable directory"
IGNORED_BY_GIT = "ignored by git (.gitignore)"


class Discovery(Struct):
    """The files to read, and every candidate left out, by reason."""

    files: list[Path] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, rel: str) -> None:
        self.skipped.setdefault(reason, []).append(rel)


def _walk(directory: str, prune: Callable[[str], bool], unreadable: list[Path]) -> Iterator[str]:
    """Every file under `directory`, without following links or entering directories `prune` refuses;
    directories that cannot be listed go to `unreadable`. Iterative: a 1,000-deep tree must not
    exhaust the recursion limit (os.walk recurses before Python 3.12). Plain strings: a pathlib
    object per entry was most of a large walk's time."""
    pending = [directory]
    while pending:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name, reverse=True)
        except OSError:
            unreadable.append(Path(current))
            continue
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                yield entry.path
            elif not prune(entry.path):
                pending.append(entry.path)


def _files_under(
    directory: str, prune: Callable[[str], bool], unreadable: list[Path], ignored: list[Path]
) -> Iterator[str]:
    """Every file under `directory` (each spelled `directory` + separator + the path below it): in a
    git work tree, what git does not ignore (what it ignores goes to `ignored`), descending into
    submodules and nested repositories; elsewhere, all."""
    pending = [directory]
    while pending:
        current = pending.pop()
        inside = os.path.exists(os.path.join(current, ".git")) or _inside_git(Path(current))
        listed = _git_files(current) if inside else None
        if listed is None:
            yield from _walk(current, prune, unreadable)
            continue
        files, left_out = listed
        ignored.extend(left_out)
        for spelled in files:
            entry = Path(spelled)
            if entry.is_dir() and not entry.is_symlink():  # a submodule or a nested repository
                if not prune(spelled):
                    pending.append(spelled)
            else:
                yield spelled


def walk(paths: Iterable[Path], root: Path, configs: Configs) -> Discovery:
    """Candidate files under `paths`, each judged by its own configuration's `exclude` and
    `skip-directories`. Missing paths raise FileNotFoundError."""
    found: dict[str, Path] = {}  # by relative path: `scan . "$PWD"` reads each file once
    result = Discovery()
    skipped_dirs: set[str] = set()
    unreadable: list[Path] = []
    ignored: list[Path] = []
    for path in paths:
        if str(path) == STDIN:  # `scan -`: one document, read from standard input
            found[STDIN] = path
            continue
        if not path.exists() and not path.is_symlink():
            raise FileNotFoundError(str(path))
        if not path.is_dir():
            rel = relative(path, root)
            if not is_candidate(path.name):
                result.skip(NOT_A_FORMAT, rel)
            elif path.is_symlink() and not path.is_file():
                result.skip(SYMLINK, rel)
            else:
                found[rel] = path
            continue

        def prune(directory: str) -> bool:
            name = os.path.basename(directory)
            if name == ".git":
                return True
            if name in configs.at(os.path.dirname(directory)).skip_directories:
                skipped_dirs.add(relative(directory, root) + "/")
                return True
            return False

        top = os.path.join(os.fspath(path), "")  # every file found is spelled from here
        for spelled in _files_under(os.fspath(path), prune, unreadable, ignored):
            if not is_candidate(os.path.basename(spelled)):
                continue
            rel_parts = spelled[len(top) :].split(os.sep)
            if ".git" in rel_parts[:-1]:
                continue  # git's own files, never content
            skip_dirs = configs.at(os.path.dirname(spelled)).skip_directories
            hit = next((i for i, part in enumerate(rel_parts[:-1]) if part in skip_dirs), None)
            if hit is not None:  # reported once per directory, not per file inside it
                skipped_dirs.add(relative(path.joinpath(*rel_parts[: hit + 1]), root) + "/")
                continue
            file = Path(spelled)
            if file.is_symlink():
                result.skip(SYMLINK, relative(spelled, root))
            elif not file.is_file():
                result.skip(NOT_A_FILE, relative(spelled, root))
            else:
                found[relative(spelled, root)] = file
    for directory in sorted(skipped_dirs):
        result.skip(SKIPPED_DIRECTORY, directory)
    for unlisted in unreadable:
        result.skip(UNREADABLE_DIRECTORY, relative(unlisted, root) + "/")
    for entry in ignored:
        if entry.is_dir() or is_candidate(entry.name):
            result.skip(IGNORED_BY_GIT, relative(entry, root) + ("/" if entry.is_dir() else ""))
    for rel, file in sorted(found.items()):
        if excluded_by_config(file, rel, configs):
            result.skip(EXCLUDED, rel)
        else:
            result.files.append(file)
    return result


def excluded_by_config(file: Path, rel: str, configs: Configs) -> bool:
    """Whether the file's own configuration excludes it (globs against its base, else the scan root)."""
    config = configs.at(file.parent)
    glob_path = relative(file, config.base) if config.base else rel
    return excluded(glob_path, config.exclude)


def _inside_git(path: Path) -> bool:
    return any((p / ".git").exists() for p in path.resolve().parents)


def relative(path: Path | str, root: Path | str) -> str:
    """Forward-slash path relative to the scan root (absolute when outside it).

    Lexical string work (`abspath`, no `resolve`, no pathlib objects): links are not followed
    anyway, and a pre-commit run over a large repository calls this thousands of times.
    """
    if str(path) == STDIN:
        return STDIN
    absolute, base = os.path.abspath(path), os.path.abspath(root)
    if absolute == base:
        return os.path.basename(absolute)
    prefix = base.rstrip(os.sep) + os.sep
    if absolute.startswith(prefix):
        absolute = absolute[len(prefix) :]
    return absolute.replace(os.sep, "/")
