"""The private on-disk store: JSON values by digest under `$XDG_CACHE_HOME/nhilint/<version>/<kind>/`.

The bottom of the cache: configuration parsing and schema verdicts memoise here by content, and the
facts cache (`cache`) keeps extracted facts here. It imports nothing of the scan, so any layer may
use it.

nhilint scans untrusted repositories, and a cache directory can sit inside one (GitLab's `cache:`
wants `XDG_CACHE_HOME` in the checkout), so an entry is never trusted to be harmless:
* entries are JSON decoded into a closed set of the caller's classes (`codec`, or the caller's own
  typed decoder: the facts cache's is msgspec's): never pickle, never code; anything unreadable is a miss;
* the directory is ours alone: created 0700, and refused (no cache, one note on stderr) when it
  or `nhilint/` is not owned by us or is open to group/others, or lies inside a git work tree
  (a repository could have committed it, 0700 under umask 077);
* writes are atomic (temp file + rename): a concurrent reader never sees half an entry;
* the store is capped (`MAX_BYTES`) and the least recently used entries go first.

`--no-cache` (`disabled()`) or `NHILINT_NO_CACHE=1` turns every cache off.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from nhilint import __version__, codec

MAX_BYTES = 200 * 1024 * 1024  # above this the oldest entries are evicted down to 3/4 of it
_SWEEP_EVERY = 3600  # seconds: the size check walks the directory, so at most hourly
_TOUCH_AFTER = 86400  # seconds: a hit refreshes an older entry's mtime, the LRU clock
_SUFFIX = ".json"

_DISABLED: ContextVar[bool] = ContextVar("nhilint_cache_disabled", default=False)


def cache_dir() -> Path:
    """Where nhilint caches: `$XDG_CACHE_HOME/nhilint/<version>`, or `~/.cache/...`.

    A relative `XDG_CACHE_HOME` is ignored, as the XDG spec says: it would be relative to wherever
    nhilint runs, often inside the repository it scans. `directory()` creates and checks it.
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nhilint" / __version__


def enabled(requested: bool = True) -> bool:
    return requested and not _DISABLED.get() and os.environ.get("NHILINT_NO_CACHE", "") in ("", "0")


@contextmanager
def disabled(off: bool = True) -> Iterator[None]:
    """Within the block (when `off`), no cache is read or written: `--no-cache`."""
    token = _DISABLED.set(off or _DISABLED.get())
    try:
        yield
    finally:
        _DISABLED.reset(token)


def directory() -> Path | None:
    """The cache directory, created private; None when caching is off or the directory is unsafe."""
    return _checked(str(cache_dir())) if enabled() else None


@lru_cache(maxsize=8)
def _checked(location: str) -> Path | None:
    root = Path(location)  # <base>/nhilint/<version>
    base = root.parent.parent
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        problem = _in_work_tree(base) or _unsafe_parent(base)
        for folder in (root.parent, root):  # each checked before anything is made inside it
            if not problem:
                folder.mkdir(mode=0o700, exist_ok=True)
                problem = _unsafe(folder)
    except OSError:
        return None  # a read-only or missing home costs only the speed-up
    if problem:
        sys.stderr.write(f"nhilint: not using the cache {problem}; delete it to start a private one\n")
        return None
    return root


def _unsafe(path: Path) -> str | None:
    """Why `path` is not a directory only we can read and write (None when it is)."""
    info = os.stat(path)
    if not stat.S_ISDIR(info.st_mode):
        return f"{path}: not a directory"
    if not hasattr(os, "getuid"):  # Windows: the profile directory is private already
        return None
    if info.st_uid != os.getuid():
        return f"directory {path}: owned by another user"
    if info.st_mode & 0o077:
        return f"directory {path}: open to other users (mode {stat.S_IMODE(info.st_mode):o}, not 700)"
    return None


def _in_work_tree(path: Path) -> str | None:
    """Why a cache inside a git work tree is refused: the repository could have committed it (a
    checkout made with umask 077 is ours and 0700, so the mode check cannot tell)."""
    for directory in (path, *path.resolve().parents):
        if (directory / ".git").exists():
            return f"{path}: inside the git work tree {directory}, which a repository could have planted"
    return None


def _unsafe_parent(path: Path) -> str | None:
    """Why others could swap our directory inside `path` (writable by others without sticky bit)."""
    info = os.stat(path)
    if not hasattr(os, "getuid") or info.st_mode & stat.S_ISVTX:
        return None
    if info.st_uid not in (os.getuid(), 0) or info.st_mode & 0o022:
        return f"in {path}: other users can write there"
    return None


def entry_path(digest: str, kind: str = "facts") -> Path | None:
    root = directory()
    return None if root is None else root / kind / digest[:2] / f"{digest}{_SUFFIX}"


def present(digests: list[str], kind: str) -> list[bool]:
    """Whether each entry is on disk: one `stat` each, nothing read (a present entry may still be a
    miss when loaded), the directory found once."""
    root = directory()
    if root is None:
        return [False] * len(digests)
    folder = os.path.join(root, kind)
    return [os.path.isfile(os.path.join(folder, digest[:2], digest + _SUFFIX)) for digest in digests]


def load(
    digest: str, kind: str, types: Iterable[type] = (), decode: Callable[[bytes], Any] | None = None
) -> Any:
    """The cached value (JSON data and instances of `types` only), or None on a miss. `decode`: the
    caller's own data-only decoder (it raises ValueError on anything it did not write) instead of `codec`."""
    path = entry_path(digest, kind)
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            data = handle.read()
            if time.time() - os.fstat(handle.fileno()).st_mtime > _TOUCH_AFTER:
                os.utime(path)  # recently used: evicted last
        return codec.loads(data, types) if decode is None else decode(data)
    except (OSError, ValueError):  # absent, unreadable, truncated, planted: a miss
        return None


def store(digest: str, value: object, kind: str, encode: Callable[[Any], bytes] | None = None) -> None:
    """Write atomically (temp file + rename) so a concurrent reader never sees half an entry. `encode`:
    the encoder of the caller's `decode` (it raises codec.Unencodable on what it does not carry)."""
    import tempfile  # only a miss pays for it

    path = entry_path(digest, kind)
    if path is None:
        return
    try:
        data = codec.dumps(value) if encode is None else encode(value)
        for folder in (path.parent.parent, path.parent):  # kind/, then its fan-out
            folder.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=_SUFFIX)  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, codec.Unencodable, RecursionError):
        return  # an unwritable cache or an unencodable value costs only the speed-up
    _sweep_now_and_then(path.parents[2])


def _sweep_now_and_then(root: Path) -> None:
    stamp = root / ".swept"
    try:
        if time.time() - stamp.stat().st_mtime < _SWEEP_EVERY:
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    try:
        stamp.touch(mode=0o600)
        os.utime(stamp)
    except OSError:
        return
    evict(root, MAX_BYTES)


def evict(root: Path, max_bytes: int) -> None:
    """Delete the least recently used entries under `root` until they fill at most 3/4 of `max_bytes`."""
    entries: list[tuple[float, int, Path]] = []
    for path in root.glob(f"*/*/*{_SUFFIX}"):
        try:
            info = path.stat()
        except OSError:
            continue
        entries.append((info.st_mtime, info.st_size, path))
    total = sum(size for _, size, _ in entries)
    if total <= max_bytes:
        return
    for _, size, path in sorted(entries):
        if total <= max_bytes * 3 // 4:
            break
        try:
            path.unlink()
            total -= size
        except OSError:
            continue
