"""The facts cache: extracted facts by content hash (a rescan re-reads only changed files), kept in
the private on-disk store (`store`: JSON decoded into a closed set of classes, a private directory,
atomic writes, capped).

* a facts entry is keyed by the unit's files and the code stamp of the modules that extract facts;
* it records every side file the unit read (`file("policy.json")`) and is a miss when one of them
  changed;
* a unit whose facts hold a secret (what a detector flags, or a literal under a credential name)
  is never stored: the cache holds no credential values.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Iterator
from functools import lru_cache, reduce
from pathlib import Path
from types import GenericAlias
from typing import Any

from msgspec import Struct

from nhilint import __version__
from nhilint.codec import Unencodable
from nhilint.formats import Extraction, Problem, SideRead, Skipped, SourceFile, side_path, side_state
from nhilint.store import cache_dir, directory, disabled, enabled, entry_path, evict, load, store

# The store's API, used here and by the scan through this module.
__all__ = ["cache_dir", "directory", "disabled", "enabled", "entry_path", "evict", "load", "store"]

# The code that decides what facts a file yields: an edited extractor (an editable install keeps
# its version) must not be answered from entries the old code wrote.
_CODE = ("facts.py", "knowledge", "formats", "parse")
# How a facts entry is written (`_entry_codec`): a new layout gets new keys, so no old entry is misread.
ENTRY_FORMAT = "msgspec-json/1"


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """Path, size and mtime of every module that extracts facts: cheap, and changes on any edit."""
    package = Path(__file__).parent
    parts = [__version__, ENTRY_FORMAT]
    for name in _CODE:
        path = package / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            info = file.stat()
            parts.append(f"{file.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def key(unit: list[SourceFile]) -> str:
    digest = hashlib.sha256(code_stamp().encode())
    for file in unit:
        for part in (file.format, file.rel, file.text):
            encoded = part.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "big"))  # length-prefixed: no two units collide
            digest.update(encoded)
    return digest.hexdigest()


# --- facts ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def fact_types() -> tuple[type, ...]:
    """The closed set of classes a facts entry may hold: the structs of `facts` and what an
    extraction holds (never a `Format`: it names a module to import)."""
    from msgspec import Struct

    from nhilint import facts
    from nhilint.formats import base

    results = (base.Extraction, base.Problem, base.Skipped, base.SideRead, base.SourceFile, base.SideText)
    return (
        *(
            cls
            for cls in vars(facts).values()
            if isinstance(cls, type) and issubclass(cls, Struct) and cls.__module__ == facts.__name__
        ),
        *results,
    )


def cached(unit: list[SourceFile], compute: Callable[[list[SourceFile]], Extraction]) -> Extraction:
    """The unit's extraction from the cache, or computed and stored."""
    digest = key(unit)
    hit = load(digest, "facts", decode=decode_entry)
    if isinstance(hit, Extraction) and _reads_unchanged(unit, hit):
        return hit
    extraction = compute(unit)
    if not extraction.internal_errors and not holds_secret(extraction):
        store(digest, extraction, "facts", encode=encode_entry)
    return extraction


@lru_cache(maxsize=1)
def _entry_codec() -> tuple[Any, Any]:
    """msgspec's JSON encoder and its typed decoder of a facts entry: the decoder builds only the
    classes of `fact_types()` (a fact by its `type` tag, one of the closed set), each field checked
    against its type in C, and JSON values (a key a fact does not have is ignored, one the
    entry does not have refused); anything else in the file is a DecodeError."""
    import msgspec

    from nhilint.facts import Fact

    one_of = reduce(operator.or_, (cls for cls in fact_types() if issubclass(cls, Fact)))  # Identity | ...
    fields = [("facts", GenericAlias(list, one_of))]
    fields += [(name, GenericAlias(list, cls)) for name, cls in _ENTRY_LISTS]
    entry = msgspec.defstruct("Entry", fields, forbid_unknown_fields=True)
    return msgspec.json.Encoder(), msgspec.json.Decoder(entry)


_ENTRY_LISTS: tuple[tuple[str, type], ...] = (
    ("problems", Problem),
    ("skipped", Skipped),
    ("reads", SideRead),
)


def encode_entry(extraction: Extraction) -> bytes:
    """The extraction as a facts entry; codec.Unencodable unless it decodes back to exactly the same
    values and types (a tuple or a dict subclass under an `Any` field would not)."""
    encoder, _ = _entry_codec()
    lists = {name: getattr(extraction, name) for name in ("facts", *(name for name, _ in _ENTRY_LISTS))}
    try:
        data: bytes = encoder.encode(lists)
        if _same(decode_entry(data), Extraction(**lists)):
            return data
    except (TypeError, ValueError):  # a lone surrogate (an HCL "\uD800" escape) is not UTF-8
        pass
    raise Unencodable("facts entry")


def decode_entry(data: bytes) -> Extraction:
    """The extraction a facts entry holds; ValueError when `data` is not one `encode_entry` wrote."""
    _, decoder = _entry_codec()
    try:
        entry = decoder.decode(data)
    except RecursionError:
        raise ValueError("not a facts entry: too deep") from None
    return Extraction(facts=entry.facts, problems=entry.problems, skipped=entry.skipped, reads=entry.reads)


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same type at every level (`1 == 1.0` and `(1,) != [1]` for a cache entry)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            _same(k, k2) and _same(a[k], b[k2]) for k, k2 in zip(a, b, strict=True)
        )
    if isinstance(a, Struct):
        return all(_same(getattr(a, name), getattr(b, name)) for name in a.__struct_fields__)
    return bool(a == b)


def _reads_unchanged(unit: list[SourceFile], extraction: Extraction) -> bool:
    """Whether every side file the unit read is as it was when the entry was written."""
    sources = {file.rel: file for file in unit}
    for read in extraction.reads:
        source = sources.get(read.source) if isinstance(read.source, str) else None
        target = side_path(source, read.name) if source is not None and isinstance(read.name, str) else None
        if target is None or side_state(target)[0] != read.state:
            return False
    return True


# What a credential-named field holds when it grants access rather than holding a secret: a workflow's
# `permissions: {id-token: write}` (the OIDC set-up nhilint recommends) must not keep it out of the cache.
ACCESS_LEVELS = frozenset({"read", "write", "none", "read-all", "write-all"})


def holds_secret(extraction: Extraction) -> bool:
    """Whether any string of the extraction is a credential: what NHI101 detects anywhere, or a
    literal under a credential name (NHI106). Such an extraction is never written to disk."""
    from nhilint.facts import EnvVar, StringValue
    from nhilint.knowledge import credential_names, secrets

    def credential(value: str, name: str) -> bool:
        if secrets.detect(value, name) is not None:
            return True
        return (
            bool(value)
            and credential_names.is_credential_name(name)
            and not credential_names.is_reference_or_placeholder(value)
        )

    for fact in extraction.facts:
        if (
            isinstance(fact, StringValue)
            and fact.value not in ACCESS_LEVELS
            and credential(fact.value, fact.key)
        ):
            return True
        if isinstance(fact, EnvVar) and credential(fact.value, fact.name):
            return True
    # a unit repeats its names, addresses and messages: each distinct string is looked at once
    return any(map(_is_secret, set(_strings([extraction.facts, extraction.problems]))))


def _detected(text: str) -> bool:
    from nhilint.knowledge import secrets

    return secrets.detect(text) is not None


_short_detected = lru_cache(maxsize=1 << 15)(_detected)


def _is_secret(text: str) -> bool:
    """Whether NHI101 would flag `text` anywhere; short strings (most of them, repeated across units:
    attribute names, resource types, actions) are remembered, so the memo holds at most ~8 MB."""
    return _short_detected(text) if len(text) <= 256 else _detected(text)


def _strings(value: Any) -> Iterator[str]:
    from msgspec import Struct

    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, Struct):
        for name in value.__struct_fields__:
            yield from _strings(getattr(value, name))
