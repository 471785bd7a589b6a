"""Time nhilint and checkov the same way: same runs, fresh processes, cold and warm apart.

    .venv/bin/python benchmarks/run.py [--runs 5] [--sizes 100,1000] [--no-checkov]

Every figure is measured (nothing is extrapolated) and reported as min / median / max of `--runs`
runs, the same number for every tool and every row. Each run is a fresh process (what a user or CI
pays): wall time from spawn to exit and peak RSS (`ru_maxrss` from `os.wait4`).

* cold: every run gets a fresh, empty cache directory and `XDG_CACHE_HOME` points at it (both tools),
  as on a new CI runner or a first pre-commit run: no cache of nhilint (facts, config, validation)
  survives from one cold run to the next;
* warm: one cache directory, filled by an untimed run, then `--runs` timed runs.

Before any timing, each command runs once untimed so the page cache and the installed `.pyc` files
are warm for both tools (that is part of an install, not a cache of ours).

checkov is not installed by this script: it is the pinned venv the checkov bridge test builds under
the real user cache (`$XDG_CACHE_HOME/nhilint-test/checkov-venv-*`, see tests/test_checkov_bridge.py;
its `bc-python-hcl2` clashes with `python-hcl2` in our venv), or `--checkov PATH`. Without it the
script says so and times nhilint alone. checkov runs only its identity-related checks.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_corpus import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NHILINT = Path(sys.executable).parent / "nhilint"
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")  # before we override it
CHECKOV_FRAMEWORKS = ["terraform", "cloudformation", "kubernetes", "github_actions"]
# checkov's checks about machine identities: IAM policies/roles/users/keys, hardcoded provider and
# Lambda credentials, GCP service-account roles, Kubernetes service accounts and RBAC, GHA token.
AWS = (1, 40, 41, 45, 60, 61, 62, 63, 107, 108, 109, 110, 111, 273, 274, 286, 287, 288, 289, 290, 348, 355)
CHECKOV_CHECKS = ",".join(
    [f"CKV_AWS_{n}" for n in (*AWS, 356, 358)]
    + [f"CKV_GCP_{n}" for n in (41, 42, 44, 45, 46, 49, 117, 118)]
    + [f"CKV_K8S_{n}" for n in (38, 41, 42, 49, 155, 156, 157, 158)]
    + [f"CKV2_K8S_{n}" for n in (1, 2, 3, 5)]
    + ["CKV2_GHA_1"]
)


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # seconds of user + system time: steadier than wall time on a loaded machine
    rss_mb: float
    returncode: int


@dataclass
class Row:
    what: str
    tool: str
    mode: str  # cold | warm
    samples: list[Sample]
    files: int = 1

    def walls(self) -> list[float]:
        return sorted(s.wall for s in self.samples)

    def cells(self, scale: float) -> str:
        """min | median | max wall time, then the median CPU time, in seconds times `scale`."""
        w, digits = self.walls(), 0 if scale > 1 else 2
        cpu = statistics.median(s.cpu for s in self.samples)
        return " | ".join(f"{v * scale:,.{digits}f}" for v in (w[0], statistics.median(w), w[-1], cpu))

    @property
    def rss(self) -> float:
        return statistics.median(s.rss_mb for s in self.samples)

    @property
    def failed(self) -> list[int]:
        """Exit codes that mean the run did not do its job (checkov exits 1 when a check fails;
        nhilint runs with --exit-zero), so the row is not a measurement of the work."""
        ok = (0, 1) if self.tool == "checkov" else (0,)
        return sorted({s.returncode for s in self.samples if s.returncode not in ok})


def timed(cmd: list[str], cache_home: Path) -> Sample:
    """One child process, output discarded, its cache under `cache_home`."""
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(cache_home)}
    env.pop("NHILINT_NO_CACHE", None)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(wall, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))  # KiB on Linux


@contextmanager
def fresh_cache() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as home:
        yield Path(home)


def cold(cmd: list[str], runs: int) -> list[Sample]:
    """`runs` runs, each with a new, empty cache directory."""
    samples = []
    for _ in range(runs):
        with fresh_cache() as home:
            samples.append(timed(cmd, home))
    return samples


def warm(cmd: list[str], runs: int) -> list[Sample]:
    """One untimed run fills a cache directory, then `runs` timed runs reuse it."""
    with fresh_cache() as home:
        timed(cmd, home)
        return [timed(cmd, home) for _ in range(runs)]


def find_checkov(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit if explicit.exists() else None
    pins = hashlib.sha256((ROOT / "constraints" / "checkov.txt").read_bytes()).hexdigest()[:12]
    pinned = USER_CACHE / "nhilint-test" / f"checkov-venv-{pins}" / "bin" / "checkov"
    if pinned.exists():
        return pinned
    return next(iter(sorted((USER_CACHE / "nhilint-test").glob("checkov-venv*/bin/checkov"))), None)


def checkov_version(checkov: Path) -> str:
    done = subprocess.run([str(checkov), "--version"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def nhilint_scan(target: Path) -> list[str]:
    return [str(NHILINT), "scan", str(target), "--format", "json", "--exit-zero"]


def checkov_cmd(checkov: Path, target: Path) -> list[str]:
    where = ["-d", str(target)] if target.is_dir() else ["-f", str(target)]
    options = ["--quiet", "--compact", "-o", "json", "--skip-download"]
    return [str(checkov), *where, "--framework", *CHECKOV_FRAMEWORKS, "--check", CHECKOV_CHECKS, *options]


def measure(
    what: str,
    commands: dict[str, list[str]],
    runs: int,
    files: int = 1,
    modes: tuple[str, ...] = ("cold", "warm"),
) -> list[Row]:
    rows = []
    for tool, cmd in commands.items():
        with fresh_cache() as home:
            timed(cmd, home)  # page cache and .pyc files, untimed
        run: dict[str, Callable[[list[str], int], list[Sample]]] = {"cold": cold, "warm": warm}
        for mode in modes:
            print(f"  {what}: {tool} {mode} x{runs} ...", file=sys.stderr)
            rows.append(Row(what, tool, mode, run[mode](cmd, runs), files))
    return rows


def single_file_rows(corpus: Path, checkov: Path | None, runs: int) -> list[Row]:
    """`--version`, one Terraform file, one workflow (no configuration file above either), and one
    workflow beside a configuration file (which a cold run validates with jsonschema)."""
    one = corpus / "single"
    generate(one, 10)
    tf = next(one.rglob("iam.tf"))
    workflow = next(one.rglob("deploy-*.yml"))
    configured = corpus / "configured" / workflow.name  # a configuration file is validated cold
    configured.parent.mkdir(parents=True, exist_ok=True)
    configured.write_bytes(workflow.read_bytes())
    (configured.parent / ".nhilint.yaml").write_text("fail-on: error\nignore: [NHI304]\n")
    rows = measure("`--version`", {"nhilint": [str(NHILINT), "--version"]}, runs, modes=("cold",))
    for label, target in (
        ("one Terraform file (`iam.tf`)", tf),
        ("one workflow", workflow),
        ("one workflow + `.nhilint.yaml`", configured),
    ):
        commands = {"nhilint": nhilint_scan(target)}
        if checkov is not None:
            commands["checkov"] = checkov_cmd(checkov, target)
        rows += measure(label, commands, runs)
    return rows


def bulk_rows(
    size: int, corpus: Path, checkov: Path | None, runs: int, checkov_max: int, one_process: bool
) -> list[Row]:
    target = corpus / f"corpus-{size}"
    files = generate(target, size)
    commands = {"nhilint": nhilint_scan(target)}
    if one_process and files > 300:  # above 300 files nhilint uses every core by default
        commands["nhilint --jobs 1"] = [*nhilint_scan(target), "--jobs", "1"]
    if checkov is not None and size <= checkov_max:
        commands["checkov"] = checkov_cmd(checkov, target)
    return measure(f"{files:,} files", commands, runs, files)


def print_single(rows: list[Row], runs: int) -> None:
    print(f"\nSingle file and start-up, ms (min | median | max of {runs} runs each):\n")
    print("| command | tool | mode | min | median | max | CPU median | peak RSS MB |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        flag = f" (exit {r.failed})" if r.failed else ""
        print(f"| {r.what} | {r.tool} | {r.mode} | {r.cells(1000)} | {r.rss:.0f}{flag} |")


def print_bulk(rows: list[Row], runs: int) -> None:
    print(f"\nDirectories, seconds (min | median | max of {runs} runs each):\n")
    print("| corpus | tool | mode | min | median | max | CPU median | files/s (median) | peak RSS MB |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        rate = r.files / statistics.median(r.walls())
        flag = f" (exit {r.failed})" if r.failed else ""
        print(f"| {r.what} | {r.tool} | {r.mode} | {r.cells(1)} | {rate:,.0f} | {r.rss:.0f}{flag} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per row, every tool and mode (default 5)")
    parser.add_argument("--sizes", default="100,1000", help="comma-separated corpus sizes; empty: none")
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "nhilint-bench")
    parser.add_argument("--no-checkov", action="store_true", help="time nhilint only")
    parser.add_argument("--checkov", type=Path, help="the checkov executable (default: the test venv's)")
    parser.add_argument(
        "--checkov-max-files", type=int, default=1000, help="larger corpora are timed for nhilint only"
    )
    parser.add_argument("--no-single", action="store_true", help="skip the single-file rows")
    parser.add_argument("--nhilint", type=Path, help="the nhilint executable (default: this venv's)")
    parser.add_argument(
        "--no-jobs-row", action="store_true", help="no `--jobs 1` row (for builds without --jobs)"
    )
    args = parser.parse_args()
    global NHILINT
    NHILINT = args.nhilint or NHILINT
    checkov = None if args.no_checkov else find_checkov(args.checkov)
    print(f"machine: {os.cpu_count()} CPUs, load average at start {os.getloadavg()}")
    print(f"nhilint: {NHILINT}")
    if checkov is None:
        why = (
            "--no-checkov" if args.no_checkov else f"no {USER_CACHE}/nhilint-test/checkov-venv-*/bin/checkov"
        )
        print(f"checkov: not found ({why}; tests/test_checkov_bridge.py builds it): timing nhilint only")
    else:
        print(f"checkov: {checkov} ({checkov_version(checkov)})")
    if not args.no_single:
        print_single(single_file_rows(args.corpus, checkov, args.runs), args.runs)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    bulk: list[Row] = []
    for size in sizes:
        bulk += bulk_rows(size, args.corpus, checkov, args.runs, args.checkov_max_files, not args.no_jobs_row)
    if bulk:
        print_bulk(bulk, args.runs)
        skipped = [s for s in sizes if checkov is not None and s > args.checkov_max_files]
        if skipped:
            print(f"\ncheckov not run on {skipped} files (over --checkov-max-files): not measured.")
    print(f"\nload average at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
