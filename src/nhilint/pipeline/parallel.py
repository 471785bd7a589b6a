"""Extraction on several cores (`scan --jobs N`): units go to worker processes, facts come back in order.

A unit's facts depend only on its own files and the side files it reads, so units are extracted
independently and collected in the units' order: the facts, hence every report, are the same as
a one-process scan's. Rules, suppressions and reporting stay in the calling process.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Iterator

from nhilint import cache
from nhilint.formats import Extraction, SourceFile

AUTO_FILES = 300  # below this many files, starting workers costs more than it saves
Extract = Callable[[list[SourceFile], bool], Extraction]


def cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_jobs(files: int) -> int:
    """`--jobs` when not given: every core for a big scan, one process otherwise."""
    return cores() if files > AUTO_FILES else 1


def extract_all(
    units: list[list[SourceFile]], use_cache: bool, jobs: int, extract: Extract
) -> Iterator[Extraction]:
    """Each unit's extraction, in the order of `units`, computed by up to `jobs` processes."""
    jobs = min(jobs, len(units))
    if jobs <= 1:
        yield from (extract(unit, use_cache) for unit in units)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers start with every module and the configuration already loaded (elsewhere the
    # platform's default, which imports them again)
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    use_cache = cache.enabled(use_cache)  # --no-cache holds in the workers too
    if use_cache:
        cache.directory()  # checked once here, so a refused cache is one note, not one per worker
    work = [(extract, unit, use_cache) for unit in units]
    chunk = max(1, len(units) // (jobs * 8))
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        for unit, data in zip(units, pool.map(_extract_pickled, work, chunksize=chunk), strict=True):
            # a worker that could not send its result back (a value nested too deep to pickle) is
            # redone here, as a one-process scan would have done it
            yield pickle.loads(data) if data is not None else extract(unit, use_cache)


def _extract_pickled(job: tuple[Extract, list[SourceFile], bool]) -> bytes | None:
    """In a worker: the unit's extraction, pickled here so that failing to pickle it is not fatal."""
    extract, unit, use_cache = job
    try:
        result = extract(unit, use_cache)
    except Exception:  # NHILINT_DEBUG lets errors through: the calling process raises it again
        return None
    try:
        return pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
    except (RecursionError, pickle.PicklingError, TypeError, AttributeError):
        return None
