"""Bulk throughput and peak memory of cold scans, and the pre-commit case, through the real CLI.

    .venv/bin/python benchmarks/bulk.py [--repos DIR] [--files 20000] [--precommit 2000] [--runs 3]

* `--repos DIR`: every subdirectory of DIR is a repository; each is scanned cold (a fresh, empty
  `XDG_CACHE_HOME`) as `nhilint scan REPO --format json --exit-zero` (`--jobs` default: every core
  above 300 files), then all of them in one run (`nhilint scan REPO1 REPO2 ...`).
* `--files N`: the synthetic corpus of `generate_corpus.py` (seed 7), N files, scanned cold.
* `--precommit N`: the pre-commit hook's command, `nhilint scan --context . -- FILE`, run in the
  root of an N-file synthetic corpus for one Terraform file, cold, then warm (the cache filled by
  an untimed run).

Each row: files read (the report's `files_scanned`), min / median / max wall time of `--runs` runs,
the median CPU time (user + system of the process and its workers, `os.wait4`), files/s (median
wall), and the median peak RSS of the biggest single process (`ru_maxrss`: the main process or one
worker, not their sum). Nothing is extrapolated.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_corpus import generate  # noqa: E402

NHILINT = Path(sys.executable).parent / "nhilint"


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    files: int


def timed(cmd: list[str], cache_home: Path, cwd: Path | None = None) -> Sample:
    """One run; the JSON report goes to a file so its `files_scanned` can be read."""
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(cache_home)}
    env.pop("NHILINT_NO_CACHE", None)
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(cmd)}: exit {os.waitstatus_to_exitcode(status)}")
        out.seek(0)
        files = json.load(out)["summary"]["files_scanned"]
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, files)


def cold(cmd: list[str], runs: int, cwd: Path | None = None) -> list[Sample]:
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-cache-") as home:
            samples.append(timed(cmd, Path(home), cwd))
    return samples


def warm(cmd: list[str], runs: int, cwd: Path | None = None) -> list[Sample]:
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as home:
        timed(cmd, Path(home), cwd)
        return [timed(cmd, Path(home), cwd) for _ in range(runs)]


def row(what: str, samples: list[Sample]) -> str:
    walls = sorted(s.wall for s in samples)
    median = statistics.median(walls)
    cpu = statistics.median(s.cpu for s in samples)
    rss = statistics.median(s.rss_mb for s in samples)
    files = samples[0].files
    cells = [f"{files:,}", f"{walls[0]:.2f}", f"{median:.2f}", f"{walls[-1]:.2f}", f"{cpu:.2f}"]
    return f"| {what} | " + " | ".join([*cells, f"{files / median:,.0f}", f"{rss:.0f}"]) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=Path, help="a directory whose subdirectories are repositories")
    parser.add_argument("--files", type=int, default=0, help="size of a synthetic corpus to scan cold")
    parser.add_argument("--precommit", type=int, default=0, help="size of the pre-commit repository")
    parser.add_argument("--runs", type=int, default=3, help="runs per row (default 3)")
    parser.add_argument("--nhilint", type=Path, default=NHILINT, help="the nhilint executable")
    parser.add_argument("--jobs", help="pass --jobs to every scan (default: nhilint's own default)")
    args = parser.parse_args()
    scan = [str(args.nhilint), "scan", "--format", "json", "--exit-zero"]
    if args.jobs:
        scan += ["--jobs", args.jobs]
    print("| target | files | min s | median s | max s | CPU s (median) | files/s (median) | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    if args.repos:
        repos = sorted(p for p in args.repos.iterdir() if p.is_dir())
        for repo in repos:
            print(row(f"`{repo.name}`", cold([*scan, str(repo)], args.runs)), flush=True)
        print(row(f"all {len(repos)} in one run", cold([*scan, *map(str, repos)], args.runs)), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        if args.files:
            corpus = Path(tmp) / "bulk"
            generate(corpus, args.files)
            print(row(f"synthetic, {args.files:,} files", cold([*scan, str(corpus)], args.runs)), flush=True)
        if args.precommit:
            corpus = Path(tmp) / "precommit"
            generate(corpus, args.precommit)
            staged = min(str(p.relative_to(corpus)) for p in corpus.rglob("*.tf"))
            hook = [*scan, "--context", ".", "--", staged]
            what = f"pre-commit, 1 staged file of {args.precommit:,}"
            print(row(f"{what}, cold", cold(hook, args.runs, corpus)), flush=True)
            print(row(f"{what}, warm", warm(hook, args.runs, corpus)), flush=True)


if __name__ == "__main__":
    main()
