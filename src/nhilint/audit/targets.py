"""Audit targets: a directory or a git URL, sharding, and the safe shallow clone of an untrusted URL."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from msgspec import Struct

CLONE_TIMEOUT = 600  # seconds; a hung server must not hang the audit
_USERINFO = re.compile(r"^([a-z][a-z0-9+.-]*://)[^/@]+@", re.IGNORECASE)
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*(?:://|::)|[\w.-]+@[\w.-]+:)", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)(://|::)", re.IGNORECASE)  # `transport::address` too


class AuditError(Exception):
    """A target that cannot be audited: one sentence for the summary table."""


class Target(Struct, frozen=True):
    source: str  # the directory or URL as given, credentials masked: the identifier in every output
    name: str
    location: str = ""  # what to clone or read: `source` with its credentials, never printed

    @property
    def where(self) -> str:
        return self.location or self.source

    @property
    def is_url(self) -> bool:
        return bool(_URL.match(self.source))


def target(location: str) -> Target:
    location = location.strip()
    source = _USERINFO.sub(r"\1***@", location)  # https://user:token@host/... must not reach a report
    name = source.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return Target(source, name.removesuffix(".git") or source, location if location != source else "")


def read_targets(sources: Iterable[str], list_files: Iterable[Path] = ()) -> list[Target]:
    """Targets from arguments and from list files (one per line, `#` comments), first mention wins."""
    entries = list(sources)
    for list_file in list_files:
        for line in list_file.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                entries.append(line.strip())
    unique = dict.fromkeys(e.strip() for e in entries if e.strip())
    return [target(source) for source in unique]


def shard_of(t: Target, count: int) -> int:
    """The 1-based shard of a target: a stable hash of its source, the same on every machine."""
    digest = hashlib.sha256(t.source.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise AuditError(f"--shard must be I/N with 1 <= I <= N, like 2/8, not {text!r}")
    return int(match[1]), int(match[2])


def select_shard(targets: list[Target], shard: tuple[int, int] | None) -> list[Target]:
    if shard is None:
        return targets
    index, count = shard
    return [t for t in targets if shard_of(t, count) == index]


# Every git command runs with these settings, whatever the host's or the repository's config says:
# a listed repository is untrusted, and its `.gitattributes`, `.lfsconfig` or hooks must run nothing
# and reach no other host. System and global config are ignored (see `_git_env`), so no filter
# driver is defined; LFS is switched off explicitly in case an environment defines it anyway.
SAFE_GIT_CONFIG = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.attributesFile=/dev/null",
    "filter.lfs.smudge=",
    "filter.lfs.process=",
    "filter.lfs.required=false",
    "submodule.recurse=false",
    "protocol.allow=never",
    "protocol.https.allow=always",
    "protocol.ssh.allow=always",
    "protocol.file.allow=always",
    "credential.helper=",  # forget every helper configured elsewhere; `git_command` may add one
)
ALLOWED_SCHEMES = frozenset({"https", "ssh", "git+ssh", "ssh+git", "file"})
# The host's ssh setup is the operator's choice; every other GIT_* variable (GIT_DIR, GIT_CONFIG_*,
# GIT_ALLOW_PROTOCOL, GIT_ASKPASS ...) could undo the settings above and is dropped.
_KEEP_GIT_ENV = frozenset({"GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSH_VARIANT"})
# A helper for one command: it answers from the environment, so the token is in no argv and no file.
_CREDENTIAL_HELPER = (
    '!f() { test "$1" = get || exit 0; printf "username=%s\\n" "$NHILINT_GIT_USERNAME"; '
    'if test -n "$NHILINT_GIT_PASSWORD"; then printf "password=%s\\n" "$NHILINT_GIT_PASSWORD"; fi; }; f'
)


def unsupported_protocol(t: Target) -> str | None:
    """Why the target's URL is refused (`ext::`, `http://`, `git://` ...), or None when it may be cloned."""
    match = _SCHEME.match(t.source)
    if match is None or match[1].lower() in ALLOWED_SCHEMES and match[2] == "://":
        return None  # scp-like `user@host:path` is ssh
    return f"{match[1]}{match[2]} URLs are not audited: only https://, ssh:// and file:// URLs are cloned"


def clone(t: Target, cache_dir: Path) -> Path:
    """A shallow checkout of the target's default branch under `cache_dir`, refreshed when there."""
    slug = re.sub(r"[^\w.-]+", "-", t.source.split("://", 1)[-1]).strip("-")[-60:]
    dest = private_dir(cache_dir) / f"{slug}-{hashlib.sha256(t.source.encode()).hexdigest()[:10]}"
    url, username, password = split_credentials(t.where)
    if (dest / ".git").is_dir():
        steps = {  # set-url also cleans a clone an older nhilint made with the token in its config
            "remote set-url": ["-C", str(dest), "remote", "set-url", "origin", url],
            "fetch": ["-C", str(dest), "fetch", "--quiet", "--no-tags", "--depth", "1", "origin", "HEAD"],
            "reset": ["-C", str(dest), "reset", "--quiet", "--hard", "FETCH_HEAD"],
        }
    else:
        steps = {"clone": ["clone", "--quiet", "--no-tags", "--depth", "1", "--", url, str(dest)]}
    for label, args in steps.items():
        _git(label, args, t, username, password)
    return dest


def private_dir(path: Path) -> Path:
    """`path`, created 0700; clones hold private code. A directory another user owns or can write
    is refused: a clone planted there (with its own `.git/config`) would be fetched into."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid():
        raise AuditError(
            f"clone cache {path} is owned by another user; give --cache-dir a directory of yours"
        )
    if info.st_mode & 0o022:
        raise AuditError(f"clone cache {path} is writable by other users; make it private (chmod 700)")
    if info.st_mode & 0o077:
        path.chmod(0o700)  # readable by others, as older nhilint versions created it
    return path


def split_credentials(location: str) -> tuple[str, str | None, str | None]:
    """The URL without its user:password, the username and the password (percent-decoded)."""
    match = _USERINFO.match(location)
    if match is None:
        return location, None, None
    userinfo = location[len(match[1]) : match.end() - 1]
    username, colon, password = userinfo.partition(":")
    return match[1] + location[match.end() :], unquote(username), unquote(password) if colon else None


def git_command(
    args: list[str], username: str | None = None, password: str | None = None
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment that run `git ARGS` safely on an untrusted repository; a username
    (and password) reach git through a credential helper that reads them from the environment."""
    config = [item for setting in SAFE_GIT_CONFIG for item in ("-c", setting)]
    if username is not None:
        config += ["-c", f"credential.helper={_CREDENTIAL_HELPER}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEEP_GIT_ENV}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_ATTR_NOSYSTEM="1",
        GIT_LFS_SKIP_SMUDGE="1",
        GIT_TERMINAL_PROMPT="0",  # a private URL must fail, not wait for a password
    )
    if username is not None:
        env.update(NHILINT_GIT_USERNAME=username, NHILINT_GIT_PASSWORD=password or "")
    return ["git", *config, *args], env


def _git(label: str, args: list[str], t: Target, username: str | None, password: str | None) -> None:
    argv, env = git_command(args, username, password)

    # a token alone in a URL (https://TOKEN@host/...) is its username
    secret = password or (username if username and len(username) >= 8 else None)

    def masked(text: str) -> str:
        text = text.replace(t.where, t.source)
        return text.replace(secret, "***") if secret else text

    try:
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=CLONE_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AuditError(masked(f"git {label} failed: {exc}")) from None
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if line.strip()] or [
            f"exit code {proc.returncode}"
        ]
        reason = next((line for line in lines if line.startswith("fatal:")), lines[0])
        raise AuditError(masked(f"git {label} failed: {reason}"))


def checkout(t: Target, cache_dir: Path) -> Path:
    if t.is_url:
        refused = unsupported_protocol(t)
        if refused:
            raise AuditError(refused)
        return clone(t, cache_dir)
    path = Path(t.source).expanduser()
    if not path.is_dir():
        raise AuditError(f"{t.source} is not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise AuditError(f"{t.source} is not readable")
    return path
