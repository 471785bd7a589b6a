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

`yaml_builder` is the loop that builds the tree (and holds those limits), `yaml_scalars` the scalar
rules and tag tables; this module reads the text, turns PyYAML's errors into ParseErrors and
recovers at the next document of a stream.
"""

from __future__ import annotations

import re
from typing import Any

from nhilint.parse import ParseError, TooComplex, gc_paused
from nhilint.parse.yaml_builder import Builder, DuplicateKey
from nhilint.parse.yaml_scalars import TAG_TABLES, plain_loader


def _loader_class() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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

    builder = Builder(TAG_TABLES[tags])
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


def load_plain(text: str) -> Any:
    """Our own data files (rule catalogue, config): one document as plain dict/list/scalars.

    Safe and fast (PyYAML's C loader), same scalar rules as `parse_yaml`, no positions.
    """
    import yaml

    try:
        return yaml.load(text, Loader=plain_loader(_loader_class()))
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
        builder = Builder(TAG_TABLES[tags])
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
