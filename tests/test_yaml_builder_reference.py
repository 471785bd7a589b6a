"""The located YAML builder against two references, on generated streams of anchors, aliases, merge
keys, duplicate keys and flow collections spanning lines: its values against PyYAML's own safe
constructor (on the scalars YAML 1.1 and 1.2 read alike), its positions against where the generator
wrote each key and value. A hand-inlined loop (the builder's common case) must still agree with both.
(benchmarks/yaml_builder_differential.py compares it with an older builder over whole repositories.)"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nhilint.parse.tree import LMap, LSeq
from nhilint.parse.yaml import parse_yaml_with_duplicates


class _Writer:
    """The text written so far and the 1-based line and column of its next character."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.line, self.col = 1, 1

    def put(self, text: str) -> tuple[int, int]:
        at = (self.line, self.col)
        self.parts.append(text)
        for ch in text:
            self.line, self.col = (self.line + 1, 1) if ch == "\n" else (self.line, self.col + 1)
        return at


# scalars read the same under YAML 1.1 (PyYAML) and the 1.2 core schema (no y/n/on/off words)
_WORDS = st.text("abcdeghijk", min_size=1, max_size=4)
_SCALARS = st.one_of(
    _WORDS.map(lambda w: (w, w)),
    st.integers(0, 999).map(lambda n: (str(n), n)),
    _WORDS.map(lambda w: (f"'{w} x'", f"{w} x")),
    st.sampled_from([("~", None), ("true", True), ("false", False), ("null", None)]),
)


class _Stream:
    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.out = _Writer()
        self.anchors: dict[str, Any] = {}  # finished anchored values
        self.named = 0
        # `<<: [*a, *b]` with a key in both: PyYAML (6.0) may take b's value where the merge key's
        # definition says the earlier mapping wins; such a stream is checked against the model only
        self.merged_list = False
        self.positions: list[tuple[str, tuple[Any, ...], tuple[int, int], tuple[int, int]]] = []

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.data.draw(strategy)

    def value(self, depth: int) -> tuple[Any, tuple[int, int]]:
        """Write one flow value; its expected plain value and where it starts."""
        kinds = (
            ["scalar", "scalar"] + (["map", "seq"] if depth < 4 else []) + (["alias"] if self.anchors else [])
        )
        kind = self.draw(st.sampled_from(kinds))
        if kind == "alias":
            name = self.draw(st.sampled_from(sorted(self.anchors)))
            return self.anchors[name], self.out.put(f"*{name}")
        self.named += 1  # each anchor named once: PyYAML refuses a second `&a` of one name
        anchor = f"a{self.named}" if self.draw(st.booleans()) else None
        start = self.out.put(f"&{anchor} ") if anchor else None
        if kind == "scalar":
            text, value = self.draw(_SCALARS)
            at = self.out.put(text)
        elif kind == "seq":
            at = self.out.put("[")
            value = []
            for i in range(self.draw(st.integers(0, 3))):
                self.out.put(self.draw(st.sampled_from([", ", ",\n   "])) if i else "")
                item, _ = self.value(depth + 1)
                value.append(item)
            self.out.put("]")
        else:
            at = self.out.put("{")
            separate = lambda: self.out.put(self.draw(st.sampled_from([", ", ",\n   "])))  # noqa: E731
            # an anchored mapping: no duplicate key (PyYAML merges such a mapping's first value of a key,
            # where it reads the mapping itself with the last)
            value = self.mapping(depth, separate, unique=anchor is not None)
            self.out.put("}")
        if anchor:
            self.anchors[anchor] = value
        return value, start or at

    def mapping(self, depth: int, separate: Any, least: int = 0, unique: bool = False) -> dict[Any, Any]:
        """Entries `key: value` (duplicates and at most one merge key among them)."""
        own: dict[Any, Any] = {}
        merged: dict[Any, Any] = {}
        maps = sorted(name for name, v in self.anchors.items() if type(v) is dict)
        merge_at = self.draw(st.integers(-1, 3)) if maps else -1
        keys = self.draw(st.lists(_WORDS, min_size=least, max_size=4, unique=unique))
        for i, key in enumerate(keys):
            if i:
                separate()
            if i == merge_at:
                names = self.draw(st.lists(st.sampled_from(maps), min_size=1, max_size=2))
                self.merged_list = self.merged_list or len(names) > 1
                self.out.put("<<: " + (f"*{names[0]}" if len(names) == 1 else f"[*{', *'.join(names)}]"))
                for name in reversed(names):  # the earliest named mapping wins
                    merged.update(self.anchors[name])
                separate()
            key_at = self.out.put(key)
            self.out.put(": ")
            own.pop(key, None)
            own[key], value_at = self.value(depth + 1)
            self.positions.append((key, (id(own),), key_at, value_at))
        return {**merged, **own}


def _plain(value: Any) -> Any:
    if isinstance(value, LMap):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, LSeq):
        return [_plain(v) for v in value]
    return value


def _located(value: Any, found: dict[Any, list[tuple[tuple[int, int], tuple[int, int]]]]) -> None:
    """Every (key position, value position) of the tree, by key."""
    if isinstance(value, LMap):
        for key, item in value.items():
            found.setdefault(key, []).append((tuple(value.kpos(key)), tuple(value.vpos(key))))
            _located(item, found)
    elif isinstance(value, LSeq):
        for item in value:
            _located(item, found)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_values_and_positions_match_the_references(data: st.DataObject) -> None:
    stream = _Stream(data)
    expected: list[Any] = []
    for document in range(data.draw(st.integers(1, 2))):
        if document:
            stream.out.put("---\n")
        stream.anchors.clear()  # anchors are a document's own
        expected.append(stream.mapping(0, lambda: stream.out.put("\n"), least=1))
        stream.out.put("\n")
    text = "".join(stream.out.parts)
    docs, _ = parse_yaml_with_duplicates(text)
    if not stream.merged_list:
        assert [_plain(d) if d is not None else {} for d in docs] == [
            d if d is not None else {} for d in yaml.load_all(text, Loader=yaml.SafeLoader)
        ], text
    assert [d if d is not None else {} for d in expected] == [
        _plain(d) if d is not None else {} for d in docs
    ]
    # every position a key or value was written at is one the builder reports for that key
    found: dict[Any, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    for doc in docs:
        _located(doc, found)
    written = {(key, key_at, value_at) for key, _, key_at, value_at in stream.positions}
    for key, places in found.items():
        for key_at, value_at in places:
            assert (key, key_at, value_at) in written, (text, key, key_at, value_at)
