"""Time nhilint and checkov on the same synthetic corpus; measure nhilint's single-file latency.

    python benchmarks/run.py --sizes 100,1000,5000 [--no-checkov] [--checkov-max-files 5000]

Each tool runs as a fresh process (what a user or CI pays): wall time from spawn to exit, and the
peak RSS of that process from `os.wait4`. checkov lives in its own venv, `benchmarks/.venv-checkov`
(created on first use with `pip install checkov`) because its `bc-python-hcl2` fork installs the same
`hcl2` package as python-hcl2 in ours. It runs only its identity-related checks (`CHECKOV_CHECKS`).
See docs/performance.md for the method and the recorded figures.
"""

from __future__ import annotations

import argparse
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

HERE = Path(__file__).resolve().parent
CHECKOV_VENV = HERE / ".venv-checkov"
NHILINT = Path(sys.executable).parent / "nhilint"
COLD = {"NHILINT_NO_CACHE": "1"}  # the facts cache would turn a re-scan of the same files into a lookup
CHECKOV_FRAMEWORKS = "terraform,cloudformation,kubernetes,github_actions"
# checkov's checks about machine identities: IAM policies/roles/users/keys, hardcoded provider and
# Lambda credentials, GCP service-account roles, Kubernetes service accounts and RBAC, GHA token.
CHECKOV_CHECKS = ",".join(
    [
        f"CKV_AWS_{n}"
        for n in (
            1,
            40,
            41,
            45,
            60,
            61,
            62,
            63,
            107,
            108,
            109,
            110,
            111,
            273,
            274,
            286,
            287,
            288,
            289,
            290,
            348,
            355,
            356,
            358,
        )
    ]
    + [f"CKV_GCP_{n}" for n in (41, 42, 44, 45, 46, 49, 117, 118)]
    + [f"CKV_K8S_{n}" for n in (38, 41, 42, 49, 155, 156, 157, 158)]
    + [f"CKV2_K8S_{n}" for n in (1, 2, 3, 5)]
    + ["CKV2_GHA_1"]
)


@dataclass
class Run:
    files: int
    tool: str
    wall: float
    rss_mb: float
    returncode: int

    @property
    def rate(self) -> float:
        return self.files / self.wall if self.wall else 0.0


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit code of one child process, output discarded."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode  # ru_maxrss is in KiB on Linux


def ensure_checkov() -> Path:
    checkov = CHECKOV_VENV / "bin" / "checkov"
    if not checkov.exists():
        print(f"creating {CHECKOV_VENV} (pip install checkov) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        subprocess.run([str(CHECKOV_VENV / "bin" / "pip"), "install", "-q", "checkov"], check=True)
    return checkov


def nhilint_cmd(target: Path) -> list[str]:
    return [str(NHILINT), "scan", str(target), "--format", "json", "--exit-zero"]


def checkov_cmd(checkov: Path, target: Path) -> list[str]:
    return [
        str(checkov),
        "-d",
        str(target),
        "--framework",
        *CHECKOV_FRAMEWORKS.split(","),
        "--check",
        CHECKOV_CHECKS,
        "--quiet",
        "--compact",
        "-o",
        "json",
        "--skip-download",
    ]


def best(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float, int]:
    """The fastest of `runs` runs: on a shared machine the minimum is the least disturbed figure."""
    return min((timed(cmd, env) for _ in range(runs)), key=lambda r: r[0])


def bench_size(size: int, corpus: Path, checkov: Path | None, runs: int) -> list[Run]:
    """nhilint cold (no facts cache), nhilint warm (its cache filled by a first run), then checkov."""
    target = corpus / f"corpus-{size}"
    files = generate(target, size)
    results = [Run(files, "nhilint", *best(nhilint_cmd(target), COLD, runs))]
    with tempfile.TemporaryDirectory() as cache_home:
        warm = {"XDG_CACHE_HOME": cache_home}
        timed(nhilint_cmd(target), warm)
        results.append(Run(files, "nhilint warm", *best(nhilint_cmd(target), warm, runs)))
    if checkov is not None:
        results.append(Run(files, "checkov", *timed(checkov_cmd(checkov, target))))  # minutes: once
    return results


def latency(args: list[str], repeat: int) -> float:
    """Median wall milliseconds of `nhilint ARGS` over `repeat` runs (after one warm-up)."""
    timed([str(NHILINT), *args])  # warm the page cache and .pyc files
    return statistics.median(timed([str(NHILINT), *args], COLD)[0] for _ in range(repeat)) * 1000


def print_table(runs: list[Run]) -> None:
    print(f"{'files':>7}  {'tool':<12}  {'wall s':>8}  {'files/s':>9}  {'peak RSS MB':>11}  {'ratio':>6}")
    nhilint_wall = {r.files: r.wall for r in runs if r.tool == "nhilint"}
    for r in runs:
        ratio = f"{r.wall / nhilint_wall[r.files]:.1f}x"
        flag = "" if r.returncode in (0, 1) else f"  (exit {r.returncode})"
        print(
            f"{r.files:>7}  {r.tool:<12}  {r.wall:>8.2f}  {r.rate:>9.0f}  {r.rss_mb:>11.0f}  {ratio:>6}{flag}"
        )


def print_latency(corpus: Path, repeat: int) -> None:
    one = corpus / "single"
    generate(one, 10)
    tf = next(one.rglob("iam.tf"))
    workflow = next(one.rglob("deploy-*.yml"))
    print(f"\nsingle-file latency (median of {repeat} runs):")
    for label, args in (
        ("nhilint --version", ["--version"]),
        ("nhilint scan iam.tf", ["scan", str(tf), "--exit-zero"]),
        ("nhilint scan workflow.yml", ["scan", str(workflow), "--exit-zero"]),
    ):
        print(f"  {label:<28} {latency(args, repeat):6.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="comma-separated corpus sizes (files)")
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "nhilint-bench")
    parser.add_argument("--no-checkov", action="store_true", help="time nhilint only")
    parser.add_argument(
        "--checkov-max-files",
        type=int,
        default=5000,
        help="skip checkov above this size (it takes many minutes); extrapolate instead",
    )
    parser.add_argument("--runs", type=int, default=3, help="nhilint runs per size; the fastest counts")
    parser.add_argument("--repeat", type=int, default=15, help="runs per single-file latency figure")
    args = parser.parse_args()
    checkov = None if args.no_checkov else ensure_checkov()
    runs: list[Run] = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"corpus of {size} files ...", file=sys.stderr)
        with_checkov = checkov if size <= args.checkov_max_files else None
        runs += bench_size(size, args.corpus, with_checkov, args.runs)
    print_table(runs)
    print_latency(args.corpus, args.repeat)


if __name__ == "__main__":
    main()
