"""Merge the results of sharded audits: combined JSON documents, or SARIF logs.

Shards split repositories, so merging audit JSON is a union of repositories (sorted by source, the
summary recomputed): the merge of every shard is byte-for-byte the unsharded audit. SARIF logs are
merged by concatenating their runs (one run per repository scan). Every input is checked first (audit
JSON against `catalogue/schemas/audit.schema.json`), so a malformed file is one sentence, never a crash.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from nhilint import audit
from nhilint.catalogue.schema import schema_text


class MergeError(Exception):
    """Inputs that cannot be merged: one sentence for the user."""


def kind_of(document: Any) -> str:
    if isinstance(document, dict) and isinstance(document.get("runs"), list):
        return "sarif"
    if isinstance(document, dict) and isinstance(document.get("repositories"), list):
        return "audit"
    raise MergeError("not an nhilint audit JSON document nor a SARIF log")


def merge_audits(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """One audit document with every repository of `documents`; a repository audited twice with
    different results is an error (shards must not overlap)."""
    repos: dict[str, dict[str, Any]] = {}
    for document in documents:
        for repo in document["repositories"]:
            seen = repos.setdefault(repo["source"], repo)
            if seen != repo:
                raise MergeError(f"repository {repo['source']} appears in two inputs with different results")
    merged = [repos[source] for source in sorted(repos)]
    return {
        "version": audit.AUDIT_VERSION,
        "tool": documents[0]["tool"] if documents else _tool(),
        "summary": audit.summary(merged),
        "repositories": merged,
    }


def merge_sarif(logs: list[dict[str, Any]]) -> dict[str, Any]:
    if not logs:
        raise MergeError("nothing to merge")
    return {
        "$schema": logs[0].get("$schema"),
        "version": logs[0].get("version", "2.1.0"),
        "runs": [run for log in logs for run in log["runs"]],
    }


def merge_files(paths: list[Path]) -> tuple[str, dict[str, Any]]:
    """The kind (`audit` or `sarif`) and merge of `paths`; a directory stands for its *.json/*.sarif."""
    files = [f for p in paths for f in (sorted(_results_in(p)) if p.is_dir() else [p])]
    if not files:
        raise MergeError("no result files to merge")
    documents = [_load(f) for f in files]
    kinds = {kind_of(d) for d in documents}
    if len(kinds) > 1:
        raise MergeError("cannot merge audit JSON with SARIF: give files of one kind")
    kind = kinds.pop()
    for path, document in zip(files, documents, strict=True):
        _check(kind, document, path)
    return kind, merge_audits(documents) if kind == "audit" else merge_sarif(documents)


def _results_in(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.suffix in (".json", ".sarif") and p.is_file()]


def _load(path: Path) -> Any:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MergeError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
        raise MergeError(f"{path} is not JSON: {reason}") from None
    try:
        kind_of(document)
    except MergeError as exc:
        raise MergeError(f"{path}: {exc}") from None
    return document


def _check(kind: str, document: dict[str, Any], path: Path) -> None:
    if kind == "sarif":
        if not all(isinstance(run, dict) for run in document["runs"]):
            raise MergeError(f"{path}: not a SARIF log: every item of `runs` must be an object")
        return
    if document.get("version") != audit.AUDIT_VERSION:
        raise MergeError(
            f"{path}: audit JSON version {document.get('version')!r} is not {audit.AUDIT_VERSION!r}"
        )
    from jsonschema.exceptions import best_match

    try:
        error = best_match(_audit_validator().iter_errors(document))
    except RecursionError:
        raise MergeError(f"{path}: not a valid nhilint audit JSON document: nested too deeply") from None
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise MergeError(
            f"{path}: not a valid nhilint audit JSON document: {error.message[:200]}"
            + (f" (at /{where})" if where else "")
        )


@cache
def _audit_validator() -> Any:
    import jsonschema
    from referencing import Registry, Resource

    schemas = [json.loads(schema_text(name)) for name in ("audit", "report")]  # audit refers to report
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )
    return jsonschema.Draft202012Validator(schemas[0], registry=registry)


def _tool() -> dict[str, str]:
    from nhilint import __version__

    return {"name": "nhilint", "version": __version__}
