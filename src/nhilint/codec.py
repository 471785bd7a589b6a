"""A data-only JSON codec for cache entries: our own structs (`msgspec.Struct`), tagged by class name.

Decoding never runs code from the input: it builds only JSON values and instances of the classes
the caller names (a closed registry), each field checked against its type hint, so a planted or
corrupted entry can at worst be a miss. Only exact types round-trip (a dict subclass such as the
parser's `LMap` is refused, not flattened), so a decoded value equals the encoded one.
"""

from __future__ import annotations

import json
import types as pytypes
import typing
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from msgspec import Struct

_SCALARS = (str, int, float, bool, type(None))


class Unencodable(TypeError):
    """A value holds something the codec does not carry: the caller stores nothing."""


def dumps(value: Any) -> bytes:
    # ensure_ascii keeps lone surrogates (an HCL "\uD800" escape) as escapes that load back as is
    return json.dumps(_encode(value), ensure_ascii=True, separators=(",", ":")).encode("ascii")


def loads(data: bytes, types: Iterable[type]) -> Any:
    """The value in `data`; ValueError when it is not a valid encoding of `types` and JSON values."""
    registry = {cls.__name__: cls for cls in types}
    try:
        return _decode(json.loads(data), registry)
    except (TypeError, KeyError, AttributeError, NameError, RecursionError) as exc:
        raise ValueError(f"not a cache entry: {type(exc).__name__}") from None


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_encode(v) for v in value]
    if kind is tuple:
        return {"$tuple": [_encode(v) for v in value]}
    if kind is dict:
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, Struct):
        fields = {name: _encode(getattr(value, name)) for name in value.__struct_fields__}
        return {"$type": kind.__name__, "fields": fields}
    raise Unencodable(kind.__name__)


def _decode(value: Any, registry: dict[str, type]) -> Any:
    if type(value) is list:
        return [v if type(v) in _SCALARS else _decode(v, registry) for v in value]
    if type(value) is not dict:
        return value
    if "$tuple" in value:
        return tuple(_decode(v, registry) for v in value["$tuple"])
    if "$dict" in value:
        return {_decode(k, registry): _decode(v, registry) for k, v in value["$dict"]}
    cls = registry[value["$type"]]  # KeyError: not one of ours
    checks = _field_checkers(cls)
    fields = {}
    for name, raw in value["fields"].items():
        field_value = raw if type(raw) in _SCALARS else _decode(raw, registry)
        if not checks[name](field_value):  # KeyError: no such field
            raise TypeError(f"{cls.__name__}.{name}")
        fields[name] = field_value
    return cls(**fields)


@cache
def _field_checkers(cls: type) -> dict[str, Callable[[Any], bool]]:
    """The type test of each field of `cls`, looked up once per class: hashing a hint such as
    `list[str]` on every field of every value cost a tenth of a warm pre-commit run."""
    return {name: _checker(hint) for name, hint in typing.get_type_hints(cls).items()}


@cache
def _checker(hint: Any) -> Callable[[Any], bool]:
    """A test for values of type `hint`, built once per hint (entries hold thousands of values)."""
    if hint is str or hint is bool or hint is int:
        return lambda value: type(value) is hint
    if hint is Any:
        return lambda value: True
    if hint is float:
        return lambda value: type(value) in (int, float)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, pytypes.UnionType):
        if len(args) == 2 and type(None) in args:  # `X | None`, the common case
            test = _checker(next(arg for arg in args if arg is not type(None)))
            return lambda value: value is None or test(value)
        tests = [_checker(arg) for arg in args]
        return lambda value: any(test(value) for test in tests)
    if origin is list:
        item = _checker(args[0])
        return lambda value: type(value) is list and all(map(item, value))
    if origin is dict:
        key, val = _checker(args[0]), _checker(args[1])
        return lambda value: type(value) is dict and all(key(k) and val(v) for k, v in value.items())
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _checker(args[0])
        return lambda value: type(value) is tuple and all(map(item, value))
    if origin is tuple:
        tests = [_checker(arg) for arg in args]
        return lambda value: (
            type(value) is tuple
            and len(value) == len(tests)
            and all(t(v) for t, v in zip(tests, value, strict=True))
        )
    if hint is type(None):
        return lambda value: value is None
    return lambda value: isinstance(hint, type) and isinstance(value, hint)
