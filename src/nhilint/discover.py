"""Which files to scan, and what format each one is.

Directories are walked without following symlinks; inside a git work tree, git itself says which
files are not ignored (honouring every .gitignore exactly as git does).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

SKIP_DIRS = frozenset(
    {
        ".git",
        ".terraform",
        "node_modules",
        "vendor",
        "third_party",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
        ".terragrunt-cache",
    }
)
SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json", ".yaml", ".yml", ".json", ".template")

FORMATS = ("terraform", "cloudformation", "kubernetes", "github-actions", "gitlab-ci")

_CFN = re.compile(
    r"AWSTemplateFormatVersion|[\"']?Type[\"']?\s*:\s*[\"']?AWS::[A-Za-z0-9]+::|Transform[\"']?\s*:\s*[\"']?AWS::Serverless"
)
_K8S_YAML = re.compile(r"^apiVersion\s*:", re.M)
_K8S_KIND_YAML = re.compile(r"^kind\s*:", re.M)
_K8S_JSON = re.compile(r"\"apiVersion\"\s*:")
_K8S_KIND_JSON = re.compile(r"\"kind\"\s*:")


def is_candidate(name: str) -> bool:
    return name.endswith(SUFFIXES)


def classify(rel: str, text: str) -> str | None:
    """The format of a file from its repo-relative path and (for YAML/JSON) its content."""
    path = PurePosixPath(rel)
    name = path.name
    if name.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")):
        return "terraform"
    parts = path.parts
    if name.endswith((".yml", ".yaml")):
        if len(parts) >= 3 and parts[-3] == ".github" and parts[-2] == "workflows":
            return "github-actions"
        if name in ("action.yml", "action.yaml") and re.search(r"^runs\s*:", text, re.M):
            return "github-actions"
        if name in (".gitlab-ci.yml", ".gitlab-ci.yaml") or name.endswith(
            (".gitlab-ci.yml", ".gitlab-ci.yaml")
        ):
            return "gitlab-ci"
        if ".gitlab" in parts[:-1] and "ci" in parts[parts.index(".gitlab") + 1 : -1]:
            return "gitlab-ci"  # the conventional home of `include: local:` pipeline fragments
    head = text[:200_000]
    if _CFN.search(head) and ("Resources" in head):
        return "cloudformation"
    if name.endswith(".json"):
        if _K8S_JSON.search(head) and _K8S_KIND_JSON.search(head):
            return "kubernetes"
    elif _K8S_YAML.search(head) and _K8S_KIND_YAML.search(head):
        return "kubernetes"
    return None


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


def _git_files(directory: Path) -> list[Path] | None:
    """Files git does not ignore under `directory`, or None outside a work tree."""
    import subprocess  # only directory scans pay for it

    try:
        out = subprocess.run(
            # The scanned repository's own .git/config is untrusted: `core.fsmonitor` names a command
            # git would run for ls-files. Command-line -c wins over every config file.
            [
                "git",
                "-c",
                "core.fsmonitor=false",
                "-C",
                str(directory),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names = [n for n in out.decode("utf-8", "surrogateescape").split("\0") if n]
    return [directory / n for n in names]


def _walk(directory: Path) -> Iterator[Path]:
    for current, dirs, files in os.walk(directory, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            yield Path(current) / name


def _in_skipped_dir(rel_parts: tuple[str, ...]) -> bool:
    return any(part in SKIP_DIRS for part in rel_parts[:-1])


def discover(paths: Iterable[Path], root: Path, exclude: Iterable[str] = ()) -> list[Path]:
    """Candidate files under `paths` (sorted, de-duplicated). Missing paths raise FileNotFoundError."""
    exclude = tuple(exclude)
    found: set[Path] = set()
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise FileNotFoundError(str(path))
        if path.is_dir():
            listed = _git_files(path) if (path / ".git").exists() or _inside_git(path) else None
            candidates: Iterable[Path] = listed if listed is not None else _walk(path)
            for file in candidates:
                if not is_candidate(file.name) or file.is_symlink() or not file.is_file():
                    continue
                rel_parts = file.relative_to(path).parts
                if _in_skipped_dir(rel_parts):
                    continue
                found.add(file)
        elif is_candidate(path.name):
            found.add(path)
    rels = {f: relative(f, root) for f in found}
    return sorted((f for f in found if not excluded(rels[f], exclude)), key=rels.__getitem__)


def _inside_git(path: Path) -> bool:
    return any((p / ".git").exists() for p in path.resolve().parents)


def relative(path: Path, root: Path) -> str:
    """Forward-slash path relative to the scan root (absolute when outside it).

    Lexical string work (`abspath`, no `resolve`, no pathlib objects): links are not followed
    anyway, and a pre-commit run over a large repository calls this thousands of times.
    """
    absolute, base = os.path.abspath(path), os.path.abspath(root)
    if absolute == base:
        return os.path.basename(absolute)
    prefix = base.rstrip(os.sep) + os.sep
    if absolute.startswith(prefix):
        absolute = absolute[len(prefix) :]
    return absolute.replace(os.sep, "/")
