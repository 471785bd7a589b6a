"""Run by action.yml on pull requests: does the pull request change nhilint's configuration or baseline?

A pull request can turn the check off with its own configuration (`exclude`, `ignore`, `severity`, a
`[tool.nhilint]` table, a baseline that lists its new findings). When it changes none of those files, the
checkout's configuration is the base branch's, file for file, so the scan can trust it. When it changes
any (anywhere in the tree: configuration resolves per directory), this prints an `::error` per file and
exits 1, unless `--allow` (input `allow-config-changes: true`), which turns them into warnings.
Exit 2 when the base commit cannot be read: fail loud, never guess.

Git runs on trees only (no work tree, no hooks, no filters, no external diff), so nothing from the
pull request is executed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from posixpath import basename, normpath
from typing import Any

from nhilint.report.github import escape_data, escape_property

CONFIG_NAMES = frozenset({".nhilint.yaml", ".nhilint.yml"})
PR_EVENTS = frozenset({"pull_request", "pull_request_target"})
SAFE_GIT_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "protocol.allow=never",
    "protocol.https.allow=always",
    "protocol.ssh.allow=always",
    "protocol.file.allow=always",
)
GIT = ["git", *(arg for setting in SAFE_GIT_CONFIG for arg in ("-c", setting))]


def git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*GIT, *args], capture_output=True, timeout=300)


def blob(commit: str, path: str) -> bytes | None:
    done = git("cat-file", "blob", f"{commit}:{path}")
    return done.stdout if done.returncode == 0 else None


def nhilint_table(text: bytes | None) -> Any:
    """The `[tool.nhilint]` table of a pyproject.toml, None without one; a file TOML cannot read is its
    own text, so any change to it counts."""
    if text is None:
        return None
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text.decode("utf-8")).get("tool", {}).get("nhilint")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return text


def changed_configuration(base: str, named: set[str]) -> list[str]:
    """Files of nhilint configuration that differ between `base` and HEAD, and changed submodules
    whose checkout holds configuration (its own commits are not compared here)."""
    done = git("diff", "--raw", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", base, "HEAD")
    if done.returncode:
        raise RuntimeError(done.stderr.decode("utf-8", "replace").strip())
    fields = done.stdout.decode("utf-8", "surrogateescape").split("\0")[:-1]  # ends with a NUL
    changed = []  # `--raw -z`: ":<old mode> <new mode> <old> <new> <status>" then the path
    for status, path in zip(fields[0::2], fields[1::2], strict=True):
        modes = status.lstrip(":").split()[:2]
        if "160000" in modes:  # a submodule moved to other commits
            if holds_configuration(path):
                changed.append(path)
        elif is_configuration(path, base, named):
            changed.append(path)
    return sorted(changed)


def is_configuration(path: str, base: str, named: set[str]) -> bool:
    name = basename(path).lower()  # `.NHILINT.yaml` is `.nhilint.yaml` on a case-insensitive runner
    if name in CONFIG_NAMES or path in named:
        return True
    return name == "pyproject.toml" and nhilint_table(blob(base, path)) != nhilint_table(blob("HEAD", path))


def holds_configuration(directory: str) -> bool:
    """Whether a checked-out submodule holds any nhilint configuration file."""
    for current, _, files in os.walk(directory):
        for name in files:
            if name.lower() in CONFIG_NAMES:
                return True
            if name.lower() == "pyproject.toml":
                with open(os.path.join(current, name), "rb") as handle:
                    if nhilint_table(handle.read()) is not None:
                        return True
    return False


def base_commit() -> str:
    with open(os.environ["GITHUB_EVENT_PATH"], encoding="utf-8") as event:
        sha = json.load(event)["pull_request"]["base"]["sha"]
    if git("cat-file", "-e", f"{sha}^{{commit}}").returncode != 0:
        fetched = git("fetch", "--no-tags", "--no-recurse-submodules", "--depth=1", "origin", sha)
        if fetched.returncode:
            raise RuntimeError(fetched.stderr.decode("utf-8", "replace").strip())
    return str(sha)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="")
    parser.add_argument("--baseline", default="")
    parser.add_argument("--allow", default="false")
    args = parser.parse_args()
    if os.environ.get("GITHUB_EVENT_NAME") not in PR_EVENTS:
        return 0
    named = {normpath(p) for p in (args.config, args.baseline) if p}
    try:
        changed = changed_configuration(base_commit(), named)
    except (OSError, KeyError, ValueError, RuntimeError, subprocess.TimeoutExpired) as exc:
        print(
            "::error title=nhilint::"
            + escape_data(f"cannot compare with the base branch, so cannot trust the configuration: {exc}")
        )
        return 2
    allowed = args.allow.strip().lower() == "true"
    level = "warning" if allowed else "error"
    for path in changed:
        print(
            f"::{level} file={escape_property(path)},title=nhilint configuration changed::"
            + escape_data(
                "this pull request changes nhilint's configuration or baseline, which decides what the check "
                "reports. "
                + (
                    "allow-config-changes is true: it was used as is."
                    if allowed
                    else "Review it, then merge it on its own (or set allow-config-changes: true)."
                )
            )
        )
    if not changed:
        print("nhilint: the pull request keeps the base branch's configuration and baseline")
    return 1 if changed and not allowed else 0


if __name__ == "__main__":
    sys.exit(main())
