"""Syntax to located tree: one parser per syntax (HCL, YAML, JSON), shared by every format."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


class ParseError(Exception):
    """A file that could not be parsed; the engine reports it as NHI001 and the scan goes on."""

    def __init__(self, reason: str, line: int = 1, col: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.col = col


def decimal(text: str, max_digits: int = 18) -> int | None:
    """`text` as an int when it is a short run of ASCII digits, else None.

    `str.isdigit()` accepts `²` and `int()` refuses it, and `int()` also refuses 4,300+ digits:
    input decides both, so neither may reach `int()` unchecked.
    """
    return int(text) if text.isascii() and text.isdigit() and len(text) <= max_digits else None


def whole_number(value: object) -> int | None:
    """A whole number as Terraform hands it to a provider's integer argument: `40000`, `4e4`,
    `40000.0` or the string `"40000"` (Terraform converts it); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e18 else None  # not for nan, inf
    if isinstance(value, str):
        text = value.strip()
        if (found := decimal(text)) is not None:
            return found
        # float() also reads "nan", "inf" and "1_0": only digits, a point and an exponent may pass
        if 0 < len(text) <= 32 and text[0].isdigit() and set(text) <= set("0123456789.eE+-"):
            try:
                return whole_number(float(text))
            except ValueError:
                return None
    return None


class TooComplex(ParseError):
    """Resolving a file's references would build more than its budget of nodes (an exponential
    fan-out of locals, `merge()`, `Fn::If`, `extends`, `!reference`): NHI001, the scan goes on."""


# A resolved value counts once per place it is used (as if copied there), like a YAML alias. A real
# file resolves to a few times its own size; an exponential fan-out passes any fixed budget within
# a few more levels, so the budget is generous: large enough for every real file, small enough to
# keep the walk of what was resolved within a second or two.
RESOLVE_NODES = 1_000_000
RESOLVE_RATIO = 10  # nodes per character of the file(s), for files bigger than RESOLVE_NODES / 10


class Budget:
    """The nodes resolution may still produce for one file (or one Terraform module)."""

    def __init__(self, text_size: int = 0, limit: int | None = None) -> None:
        self.limit = limit if limit is not None else max(RESOLVE_NODES, RESOLVE_RATIO * text_size)
        self.used = 0

    def spend(self, nodes: int, line: int = 1, col: int = 1) -> None:
        self.used += nodes
        if self.used > self.limit:
            raise TooComplex(
                f"too complex to resolve: its references expand to more than {self.limit:,} values "
                "(an exponential fan-out of references?)",
                line,
                col,
            )


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside: building a tree (one file, or one unit's extraction) allocates
    many containers and almost no cycles, so the collector would only rescan the growing tree; what
    it builds is freed by reference counting, and what survives is walked once after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
