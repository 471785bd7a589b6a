"""Differential check of the YAML builder against an older version of it (same events, same trees?).

    python benchmarks/yaml_builder_differential.py OLD_BUILDER.py [DIR ...] [--random N]

OLD_BUILDER.py is an earlier `nhilint/parse/yaml_builder.py` (`git show c5d0a9e:src/nhilint/parse/
yaml_builder.py > /tmp/old_yaml_builder.py`). Every .yaml/.yml file under the DIRs, a hand-made set of
hostile streams (anchors, aliases, merge keys anywhere, tags, duplicates, documents, flow collections,
CRLF, BOM, depth and alias-bomb guards) and N random streams built from the same pieces are parsed by
both builders with each tag table, through `parse_yaml_with_duplicates` and `parse_yaml_stream`.
Compared: every document (types, values, sharing of aliased nodes), every position (pos, key_pos,
val_pos, item_pos, end_line), shadowed values, duplicates, and errors (type, message, line, col).
Prints each difference and a count; exit 1 if any.
"""

from __future__ import annotations

import importlib.util
import math
import random
import sys
import threading
from pathlib import Path
from typing import Any

from nhilint.parse import yaml as nyaml
from nhilint.parse.tree import LMap, LSeq, Tagged


def canon(value: Any, seen: dict[int, int]) -> Any:
    """A comparable picture of a tree: types, values, positions, and which nodes are shared."""
    if type(value) in (LMap, LSeq, Tagged):
        if id(value) in seen:
            return ("shared", seen[id(value)])
        seen[id(value)] = len(seen)
    if type(value) is LMap:
        return (
            "map",
            tuple(value.pos),
            value.end_line,
            tuple(
                (canon(k, seen), canon(v, seen), tuple(value.key_pos[k]), tuple(value.val_pos[k]))
                for k, v in value.items()
            ),
            tuple((canon(k, seen), canon(v, seen), tuple(p)) for k, v, p in value.shadowed),
        )
    if type(value) is LSeq:
        return (
            "seq",
            tuple(value.pos),
            value.end_line,
            tuple(canon(v, seen) for v in value),
            tuple(map(tuple, value.item_pos)),
        )
    if type(value) is Tagged:
        return ("tagged", value.tag, canon(value.value, seen))
    if type(value) is float:
        return ("float", "nan" if math.isnan(value) else repr(value))
    return (type(value).__name__, repr(value))


def outcome(text: str, tags: str) -> Any:
    result: list[Any] = []
    try:
        docs, dups = nyaml.parse_yaml_with_duplicates(text, tags)
        seen: dict[int, int] = {}
        result.append(("docs", [canon(d, seen) for d in docs]))
        result.append(("dups", [(canon(d.key, {}), tuple(d.pos), tuple(d.first), d.doc) for d in dups]))
    except Exception as exc:  # noqa: BLE001 - the outcome compared, whatever it is
        result.append(
            ("error", type(exc).__name__, str(exc), getattr(exc, "line", None), getattr(exc, "col", None))
        )
    docs, errors = nyaml.parse_yaml_stream(text, tags)
    seen = {}
    result.append(
        (
            "stream",
            [canon(d, seen) for d in docs],
            [(type(e).__name__, str(e), e.line, e.col) for e in errors],
        )
    )
    return result


HAND_MADE = [
    "a: &x 1\nb: *x\n",
    "a: &x [1, 2]\nb: *x\nc: *x\n",
    "base: &b {k: v, n: 1}\nx:\n  <<: *b\n  k: own\n",
    "x: {<<: {a: 1}, a: 2}\n",
    "x: {<<: [{a: 1}, {b: 2}], c: 3}\n",
    "<<: {a: 1}\n",
    "a: <<\n",
    "- <<\n- <<: {a: 1}\n",
    "{<<: 1}\n",
    "x: {? <<\n : {a: 1}}\n",
    "<<: &m {a: 1}\n<<: {b: 2}\n",
    "a: 1\na: 2\nb: 3\nb: &z 4\nc: *z\nc: *z\n",
    "base: &b {a: 1}\nx:\n  <<: *b\n  a: 2\n  a: 3\n",
    "? &k key\n: v\nother: *k\n",
    "&k key: v\n*k : w\n",
    "a: !!str 1\nb: !!int '2'\nc: !!binary aGVsbG8=\nd: !custom x\n",
    "e: !!float 3\nf: !!bool true\ng: !!null ''\n",
    "a: !!int x\n",
    "a: !Ref Foo\nb: !GetAtt R.Arn\nc: !Sub [x, {a: 1}]\nd: !If [c, a, b]\n",
    "a: !!map {x: 1}\nb: !!seq [1]\nc: !!set {x, y}\nd: !!omap [{a: 1}]\ne: !reference [job, key]\n",
    "",
    "---\n",
    "---\n...\n",
    "---\n---\n---\n",
    "a: 1\n...\n---\nb: 2\n",
    "# only a comment\n",
    "a: [1,\n  2,\n  3\n  ]\nb: {x: 1,\n  y: 2}\n",
    "a: 1 # c\n# c\nb: 2\n",
    "a: 1\r\nb:\r\n  - x\r\n  - y\r\n",
    "\ufeffa: 1\nb: 2\n",
    "1: a\n2.5: b\ntrue: c\nnull: d\n~: e\n.inf: f\n-.inf: g\n.nan: h\n0x1f: i\n0o17: j\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: true\ng: False\nh: .NaN\ni: +.inf\nj: 0o17\nk: 0x1F\nl: 017\n",
    "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\nc: 1_000\nd: 1e3\ne: -0.0\nf: +1\ng: .5\n",
    "a: 1e400\nb: " + "9" * 2000 + "\nc: -" + "1" * 999 + "\n",
    "a: 'quoted'\nb: \"dq\"\nc: |\n  block\n  text\nd: >\n  folded\n  text\n\ne: |-\n  x\n",
    "a: '<<'\n'<<': {a: 1}\n",
    "[a, b]: c\n",
    "{a: 1}: c\n",
    "? [a]\n: b\n",
    "a: *undefined\n",
    "a: &r [*r]\n",
    "a: &a\n  b: *a\n",
    "x: !!str\ny: !!int\n",
    "- ! foo\n- !foo\n- !<tag:yaml.org,2002:str> 5\n- !!python/object x\n",
    "a: @bad\n",
    "a: [1, 2\n",
    "a: b: c\n",
    "a:\n- 1\n  - 2\n",
    "\t- tab\n",
    "a: 1\n---\nb: [\n---\nc: 3\n",
    "a: \x00\n",
    "a: \ud800\n" if False else "a: caf\u00e9\u0301\n",
    "k: v\n" * 50,
    "true: 1\nTrue: 2\n1: x\n1.0: y\n",
    ".nan: 1\n.nan: 2\n",
    "a: &e\nb: *e\n",
    "a: &e ''\nb: *e\n",
    "a: &t !!int 5\nb: *t\n",
    "m: &m !Ref X\nn: *m\n",
    "x: {a: 1, a: 2}\ny: [a, b,\n c]\n",
    "x: &a {p: 1}\ny: &b {q: 2}\nz:\n  <<: [*a, *b]\n  <<: {r: 3}\n",
    "z:\n  k: 1\n  <<: {k: 2, j: 3}\n",
    "z: {<<: *a}\n",
    "a: 1\n\n\n",
    "a:\n  b:\n\n\n  c: 2\n\n",
    "- a\n-\n- c\n-\n",
    "a: \"multi\n  line\"\nb: 'x\n\n  y'\n",
    "? a\n? b\n: c\n",
    "? !!int 1\n: x\n? &k !!str y\n: z\n",
    "a: &x 1\na: *x\n",
    "a: !!binary |\n  aGVs\n  bG8=\n",
]


def deep(n: int, flow: bool) -> str:
    if flow:
        return "a: " + "[" * n + "]" * n + "\n"
    return "".join("  " * i + "- \n" if False else "  " * i + "k:\n" for i in range(n)) + "  " * n + "v\n"


def bomb(levels: int, width: int) -> str:
    lines = ["a0: &a0 [x, y]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def generated() -> list[str]:
    out = [deep(n, flow) for n in (498, 499, 500, 501, 502) for flow in (True, False)]
    out += [bomb(levels, width) for levels, width in ((5, 10), (6, 10), (7, 10), (4, 40), (5, 17))]
    out += ["a: [" + ", ".join(["x"] * n) + "]\n" for n in (999_997, 999_998)]  # MAX_NODES
    return out


PIECES_KEYS = [
    "a",
    "b",
    "'a'",
    "<<",
    "1",
    "true",
    "~",
    "&k a",
    "*k",
    "!!str a",
    "? [x]",
    "null",
    ".inf",
    "'<<'",
]
PIECES_VALUES = [
    "1", "x", "&k v", "*k", "{a: 1}", "&m {a: 1, b: 2}", "*m", "[*m, {c: 3}]", "!!int 2", "!Ref X",
    "!GetAtt A.B", "''", "~", "0x10", "-.inf", "<<", "!custom {a: b}", "!!binary aGk=", "[a, b]", "&s [1, 2]",
    "*s", "!!set {a}", "'2001-01-01'", "2001-01-01", "!!str", "\"<<\"", "{<<: *m}", "{<<: [*m]}",
]  # fmt: skip


def random_stream(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 12)):
        indent = "  " * rng.randint(0, 2)
        roll = rng.random()
        if roll < 0.1:
            lines.append(rng.choice(["---", "...", "# c", ""]))
        elif roll < 0.25:
            lines.append(f"{indent}- {rng.choice(PIECES_VALUES)}")
        else:
            lines.append(f"{indent}{rng.choice(PIECES_KEYS)}: {rng.choice(PIECES_VALUES)}")
    eol = "\r\n" if rng.random() < 0.1 else "\n"
    return ("\ufeff" if rng.random() < 0.05 else "") + eol.join(lines) + eol


def load_old(path: str) -> type:
    spec = importlib.util.spec_from_file_location("old_yaml_builder", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Builder  # type: ignore[no-any-return]


def main() -> int:
    args = sys.argv[1:]
    count = 2000
    if "--random" in args:
        at = args.index("--random")
        count = int(args[at + 1])
        del args[at : at + 2]
    old_builder, new_builder = load_old(args[0]), nyaml.Builder
    texts: list[tuple[str, str]] = [(f"hand-made {i}", t) for i, t in enumerate(HAND_MADE)]
    texts += [(f"generated {i}", t) for i, t in enumerate(generated())]
    rng = random.Random(6)
    texts += [(f"random {i}", random_stream(rng)) for i in range(count)]
    for directory in args[1:]:
        for path in sorted(Path(directory).rglob("*")):
            if path.suffix in (".yaml", ".yml") and path.is_file():
                texts.append((str(path), path.read_text(encoding="utf-8", errors="surrogateescape")))
    differences = 0
    for name, text in texts:
        for tags in ("none",) if len(text) > 1_000_000 else ("none", "cloudformation", "gitlab"):
            nyaml.Builder = old_builder  # type: ignore[misc]
            old = outcome(text, tags)
            nyaml.Builder = new_builder  # type: ignore[misc]
            new = outcome(text, tags)
            if old != new:
                differences += 1
                print(f"DIFFERENT: {name} ({tags})\n  old: {str(old)[:300]}\n  new: {str(new)[:300]}")
    print(f"{len(texts)} streams x 3 tag tables: {differences} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.setrecursionlimit(20_000)  # trees 500 levels deep, canon recursing twice per level
    threading.stack_size(512 * 1024 * 1024)
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main()))
    worker.start()
    worker.join()
    sys.exit(result[0] if result else 2)
