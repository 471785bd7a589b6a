"""extract: a unit's facts, and the error policy: what a file nhilint cannot read, or a bug of ours,
costs (that file only)."""

from __future__ import annotations

import os
from pathlib import PurePosixPath

from nhilint import cache, catalogue
from nhilint.config import Config
from nhilint.findings import Finding, InternalError
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.registry import BY_NAME
from nhilint.parse import ParseError, gc_paused


def _extract_now(unit: list[SourceFile]) -> Extraction:
    # The cyclic GC waits for the unit: its trees are freed (by reference counting) before the
    # collector would rescan them; only what survives (the facts) is looked at once afterwards.
    with gc_paused():
        return BY_NAME[unit[0].format].extract(unit)


def extract(unit: list[SourceFile], use_cache: bool = False) -> Extraction:
    """The unit's facts (from the content-hash cache when `use_cache`).

    A file nhilint cannot read is an NHI001 problem of that file; any other exception is a bug of
    ours, reported as an internal error. Either way it costs only the file that caused it: a unit of
    several files that fails is read again file by file, so its other files are still judged.
    """
    try:
        return cache.cached(unit, _extract_now) if cache.enabled(use_cache) else _extract_now(unit)
    except Exception as exc:
        if os.environ.get("NHILINT_DEBUG"):
            raise
        if len(unit) > 1:
            return _file_by_file(unit, exc)
        return _failure(unit[0], exc)


def _failure(file: SourceFile, exc: Exception) -> Extraction:
    if isinstance(exc, ParseError):  # an extractor let its parser's error through: still NHI001
        return Extraction(problems=[Problem(file.loc(exc.line, exc.col), exc.reason)])
    if isinstance(exc, RecursionError):  # input nested past what a reader of ours recurses through
        return Extraction(problems=[Problem(file.loc(1), "too deeply nested to read")])
    return Extraction(internal_errors=[InternalError.of(file.rel, exc)])


def _file_by_file(unit: list[SourceFile], unit_error: Exception) -> Extraction:
    """Each file of a failed unit alone: the broken one is named, its neighbours still judged (without
    what they would have read from each other)."""
    result = Extraction()
    own = PurePosixPath(unit[0].rel).parent
    for file in (
        f
        for f in unit
        if f is unit[0] or (BY_NAME[f.format].per_directory and PurePosixPath(f.rel).parent == own)
    ):
        try:
            result.add(_extract_now([file]))
        except Exception as exc:
            result.add(_failure(file, exc))
    if not result.problems and not result.internal_errors:  # only the files together break it
        directory = str(PurePosixPath(unit[0].rel).parent)
        result.internal_errors.append(InternalError.of(f"{directory}/", unit_error))
    return result


def problem_findings(
    problems: list[Problem], checks: dict[str, catalogue.Check], config: Config
) -> list[Finding]:
    check = checks["NHI001"]
    if not config.enabled("NHI001"):
        return []
    first: dict[str, Problem] = {}
    for problem in problems:  # later errors in a file are mostly echoes of the first
        first.setdefault(problem.loc.file, problem)
    return [
        Finding(
            rule_id=check.id,
            slug=check.slug,
            severity=config.severity.get(check.id, check.severity),
            message=f"this file could not be fully read ({p.reason}); only what was read is checked.",
            loc=p.loc,
            suggestion=check.suggestion(),
        )
        for p in first.values()
    ]
