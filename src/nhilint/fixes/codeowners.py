"""The owner GitHub's CODEOWNERS gives a path: the first owner of the last matching line.

GitHub reads the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`. Patterns follow
gitignore's rules as GitHub documents them: `*` and `?` stay within a path segment, `**` crosses
them, a pattern with a `/` other than a trailing one is anchored at the root (else it matches at any
depth), a trailing `/` matches only what is beneath a directory, a directory matches everything
beneath it (but `docs/*` only docs' own files). `!` and `[...]` are not supported by GitHub: such
a line never matches. A matching line with no owners means the path has no owner (it is
deliberately un-owned): no owner is returned.

The file belongs to the repository under scan (untrusted): a symlink is not followed, a large file
is not read, and only an owner that looks like one (`@user`, `@org/team`, an e-mail) is returned,
since the fixer writes it into the scanned files.
"""

from __future__ import annotations

import re
from pathlib import Path

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
MAX_SIZE = 3_000_000  # GitHub ignores a larger CODEOWNERS file
_OWNER = re.compile(
    r"@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9_.-]+)?"  # @user, @org/team
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]+"  # an e-mail address
)


def owner_of(root: str | Path, path: str) -> str | None:
    """The first owner CODEOWNERS gives `path` (relative to `root`, forward slashes), or None."""
    text = _read(Path(root))
    if text is None:
        return None
    found: list[str] | None = None
    for pattern, owners in _rules(text):
        if _matches(pattern, path):
            found = owners  # the last matching line wins
    if not found or not _OWNER.fullmatch(found[0]):
        return None
    return found[0]


def _read(root: Path) -> str | None:
    for location in LOCATIONS:
        candidate = root / location
        try:
            if any(p.is_symlink() for p in (candidate, candidate.parent)) or not candidate.is_file():
                continue
            if candidate.stat().st_size > MAX_SIZE:
                return None
            return candidate.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    return None


def _rules(text: str) -> list[tuple[str, list[str]]]:
    """(pattern, owners) of each rule line, in file order."""
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        pattern = words[0].replace("\\#", "#")
        owners = []
        for word in words[1:]:
            if word.startswith("#"):
                break  # an inline comment
            owners.append(word)
        rules.append((pattern, owners))
    return rules


def _matches(pattern: str, path: str) -> bool:
    if "!" in pattern[:1] or "[" in pattern:
        return False
    return _regex(pattern).match(path) is not None


def _regex(pattern: str) -> re.Pattern[str]:
    anchored = "/" in pattern.rstrip("/")
    directory = pattern.endswith("/")
    body = pattern.strip("/")
    out = []
    at = 0
    while at < len(body):
        if body.startswith("**/", at):
            out.append("(?:.*/)?")
            at += 3
        elif body.startswith("/**", at) and at + 3 == len(body):
            out.append("/.*")
            at += 3
        elif body.startswith("**", at):
            out.append(".*")
            at += 2
        elif body[at] == "*":
            out.append("[^/]*")
            at += 1
        elif body[at] == "?":
            out.append("[^/]")
            at += 1
        else:
            out.append(re.escape(body[at]))
            at += 1
    prefix = "" if anchored else "(?:.*/)?"
    # `docs/*` owns docs' own files, not those of its subdirectories (GitHub's documented example)
    suffix = "/.*" if directory else "" if body.endswith("/*") else "(?:/.*)?"
    return re.compile(f"{prefix}{''.join(out)}{suffix}\\Z", re.DOTALL)
