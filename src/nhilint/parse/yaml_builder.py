"""The located constructor: one stream of PyYAML events to documents of `LMap` / `LSeq` / scalars
with their positions, by one iterative loop, with the guards on depth, aliases and size (the
semantics: see `nhilint.parse.yaml`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from nhilint.parse import ParseError, TooComplex
from nhilint.parse.tree import LMap, LSeq, Pos, Tagged
from nhilint.parse.yaml_scalars import (
    MAYBE_TYPED,
    NUMBER_START,
    PLAIN_CONSTANTS,
    STD,
    TagTable,
    resolve_plain,
    short_tag,
    std_scalar,
)

MAX_DEPTH = 500
ALIAS_NODES = 100_000
ALIAS_RATIO = 10
# Nodes one file may write. The located tree and the facts drawn from it cost a few hundred bytes
# per node (4,000 per node would be 500 MB at 120,000 nodes), so this keeps one file within a few
# hundred MB. Real YAML spends 15+ characters per node (a 10 MB file is under 700,000 nodes);
# only a dense run such as a flow sequence of short scalars (`[x, x, x, ...]`) reaches it.
MAX_NODES = 1_000_000


class DuplicateKey(NamedTuple):
    """A key written twice in one mapping: `pos` is the later (winning) one, `first` the earlier."""

    key: Any
    pos: Pos
    first: Pos
    doc: int  # index of the document in the stream


_NO_KEY: Any = object()
_MERGE: Any = object()


_new_pos = tuple.__new__  # Pos(...) without NamedTuple's Python-level __new__: one call per node


def _pos(mark: Any) -> Pos:
    return _new_pos(Pos, (mark.line + 1, mark.column + 1))


def _end_line(mark: Any) -> int:
    """1-based line of the last character before `mark` (a mark at column 0 ends the line above)."""
    return mark.line + 1 if mark.column else max(mark.line, 1)


class _Frame:
    """A mapping or sequence being filled, or the holder of a document's root value."""

    __slots__ = ("obj", "is_map", "tag", "anchor", "flow", "end", "size", "key", "key_pos", "merges")

    def __init__(
        self, obj: Any, tag: str | None = None, anchor: str | None = None, flow: bool = False
    ) -> None:
        self.obj = obj
        self.is_map = type(obj) is LMap
        self.tag = tag
        self.anchor = anchor
        self.flow = flow
        self.end = obj.pos.line
        self.size = 1
        self.key = _NO_KEY
        self.key_pos = obj.pos
        self.merges: list[LMap] = []


class Builder:
    """Turns one stream of events into documents (the semantics: `nhilint.parse.yaml`'s docstring)."""

    def __init__(self, table: TagTable) -> None:
        self.table = table
        self.docs: list[Any] = []
        self.duplicates: list[DuplicateKey] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.pending: set[str] = set()
        self.written = 0  # nodes written out in the text
        self.expanded = 0  # nodes reached again through aliases

    def run(self, next_event: Callable[[], Any]) -> None:
        import yaml

        handlers = {
            yaml.ScalarEvent: self.scalar,
            yaml.MappingStartEvent: self.start_mapping,
            yaml.SequenceStartEvent: self.start_sequence,
            yaml.MappingEndEvent: self.end_collection,
            yaml.SequenceEndEvent: self.end_collection,
            yaml.AliasEvent: self.alias,
            yaml.DocumentStartEvent: self.start_document,
            yaml.DocumentEndEvent: self.end_document,
        }
        scalar_event, stack, new_pos, no_key = yaml.ScalarEvent, self.stack, _new_pos, _NO_KEY
        constants, number_start, mapping_start = PLAIN_CONSTANTS, NUMBER_START, yaml.MappingStartEvent
        mark: Any  # a libyaml or PyYAML Mark
        while True:
            event: Any = next_event()
            if type(event) is not scalar_event:
                if type(event) is mapping_start:
                    mark = event.start_mark
                    self.start(LMap(new_pos(Pos, (mark.line + 1, mark.column + 1))), event)
                    continue
                handler = handlers.get(type(event))
                if handler is not None:
                    handler(event)
                elif type(event) is yaml.StreamEndEvent:
                    return
                continue
            # The common case inlined (nine events in ten): an untagged, unanchored scalar that is no
            # number and no merge key (`scalar` and `add` say the same thing at more length).
            if event.tag is not None or event.anchor is not None:
                self.scalar(event)
                continue
            value = raw = event.value
            if event.implicit[0]:
                if raw and (raw[0] in number_start or raw == "<<"):
                    self.scalar(event)
                    continue
                value = constants.get(raw, raw)
            self.written += 1
            mark = event.start_mark
            line = mark.line + 1
            pos = new_pos(Pos, (line, mark.column + 1))
            if self.written > MAX_NODES:
                self.too_many(pos)
            mark = event.end_mark
            end = mark.line + 1 if mark.column else max(mark.line, 1)
            top = stack[-1]
            top.size += 1
            if end < line:
                end = line
            if end > top.end:
                top.end = end
            if not top.is_map:
                seq = top.obj
                seq.append(value)
                seq.item_pos.append(pos)
            elif top.key is no_key:
                top.key = value  # a str, bool, float or None: hashable
                top.key_pos = pos
            elif top.key is _MERGE or top.key in top.obj:
                top.size -= 1  # `add` counts it again
                self.add(value, pos, end, 1)
            else:
                mapping = top.obj
                key = top.key
                top.key = no_key
                mapping[key] = value
                mapping.key_pos[key] = top.key_pos
                mapping.val_pos[key] = pos

    def start_document(self, event: Any) -> None:
        self.anchors.clear()
        self.pending.clear()
        self.stack.append(_Frame(LSeq(_pos(event.start_mark))))

    def end_document(self, event: Any) -> None:
        holder = self.stack.pop().obj
        self.docs.append(holder[0] if holder else None)

    def scalar(self, event: Any) -> None:
        self.written += 1
        pos = _pos(event.start_mark)
        if self.written > MAX_NODES:
            self.too_many(pos)
        end = max(_end_line(event.end_mark), pos.line)
        tag = event.tag
        raw = event.value
        if tag is None and event.implicit[0]:
            if raw and raw[0] not in MAYBE_TYPED:
                value = raw  # the common case: a plain word, no need to look further
            elif raw == "<<" and self.stack[-1].is_map and self.stack[-1].key is _NO_KEY:
                self.stack[-1].key, self.stack[-1].key_pos = _MERGE, pos
                return
            else:
                value = resolve_plain(raw)
        elif tag is None or tag == "!":
            value = raw
        elif tag.startswith(STD):
            value = std_scalar(tag[len(STD) :], raw, pos)
        else:
            value = self.table(tag, raw, pos, end)
        self.anchor(event.anchor, value, 1)
        self.add(value, pos, end, 1)

    def start_mapping(self, event: Any) -> None:
        self.start(LMap(_pos(event.start_mark)), event)

    def start_sequence(self, event: Any) -> None:
        self.start(LSeq(_pos(event.start_mark)), event)

    def start(self, obj: LMap | LSeq, event: Any) -> None:
        self.written += 1
        if self.written > MAX_NODES:
            self.too_many(obj.pos)
        if len(self.stack) > MAX_DEPTH:
            raise ParseError(f"YAML nested deeper than {MAX_DEPTH} levels", obj.pos.line, obj.pos.col)
        if event.anchor is not None:
            self.pending.add(event.anchor)
        self.stack.append(_Frame(obj, event.tag, event.anchor, event.flow_style))

    def end_collection(self, event: Any) -> None:
        frame = self.stack.pop()
        obj = frame.obj
        end = max(frame.end, _end_line(event.end_mark)) if frame.flow else frame.end
        if frame.merges:
            obj = _merged(obj, frame.merges)
        obj.end_line = end
        value = obj if frame.tag is None else self.tagged_collection(frame.tag, obj, end)
        if frame.anchor is not None:
            self.pending.discard(frame.anchor)
            self.anchors[frame.anchor] = (value, frame.size)
        self.add(value, obj.pos, end, frame.size)

    def too_many(self, pos: Pos) -> None:
        raise TooComplex(
            f"too complex to read: more than {MAX_NODES:,} YAML nodes in one file", pos.line, pos.col
        )

    def tagged_collection(self, tag: str | None, obj: LMap | LSeq, end: int) -> Any:
        if tag is None or tag == "!" or tag == STD + ("map" if type(obj) is LMap else "seq"):
            return obj
        if tag.startswith(STD):
            return Tagged(short_tag(tag), obj)
        return self.table(tag, obj, obj.pos, end)

    def alias(self, event: Any) -> None:
        pos = _pos(event.start_mark)
        name = event.anchor
        if name not in self.anchors:
            problem = "recursive alias" if name in self.pending else "undefined alias"
            raise ParseError(f"{problem} *{name}", pos.line, pos.col)
        value, size = self.anchors[name]
        self.expanded += size
        if self.expanded > ALIAS_NODES and self.expanded > ALIAS_RATIO * self.written:
            raise ParseError("YAML alias expansion too large (possible alias bomb)", pos.line, pos.col)
        self.add(value, pos, max(_end_line(event.end_mark), pos.line), size)

    def anchor(self, name: str | None, value: Any, size: int) -> None:
        if name is not None:
            self.anchors[name] = (value, size)

    def add(self, value: Any, pos: Pos, end: int, size: int) -> None:
        """Put a finished value into the collection being built."""
        top = self.stack[-1]
        top.size += size
        if end > top.end:
            top.end = end
        if not top.is_map:
            top.obj.push(value, pos)
            return
        if top.key is _NO_KEY:
            if type(value) is not str:
                _check_hashable(value, pos)
            top.key, top.key_pos = value, pos
            return
        key, top.key = top.key, _NO_KEY
        if key is _MERGE:
            top.merges.extend(_merge_sources(value, pos))
            return
        mapping = top.obj
        if key in mapping:
            self.duplicates.append(DuplicateKey(key, top.key_pos, mapping.key_pos[key], len(self.docs)))
            mapping.shadow(key)
        mapping.put(key, value, top.key_pos, pos)


def _check_hashable(key: Any, pos: Pos) -> None:
    try:
        hash(key)
    except TypeError:
        raise ParseError("a mapping or sequence cannot be a mapping key", pos.line, pos.col) from None


def _merge_sources(value: Any, pos: Pos) -> list[LMap]:
    """The mappings a `<<` value names, highest priority first."""
    sources = value if type(value) is LSeq else [value]
    if not all(type(source) is LMap for source in sources):
        raise ParseError("a merge key `<<` needs a mapping or a list of mappings", pos.line, pos.col)
    return sources


def _merged(own: LMap, merges: list[LMap]) -> LMap:
    """`own` with the merged mappings underneath it: own keys win, then the earliest merged one."""
    result = LMap(own.pos)
    for source in reversed(merges):
        for key, value in source.items():
            result.put(key, value, source.key_pos[key], source.val_pos[key])
    for key, value in own.items():
        result.put(key, value, own.key_pos[key], own.val_pos[key])
    return result
