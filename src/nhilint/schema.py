"""JSON Schema validation of our own data (rule catalogue, config), cached by content.

Importing jsonschema costs ~80 ms, more than a whole pre-commit run should, so a document that
validated once is remembered by the hash of (schema, document) in the user cache directory.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from nhilint import __version__


class SchemaError(ValueError):
    """A document does not match its schema; the message is one sentence for the user."""


@cache
def schema_text(name: str) -> str:
    return (Path(__file__).parent / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nhilint" / __version__


def validate(instance: Any, name: str, what: str) -> None:
    """Raise SchemaError naming `what` and the first problem if `instance` breaks schema `name`."""
    digest = hashlib.sha256(
        (schema_text(name) + json.dumps(instance, sort_keys=True, default=str)).encode()
    ).hexdigest()
    marker = cache_dir() / "valid" / digest
    if marker.exists():
        return
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(schema_text(name)))
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise SchemaError(f"{what}: {error.message}" + (f" (at {where})" if where else ""))
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass  # a read-only home only costs the validation next time
