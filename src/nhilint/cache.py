"""A content-hash cache of extracted facts, so a rescan only re-reads the files that changed.

One entry per extraction unit (a Terraform directory or a single file), keyed by the sha256 of
the nhilint version, a stamp of the extractor code, the format, and every file's path and text.
Entries are pickles in the user's own cache directory; a corrupted or unreadable entry is
ignored and rewritten, and a read-only cache directory only costs the speed-up.
Turn it off with `--no-cache` or `NHILINT_NO_CACHE=1`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from nhilint import __version__
from nhilint.formats import Extraction, SourceFile
from nhilint.schema import cache_dir

# The code that decides what facts a file yields: an edited extractor (an editable install keeps
# its version) must not be answered from entries the old code wrote.
_CODE = ("facts.py", "tree.py", "secrets.py", "formats", "parse")


def enabled(requested: bool = True) -> bool:
    return requested and os.environ.get("NHILINT_NO_CACHE", "") in ("", "0")


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """Path, size and mtime of every module that extracts facts: cheap, and changes on any edit."""
    package = Path(__file__).parent
    parts = [__version__]
    for name in _CODE:
        path = package / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            stat = file.stat()
            parts.append(f"{file.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def key(unit: list[SourceFile]) -> str:
    digest = hashlib.sha256(code_stamp().encode())
    for file in unit:
        for part in (file.format, file.rel, file.text):
            encoded = part.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "big"))  # length-prefixed: no two units collide
            digest.update(encoded)
    return digest.hexdigest()


def entry_path(digest: str, kind: str = "facts") -> Path:
    return cache_dir() / kind / digest[:2] / f"{digest}.pickle"


def load(digest: str, kind: str = "facts", expect: type = Extraction) -> Any:
    """The cached value of type `expect`, or None on a miss."""
    try:
        with entry_path(digest, kind).open("rb") as handle:
            value = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # truncated, corrupted or from an incompatible Python: treat as a miss
        return None
    return value if isinstance(value, expect) else None


def store(digest: str, value: object, kind: str = "facts") -> None:
    """Write atomically (temp file + rename) so a concurrent reader never sees half an entry."""
    import tempfile  # only a miss pays for it

    path = entry_path(digest, kind)
    try:
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        except FileNotFoundError:  # first entry in this fan-out directory
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError, RecursionError):
        pass  # an unwritable cache or an unpicklable fact costs only the speed-up


def cached(unit: list[SourceFile], compute: Callable[[list[SourceFile]], Extraction]) -> Extraction:
    """The unit's extraction from the cache, or computed and stored."""
    digest = key(unit)
    hit = load(digest)
    if hit is not None:
        return hit
    extraction = compute(unit)
    store(digest, extraction)
    return extraction
