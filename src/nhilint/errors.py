"""Bugs of ours met while scanning: a record every stage can make, below every layer (formats
report one from an extractor; the scan exits 2)."""

from __future__ import annotations

from pathlib import Path

from msgspec import Struct


class InternalError(Struct, frozen=True):
    """A bug of ours met while reading `file`: reported on stderr, and the scan exits 2."""

    file: str
    error: str  # exception type and a one-line, redacted summary
    where: str = ""  # the innermost frame of our code, for the bug report

    @classmethod
    def of(cls, file: str, exc: BaseException) -> InternalError:
        """The exception's type and the innermost line of our code; not its message, which may
        quote the scanned file (and so a secret)."""
        import traceback

        package = str(Path(__file__).parent)
        ours = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(package)]
        where = f"{Path(ours[-1].filename).relative_to(package)}:{ours[-1].lineno}" if ours else ""
        return cls(file=file, error=type(exc).__name__, where=where)
