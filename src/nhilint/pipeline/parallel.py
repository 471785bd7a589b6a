"""Extraction on several cores (`scan --jobs N`): units go to worker processes, facts come back in order.

A unit's facts depend only on its own files and the side files it reads, so units are extracted
independently and collected in the units' order: the facts, hence every report, are the same as
a one-process scan's. Rules, suppressions and reporting stay in the calling process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator

from nhilint import cache, store
from nhilint.formats import Extraction, SourceFile

AUTO_UNITS = 300  # below this many units to extract, starting workers costs more than it saves
Extract = Callable[[list[SourceFile], bool], Extraction]


def cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_jobs(to_extract: int) -> int:
    """`--jobs` when not given: every core when many units are to be extracted, one process otherwise."""
    return cores() if to_extract > AUTO_UNITS else 1


def stored(units: list[list[SourceFile]], use_cache: bool) -> list[bool]:
    """For each unit, whether the cache holds an entry for it (which may still turn out a miss)."""
    if not cache.enabled(use_cache):
        return [False] * len(units)
    return store.present([cache.key(unit) for unit in units], "facts")


def extract_all(
    units: list[list[SourceFile]], use_cache: bool, jobs: int | None, extract: Extract
) -> Iterator[Extraction]:
    """Each unit's extraction, in the order of `units`. The units the cache holds are decoded here
    (sending a decoded entry back from a worker costs more than decoding it); the others are
    extracted by up to `jobs` processes (None: every core when more than `AUTO_UNITS` of them)."""
    if not units:
        return  # nothing to read: the cache is neither created nor checked (no note about it)
    use_cache = cache.enabled(use_cache)  # --no-cache holds in the workers too
    if use_cache:
        cache.directory()  # checked once here, so a refused cache is one note, not one per worker
    one = jobs == 1 or (jobs is None and cores() == 1)  # nothing to choose: no entry is looked for
    hits = [False] * len(units) if one else stored(units, use_cache)
    misses = [unit for unit, hit in zip(units, hits, strict=True) if not hit]
    jobs = min(auto_jobs(len(misses)) if jobs is None else jobs, len(misses))
    if jobs <= 1:
        yield from (extract(unit, use_cache) for unit in units)
        return
    import multiprocessing
    import pickle  # here, not at the top: a one-process scan never needs it
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers start with every module and the configuration already loaded (elsewhere the
    # platform's default, which imports them again)
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    work = [(extract, unit, use_cache) for unit in misses]
    chunk = max(1, len(misses) // (jobs * 8))
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        extracted = pool.map(_extract_pickled, work, chunksize=chunk)
        for unit, hit in zip(units, hits, strict=True):
            if hit:  # decoded here while the workers extract
                yield extract(unit, use_cache)
                continue
            data = next(extracted)
            # a worker that could not send its result back (a value nested too deep to pickle) is
            # redone here, as a one-process scan would have done it
            yield pickle.loads(data) if data is not None else extract(unit, use_cache)


def _extract_pickled(job: tuple[Extract, list[SourceFile], bool]) -> bytes | None:
    """In a worker: the unit's extraction, pickled here so that failing to pickle it is not fatal."""
    import pickle

    extract, unit, use_cache = job
    try:
        result = extract(unit, use_cache)
    except Exception:  # NHILINT_DEBUG lets errors through: the calling process raises it again
        return None
    try:
        return pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
    except (RecursionError, pickle.PicklingError, TypeError, AttributeError):
        return None
