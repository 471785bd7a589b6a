"""JSON written piece by piece: the text of `json.dumps(document, indent=2)`, never all of it at once.

A report of a big scan is a dict tree several times the size of its text (a 20,000-file scan: about
150 MB of dicts for a 35 MB string), built while the scan's result is still alive. Its long arrays
are `Items` instead: each element is built, encoded and dropped in turn. Everything else is encoded
by `json.dumps` itself, with the same settings, so the bytes do not depend on the streaming.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

INDENT = 2


class Items:
    """A JSON array whose elements are made one at a time, when it is written (once)."""

    __slots__ = ("_elements",)

    def __init__(self, elements: Iterable[Any]) -> None:
        self._elements = elements

    def __iter__(self) -> Iterator[Any]:
        return iter(self._elements)


def chunks(value: Any, depth: int = 0) -> Iterator[str]:
    """`json.dumps(value, indent=2)` in pieces, `value` at nesting `depth`; its `Items` are arrays."""
    if isinstance(value, Items):
        yield from _container("[", "]", ((None, element) for element in value), depth)
    elif isinstance(value, dict) and _holds_items(value):
        yield from _container("{", "}", value.items(), depth)
    elif isinstance(value, list) and _holds_items(value):
        yield from _container("[", "]", ((None, element) for element in value), depth)
    else:  # nested lines of `json.dumps` start at column 0: shift them to this depth (strings hold no \n)
        yield json.dumps(value, indent=INDENT).replace("\n", "\n" + " " * (INDENT * depth))


def _container(
    opening: str, closing: str, entries: Iterable[tuple[str | None, Any]], depth: int
) -> Iterator[str]:
    """An array (keys None) or object as `json.dumps` lays it out: one entry a line, `[]`/`{}` if empty."""
    inner = "\n" + " " * (INDENT * (depth + 1))
    separator = opening
    for key, element in entries:
        yield separator + inner + ("" if key is None else json.dumps(key) + ": ")
        yield from chunks(element, depth + 1)
        separator = ","
    yield opening + closing if separator == opening else "\n" + " " * (INDENT * depth) + closing


def _holds_items(value: dict[Any, Any] | list[Any]) -> bool:
    return any(
        isinstance(v, Items) or (isinstance(v, (dict, list)) and _holds_items(v))
        for v in (value.values() if isinstance(value, dict) else value)
    )


def batched(pieces: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """`pieces` joined into strings of about `size` characters: a few writes, none of them big."""
    batch: list[str] = []
    length = 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch)
