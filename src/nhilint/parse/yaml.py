"""YAML text to the located tree (`LMap` / `LSeq` / plain scalars, 1-based positions).

The tree is built straight from libyaml's event stream (`yaml.CSafeLoader`, or the pure-Python
`yaml.SafeLoader` when libyaml is missing) by one iterative loop. We neither use PyYAML's composer
nor its constructor: the C composer recurses once per nesting level and crashes the interpreter
(SIGSEGV) on ~100,000 nested `[`, and libyaml's scanner is quadratic in flow depth, so depth must be
checked while events arrive. The loop also gives every key, value and item its position for free,
and runs about as fast as plain `yaml.load_all(text, Loader=yaml.CSafeLoader)` (both ~2.5 MB/s on
a 5 MB Kubernetes stream).

Semantics (YAML 1.2 core schema, which is what the tools we lint mostly mean):

* booleans are only `true`/`True`/`TRUE`/`false`/`False`/`FALSE`; `on`, `yes`, `n`... stay strings
  (GitHub Actions' `on:` key is the string "on");
* ints are decimal (`0777` is 777, not octal), `0o17` and `0x1F`; `1:20` (YAML 1.1 base 60) is a
  string; floats follow the 1.2 core pattern (`1e3` is 1000.0) plus `.inf`/`.nan`;
* timestamps are never constructed: `expires: 2025-01-01` is the string "2025-01-01";
* merge keys (`<<: *defaults`, `<<: [*a, *b]`) are applied: keys written in the mapping win over
  merged ones, and among merged mappings the earlier one wins (as in PyYAML);
* an alias returns the very object its anchor built (shared, not copied, like PyYAML), so the
  positions inside it are those of the anchor; the alias's own position is the parent's
  `val_pos`/`item_pos`;
* explicit tags: `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`, `!!seq` and the
  non-specific `!` behave normally; every other tag (`!!binary`, `!!python/object/...`, `!Foo`) is
  looked up in the chosen tag table and, if unknown, kept as `Tagged(tag, value)` where value is
  the raw scalar text or the built collection. Nothing is ever constructed as a Python object.
  `!!` tags are shown in their short form (`!!python/object/apply:os.system`);
* a mapping or sequence used as a key (`? [a, b]`) raises ParseError: none of the formats we read
  allows one;
* duplicate keys: the later one wins (as in PyYAML) and each is recorded as a `DuplicateKey`;
  `parse_yaml_with_duplicates` returns them;
* `end_line` of a block collection is the end of its last child; after a block scalar (`|`) it
  may include the blank lines that follow.

Guards (each raises ParseError, never anything else): nesting deeper than MAX_DEPTH (so any
recursive walker downstream stays under Python's default recursion limit), alias expansion
beyond ALIAS_NODES nodes *and* ALIAS_RATIO times the nodes written in the file (billion laughs),
and more than MAX_NODES nodes written in one file (`TooComplex`: memory stays bounded per file).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from nhilint.parse import ParseError, TooComplex
from nhilint.parse.tree import LMap, LSeq, Pos, Tagged
from nhilint.quote import redact_snippet

MAX_DEPTH = 500
ALIAS_NODES = 100_000
ALIAS_RATIO = 10
# Nodes one file may write. The located tree and the facts drawn from it cost a few hundred bytes
# per node (4,000 per node would be 500 MB at 120,000 nodes), so this keeps one file within a few
# hundred MB. Real YAML spends 15+ characters per node (a 10 MB file is under 700,000 nodes);
# only a dense run such as a flow sequence of short scalars (`[x, x, x, ...]`) reaches it.
MAX_NODES = 1_000_000

_STD = "tag:yaml.org,2002:"


class DuplicateKey(NamedTuple):
    """A key written twice in one mapping: `pos` is the later (winning) one, `first` the earlier."""

    key: Any
    pos: Pos
    first: Pos
    doc: int  # index of the document in the stream


# --- scalars ---------------------------------------------------------------------------------

_CONSTANTS: dict[str, Any] = {
    "": None,
    "~": None,
    **dict.fromkeys(("null", "Null", "NULL"), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
}
_NUMBER_START = frozenset("-+.0123456789")
_CORE_START = "-+.0123456789tTfF"  # first characters of a bool, int or float
_MAYBE_TYPED = frozenset(_CORE_START + "~nN<")  # ... or of a null or a merge key
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_OCT = re.compile(r"0o[0-7]+")


_MAX_NUMBER = 1000  # longer digit strings stay text: int() refuses over 4300 digits, str() too


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar under the YAML 1.2 core schema."""
    value = _CONSTANTS.get(text, text)
    if value is not text or text[0] not in _NUMBER_START or len(text) > _MAX_NUMBER:
        return value
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    return text


_STD_SCALARS: dict[str, type] = {"int": int, "float": float, "bool": bool, "null": type(None)}


def _std_scalar(name: str, raw: str, pos: Pos) -> Any:
    """`!!str`, `!!int`, `!!float`, `!!bool`, `!!null` on a scalar; other `!!` tags stay Tagged."""
    if name == "str":
        return raw
    wanted = _STD_SCALARS.get(name)
    if wanted is None:
        return Tagged("!!" + name, raw)
    value = resolve_plain(raw.strip())
    if wanted is float and type(value) is int:
        value = float(value)
    if type(value) is not wanted:
        # the scalar may be a secret: quote only its redaction
        raise ParseError(f"cannot read {redact_snippet(raw)!r} as !!{name}", pos.line, pos.col)
    return value


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


# --- tag tables: what a local tag becomes ----------------------------------------------------

TagTable = Callable[[str, Any, Pos, int], Any]

# Intrinsic functions (and Rules-section functions) written `!Name`, decoded as {"Fn::Name": ...}.
_CFN_FUNCTIONS = frozenset(
    {
        "And", "Base64", "Cidr", "Contains", "EachMemberEquals", "EachMemberIn", "Equals", "FindInMap",
        "GetAZs", "GetAtt", "If", "Implies", "ImportValue", "Join", "Length", "Not", "Or", "RefAll",
        "Select", "Split", "Sub", "ToJsonString", "Transform", "ValueOf", "ValueOfAll",
    }
)  # fmt: skip


def _keep_tagged(tag: str, value: Any, pos: Pos, end_line: int) -> Any:
    return Tagged(tag, value)


def _cloudformation(tag: str, value: Any, pos: Pos, end_line: int) -> Any:
    """`!Ref x` -> {"Ref": x}, `!Sub s` -> {"Fn::Sub": s}, ... exactly as cfn-lint decodes them."""
    name = tag[1:]
    if name in ("Ref", "Condition"):
        key = name
    elif name in _CFN_FUNCTIONS:
        key = "Fn::" + name
    else:
        return Tagged(tag, value)
    if key == "Fn::GetAtt" and isinstance(value, str):
        parts = LSeq(pos, end_line)
        for part in value.split(".", 1):
            parts.push(part, pos)
        value = parts
    call = LMap(pos, end_line)
    call.put(key, value, pos, pos)
    return call


TAG_TABLES: dict[str, TagTable] = {
    "none": _keep_tagged,
    # GitLab's only tag, `!reference [job, key]`, is kept as Tagged("!reference", [...]) for the
    # extractor to resolve; the table is named so callers say which format they parse.
    "gitlab": _keep_tagged,
    "cloudformation": _cloudformation,
}


# --- the builder -----------------------------------------------------------------------------

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


class _Builder:
    """Turns one stream of events into documents; see the module docstring for the semantics."""

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
        while True:
            event = next_event()
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)
            elif type(event) is yaml.StreamEndEvent:
                return

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
            if raw and raw[0] not in _MAYBE_TYPED:
                value = raw  # the common case: a plain word, no need to look further
            elif raw == "<<" and self.stack[-1].is_map and self.stack[-1].key is _NO_KEY:
                self.stack[-1].key, self.stack[-1].key_pos = _MERGE, pos
                return
            else:
                value = resolve_plain(raw)
        elif tag is None or tag == "!":
            value = raw
        elif tag.startswith(_STD):
            value = _std_scalar(tag[len(_STD) :], raw, pos)
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
        value = self.tagged_collection(frame.tag, obj, end)
        if frame.anchor is not None:
            self.pending.discard(frame.anchor)
        self.anchor(frame.anchor, value, frame.size)
        self.add(value, obj.pos, end, frame.size)

    def too_many(self, pos: Pos) -> None:
        raise TooComplex(
            f"too complex to read: more than {MAX_NODES:,} YAML nodes in one file", pos.line, pos.col
        )

    def tagged_collection(self, tag: str | None, obj: LMap | LSeq, end: int) -> Any:
        if tag is None or tag == "!" or tag == _STD + ("map" if type(obj) is LMap else "seq"):
            return obj
        if tag.startswith(_STD):
            return Tagged(_short_tag(tag), obj)
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


# --- public API ------------------------------------------------------------------------------


def _loader_class() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Building a tree allocates many containers and no cycles: the cyclic GC would only rescan
    the growing tree again and again (about a quarter of the parse time)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _parse_error(exc: Exception, text: str) -> ParseError:
    """A PyYAML error as a ParseError at the line and column it names."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        reason = f"{context}: {problem}" if context else problem
        # libyaml may put "unexpected end of stream" one line past a last line without a newline
        last_line = text.count("\n") + 1
        return ParseError(reason, min(mark.line + 1, last_line), mark.column + 1)
    character = getattr(exc, "character", None)  # ReaderError: the first unacceptable character
    if isinstance(character, int):
        # its offset is in bytes for libyaml and in characters for PyYAML: find the character instead
        before = text[: max(text.find(chr(character)), 0)]
        return ParseError(str(exc).split("\n")[0], before.count("\n") + 1, len(before) - before.rfind("\n"))
    return ParseError(str(exc))


def parse_yaml_with_duplicates(text: str, tags: str = "none") -> tuple[list[Any], list[DuplicateKey]]:
    """All documents of a stream with positions, and every duplicate key found on the way."""
    import yaml

    builder = _Builder(TAG_TABLES[tags])
    loader = _loader_class()(text)
    try:
        with gc_paused():
            builder.run(loader.get_event)
    except yaml.YAMLError as exc:
        raise _parse_error(exc, text) from None
    finally:
        loader.dispose()
    return builder.docs, builder.duplicates


def parse_yaml(text: str, tags: str = "none") -> list[Any]:
    """All documents of a stream, each an LMap/LSeq/scalar with positions.

    `tags` selects the tag table: "none" (any tag -> Tagged(tag, value)), "cloudformation" (short
    intrinsic functions -> {"Fn::X": value} like cfn-lint) or "gitlab". Raises ParseError.
    """
    return parse_yaml_with_duplicates(text, tags)[0]


@functools.cache
def _plain_loader() -> Any:
    """A PyYAML loader class with the same 1.2 core scalars as `parse_yaml` (no positions)."""
    import yaml

    class PlainLoader(_loader_class()):  # type: ignore[misc]
        pass

    dropped = {_STD + name for name in ("bool", "int", "float", "timestamp", "value")}
    PlainLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in dropped]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    # One resolver tag for every 1.2 core bool/int/float; its constructor is resolve_plain.
    words = [re.escape(word) for word in _CONSTANTS if word[:1] in _CORE_START]  # true, .inf, ...
    pattern = "|".join([_INT.pattern, _FLOAT.pattern, _HEX.pattern, _OCT.pattern, *words])
    PlainLoader.add_implicit_resolver(_STD + "core", re.compile(f"(?:{pattern})$"), list(_CORE_START))
    PlainLoader.add_constructor(_STD + "core", lambda loader, node: resolve_plain(node.value))
    # a plain `<<` that is not a mapping key is just a string, as in parse_yaml
    PlainLoader.add_constructor(_STD + "merge", yaml.SafeLoader.construct_yaml_str)
    return PlainLoader


def load_plain(text: str) -> Any:
    """Our own data files (rule catalogue, config): one document as plain dict/list/scalars.

    Safe and fast (PyYAML's C loader), same scalar rules as `parse_yaml`, no positions.
    """
    import yaml

    try:
        return yaml.load(text, Loader=_plain_loader())
    except yaml.YAMLError as exc:
        raise _parse_error(exc, text) from None


MAX_RECOVERIES = 50  # each recovery copies and rescans the rest of the text: bounded work
_DOCUMENT_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)


def parse_yaml_stream(text: str, tags: str = "none") -> tuple[list[Any], list[ParseError]]:
    """Every document of a stream that parses, and the error of each that does not: one broken
    document of a multi-document file costs only itself. Reading resumes at the next `---` line
    after an error, at most MAX_RECOVERIES times (then the rest goes with the last error). The
    MAX_NODES budget is the file's, whatever the recoveries: once spent, reading stops."""
    import yaml

    docs: list[Any] = []
    errors: list[ParseError] = []
    start = 0
    written = 0
    for _ in range(MAX_RECOVERIES + 1):
        # blank lines stand in for what was read already, so positions stay those of the file
        chunk = "\n" * text.count("\n", 0, start) + text[start:] if start else text
        builder = _Builder(TAG_TABLES[tags])
        builder.written = written
        loader = _loader_class()(chunk)
        try:
            with gc_paused():
                builder.run(loader.get_event)
            return docs + builder.docs, errors
        except yaml.YAMLError as exc:
            error = _parse_error(exc, chunk)
        except ParseError as exc:
            # without its traceback: through this frame it would hold the half-built tree in a
            # cycle only the cyclic GC frees (a file over MAX_NODES: hundreds of MB per file)
            error = exc.with_traceback(None)
        finally:
            loader.dispose()
        docs += builder.docs  # only documents that ended before the error
        errors.append(error)
        written = builder.written
        if isinstance(error, TooComplex):
            break
        line_start = _line_offset(text, error.line)
        resume = _DOCUMENT_START.search(text, max(line_start, start + 1))
        if resume is None:
            break
        start = resume.start()
    return docs, errors


def _line_offset(text: str, line: int) -> int:
    """Offset of the start of 1-based `line` in `text`."""
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return len(text)
    return offset
