"""The located tree every parser produces and every extractor reads.

Containers carry positions for themselves and for their children, so scalars stay plain Python
values (str, int, float, bool, None) and extractors can still point at the line of any key or
value. Lines and columns are 1-based.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from msgspec import Struct, field


class Pos(NamedTuple):
    line: int
    col: int = 1


NOWHERE = Pos(1, 1)


class LMap(dict):  # type: ignore[type-arg]
    """A mapping that knows where it, each key and each value start."""

    __slots__ = ("pos", "key_pos", "val_pos", "end_line", "shadowed")

    def __init__(self, pos: Pos = NOWHERE, end_line: int | None = None) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[Any, Pos] = {}
        self.val_pos: dict[Any, Pos] = {}
        self.end_line = end_line if end_line is not None else pos.line
        # (key, value, value's position) of each earlier value of a duplicate key: the parser keeps
        # the later one, but a secret written in the earlier one is in the file all the same
        self.shadowed: list[tuple[Any, Any, Pos]] = []

    def shadow(self, key: Any) -> None:
        """Keep the value `key` holds now, before a duplicate of it replaces it."""
        self.shadowed.append((key, self[key], self.vpos(key)))

    def put(self, key: Any, value: Any, key_pos: Pos, val_pos: Pos | None = None) -> None:
        self[key] = value
        self.key_pos[key] = key_pos
        self.val_pos[key] = val_pos or key_pos

    def kpos(self, key: Any) -> Pos:
        """Where `key` is written (the line a human edits to change that setting)."""
        return self.key_pos.get(key, self.pos)

    def vpos(self, key: Any) -> Pos:
        """Where the value of `key` starts."""
        return self.val_pos.get(key, self.kpos(key))


class LSeq(list):  # type: ignore[type-arg]
    """A sequence that knows where it and each item start."""

    __slots__ = ("pos", "item_pos", "end_line")

    def __init__(self, pos: Pos = NOWHERE, end_line: int | None = None) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[Pos] = []
        self.end_line = end_line if end_line is not None else pos.line

    def push(self, value: Any, pos: Pos) -> None:
        self.append(value)
        self.item_pos.append(pos)

    def ipos(self, index: int) -> Pos:
        return self.item_pos[index] if 0 <= index < len(self.item_pos) else self.pos


class Expr(Struct, frozen=True):
    """A value that is not a literal: a reference, an interpolated template, an operator...

    `text` is the source text; `refs` the traversals it mentions (``var.x``, ``aws_iam_role.r.arn``,
    ``secrets.TOKEN``), so extractors can resolve what they can and treat the rest as unknown.
    """

    text: str
    refs: tuple[str, ...] = ()


class Conditional(Expr, frozen=True, eq=False):
    """`condition ? if_true : if_false` with its parts parsed. Still an `Expr` (unknown) to every
    consumer that does not look inside; equal and hashed by its text, as an `Expr` is."""

    condition: Any = None
    if_true: Any = None
    if_false: Any = None

    # spelled out: a struct's own eq and hash would compare its parts too (an `LMap` is not hashable)
    def __eq__(self, other: object) -> bool:
        if type(other) is not Conditional:
            return NotImplemented
        return (self.text, self.refs) == (other.text, other.refs)

    def __hash__(self) -> int:
        return hash((self.text, self.refs))


class Call(Struct, frozen=True):
    """A function call (`jsonencode({...})`, `merge(a, b)`, `file("p.json")`) with parsed args."""

    name: str
    args: tuple[Any, ...]
    text: str


class Tagged(Struct, frozen=True):
    """A YAML value under a tag no format table knows (kept, never constructed)."""

    tag: str
    value: Any


class Block(Struct):
    """An HCL block (`resource "aws_iam_role" "r" { ... }`); also the body of a whole file."""

    type: str
    labels: list[str]
    attrs: LMap
    blocks: list[Block] = field(default_factory=list)
    pos: Pos = NOWHERE
    end_line: int = 1

    def children(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]

    def child(self, type_: str) -> Block | None:
        found = self.children(type_)
        return found[0] if found else None


def is_literal(value: Any) -> bool:
    """True for a value written out in the file (not a reference, call or expression)."""
    return isinstance(value, (str, int, float, bool)) or value is None
