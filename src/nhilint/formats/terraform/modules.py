"""The local modules a Terraform module calls: pulled into the scan, and read as the context of the
module that calls them (judged with the values the call passes)."""

from __future__ import annotations

import os
import posixpath
from collections import defaultdict
from pathlib import PurePosixPath

from nhilint.formats.base import Pulled, Reader, SourceFile, inside_without_links
from nhilint.knowledge.credential_names import lazy
from nhilint.parse import ParseError

NAME = "terraform"
MAX_CALLED_MODULES = 64  # local modules read as context of one Terraform unit (a deep tree stops there)
# HCL writes a module call with a word no escape can spell; a JSON key may be escaped (`"\u006dodule"`).
_HCL_MODULE = lazy(r"\bmodule\b")
_JSON_MODULE = lazy(r"module|\\u")
# Nearly every call writes its source as a plain string: read without parsing the file. Another
# block's `source` (a provisioner's file) only adds a directory to look in.
_PLAIN_SOURCE = lazy(r'\bsource\s*=\s*"([^"\\$%\n]*)"')
_ANY_SOURCE = lazy(r"\bsource\s*=")
MODULE_SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json")  # what Terraform loads in a module


def pulled_in(
    files: list[SourceFile], unclassified: dict[str, SourceFile], reader: Reader, pulled: Pulled
) -> None:
    """The local modules (`source = "./..."` or `"../..."`, relative to the calling module's
    directory) the Terraform read calls, wherever they live (a skipped directory, outside the
    scanned paths) but inside the repository (the scan root outside one), never through a link:
    transitively, each directory once."""
    modules: dict[str, list[SourceFile]] = defaultdict(list)
    for file in files:
        if file.format == NAME:
            modules[os.path.dirname(file.absolute())].append(file)
    _beside_plans(modules, reader, pulled)
    pending = sorted(modules, reverse=True)
    while pending:
        directory = pending.pop()
        calls = [(f, s) for f in modules[directory] for s in local_module_sources(f, reader)]
        bound = reader.bound(directory) if calls else ""
        for caller, source in calls:
            target = os.path.normpath(os.path.join(directory, source))
            called = posixpath.normpath(posixpath.join(posixpath.dirname(caller.rel), source))
            pulled.deploys.setdefault(caller.rel, []).append(called)
            if target in modules or not inside_without_links(bound, target):
                continue
            if not os.path.isdir(target):
                continue  # not a module (a provisioner's file), or missing: nothing to read
            found = _module_files(target, reader)
            modules[target] = found  # even when empty: each directory once
            pulled.files += found
            pending.append(target)


def local_module_sources(file: SourceFile, reader: Reader | None = None) -> list[str]:
    """The local paths `module` blocks of a Terraform file call (nothing when it does not parse: its
    extraction reports that)."""
    local = ("./", "../")
    if file.rel.endswith((".tf", ".tofu")):
        if not _HCL_MODULE().search(file.text):
            return []
        plain = _PLAIN_SOURCE().findall(file.text)
        if len(plain) == len(_ANY_SOURCE().findall(file.text)):
            return [s for s in plain if s.startswith(local)]
    elif not file.rel.endswith(MODULE_SUFFIXES) or not _JSON_MODULE().search(file.text):
        return []
    from nhilint.parse.hcl import parse_hcl
    from nhilint.parse.hcl_json import parse_tf_json
    from nhilint.parse.json import parse_json

    try:
        body = parse_tf_json(parse_json(file.text)) if file.rel.endswith(".json") else parse_hcl(file.text)[0]
    except (ParseError, RecursionError):  # TooComplex is a ParseError
        return []
    except Exception as exc:  # a bug of ours: the module's own extraction will say more
        if os.environ.get("NHILINT_DEBUG"):
            raise
        if reader is not None:
            reader.internal_error(file.rel, exc)
        return []
    calls = [b.attrs.get("source") for b in body.blocks if b.type == "module"]
    return [s for s in calls if isinstance(s, str) and s.startswith(local)]


def _module_files(directory: str, reader: Reader) -> list[SourceFile]:
    """The Terraform files of a module directory (not its subdirectories: a module is one directory)."""
    try:
        entries = sorted(
            (e for e in os.scandir(directory) if e.name.endswith(MODULE_SUFFIXES)), key=lambda e: e.name
        )
    except OSError:
        reader.unreadable_directory(directory)
        return []
    found = []
    for entry in entries:
        if not entry.is_symlink() and not entry.is_file(follow_symlinks=False):
            reader.not_a_file(entry.path)
        elif read := reader.read(entry.path, NAME):
            found.append(read)
    return found


def context(files: list[SourceFile], links: dict[str, list[str]]) -> dict[str, list[SourceFile]]:
    """The files of the local modules each module (by directory) calls, directly or through others."""
    modules: dict[str, list[SourceFile]] = defaultdict(list)
    for file in files:
        modules[str(PurePosixPath(file.rel).parent)].append(file)
    calls: dict[str, list[str]] = {}
    return {directory: _called_files(directory, modules, calls) for directory in modules}


def _called_files(
    directory: str, modules: dict[str, list[SourceFile]], calls: dict[str, list[str]]
) -> list[SourceFile]:
    seen = {directory}
    pending = [directory]
    found: list[SourceFile] = []
    while pending and len(seen) <= MAX_CALLED_MODULES:
        current = pending.pop(0)
        if current not in calls:
            sources = (s for f in modules[current] for s in local_module_sources(f))
            calls[current] = list(
                dict.fromkeys(posixpath.normpath(posixpath.join(current, s)) for s in sources)
            )
        for target in calls[current]:
            if target in modules and target not in seen:
                seen.add(target)
                pending.append(target)
                found += modules[target]
    return found


def _beside_plans(modules: dict[str, list[SourceFile]], reader: Reader, pulled: Pulled) -> None:
    """A plan is written in its root module's directory (`terraform show -json tfplan > tfplan.json`):
    that module's files are read with it, so its findings land on the `.tf` lines."""
    for directory, found in list(modules.items()):
        from nhilint.formats.terraform import is_plan

        if all(is_plan(f) for f in found):
            beside = _module_files(directory, reader)
            modules[directory] = found + beside
            pulled.files += beside
