"""JSON Schema validation of our own data (rule catalogue, config), cached by content.

Importing jsonschema costs ~80 ms, more than a whole pre-commit run should, so a document that
validated once is remembered by the hash of (schema, document) in the user cache (`store`: a
private directory, turned off by `--no-cache`).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any


class SchemaError(ValueError):
    """A document does not match its schema; the message is one sentence for the user."""


@cache
def schema_text(name: str) -> str:
    return (Path(__file__).parent / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")


def validate(instance: Any, name: str, what: str) -> None:
    """Raise SchemaError naming `what` and the first problem if `instance` breaks schema `name`."""
    from nhilint import store

    # a non-JSON value (a YAML date) must not hash like its string form, which the schema may accept
    document = json.dumps(instance, sort_keys=True, default=lambda o: {"$non-json": repr(o)})
    digest = hashlib.sha256((schema_text(name) + "\0" + document).encode()).hexdigest()
    if store.load(digest, "valid") is True:
        return
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(schema_text(name)))
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise SchemaError(f"{what}: {_problem(error)}" + (f" (at {where})" if where else ""))
    store.store(digest, True, "valid")


def _problem(error: Any) -> str:
    """What is wrong, without quoting the value: the document may be a file the scanned repository
    links to (a token), and the message goes to a public CI log."""
    rule, expected = error.validator, error.validator_value
    if rule == "type":
        return f"must be of type {' or '.join(expected) if isinstance(expected, list) else expected}"
    if rule == "enum":
        return "must be one of " + ", ".join(str(v) for v in expected)
    if rule == "pattern":
        return f"must match {expected}"
    if rule == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        unknown = sorted(str(k) for k in error.instance if k not in known)
        names = ", ".join(repr(k[:40]) for k in unknown[:3])
        import difflib  # only a broken configuration pays for it

        guesses = [
            g for k in unknown[:3] for g in difflib.get_close_matches(k.replace("_", "-").lower(), known, 1)
        ]
        hint = f"; did you mean {', '.join(map(repr, guesses))}?" if guesses else ""  # scan_plans, failOn
        return (f"unknown key {names}" if names else "unknown key") + hint
    if rule == "required":
        return error.message  # names only the schema's own keys
    return f"does not satisfy `{rule}: {expected}`"
