"""YAML 1.2 core-schema scalars (what an untagged or `!!`-tagged scalar is) and the tag tables (what
a local tag such as CloudFormation's `!Ref` becomes): the rules `nhilint.parse.yaml` reads by."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from nhilint.parse import ParseError
from nhilint.parse.tree import LMap, LSeq, Pos, Tagged
from nhilint.quote import redact_snippet

STD = "tag:yaml.org,2002:"


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
PLAIN_CONSTANTS, NUMBER_START = _CONSTANTS, _NUMBER_START  # for the builder's inlined common case
_CORE_START = "-+.0123456789tTfF"  # first characters of a bool, int or float
MAYBE_TYPED = frozenset(_CORE_START + "~nN<")  # ... or of a null or a merge key
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


def std_scalar(name: str, raw: str, pos: Pos) -> Any:
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


def short_tag(tag: str) -> str:
    return "!!" + tag[len(STD) :] if tag.startswith(STD) else tag


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


@functools.cache
def plain_loader(base: type) -> Any:
    """A PyYAML loader class (derived from `base`) with the same 1.2 core scalars as `parse_yaml`
    (no positions)."""
    import yaml

    class PlainLoader(base):  # type: ignore[misc,valid-type]
        pass

    dropped = {STD + name for name in ("bool", "int", "float", "timestamp", "value")}
    PlainLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in dropped]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    # One resolver tag for every 1.2 core bool/int/float; its constructor is resolve_plain.
    words = [re.escape(word) for word in _CONSTANTS if word[:1] in _CORE_START]  # true, .inf, ...
    pattern = "|".join([_INT.pattern, _FLOAT.pattern, _HEX.pattern, _OCT.pattern, *words])
    PlainLoader.add_implicit_resolver(STD + "core", re.compile(f"(?:{pattern})$"), list(_CORE_START))
    PlainLoader.add_constructor(STD + "core", lambda loader, node: resolve_plain(node.value))
    # a plain `<<` that is not a mapping key is just a string, as in parse_yaml
    PlainLoader.add_constructor(STD + "merge", yaml.SafeLoader.construct_yaml_str)
    return PlainLoader
