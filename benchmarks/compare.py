"""CPU time of two builds of nhilint side by side, runs interleaved so both meet the same load.

    git worktree add --detach /tmp/nhilint-base HEAD~1
    cp src/nhilint/_version.py /tmp/nhilint-base/src/nhilint/   # as an editable install has it
    .venv/bin/python benchmarks/compare.py --base /tmp/nhilint-base/src [--runs 7]

Each build is `python -m nhilint` with `PYTHONPATH` at its `src/` (bytecode written, as an install
has it). The cases: one Terraform file and one workflow of the 10-file corpus, warm and cold, and
the pre-commit hook's command (`scan --context . -- FILE`, one Terraform file staged in a
`--precommit`-file corpus, warm). cold: a fresh, empty `XDG_CACHE_HOME` per run; warm: one cache
directory per build, filled by two untimed runs. Each row: the median (min / max) CPU time (user +
system of the process and its workers, `os.wait4`) of `--runs` runs per build, in milliseconds. On
a shared machine compare the two columns of one row, never rows of different runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_corpus import generate  # noqa: E402

HERE = Path(__file__).resolve().parent.parent / "src"


def cpu_ms(src: Path, args: list[str], cache_home: str, cwd: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(src), "XDG_CACHE_HOME": cache_home}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("NHILINT_NO_CACHE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nhilint", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, _, usage = os.wait4(proc.pid, 0)
    return (usage.ru_utime + usage.ru_stime) * 1000


def compare(
    builds: dict[str, Path], args: list[str], cwd: Path, runs: int, cold: bool
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in builds}
    with tempfile.TemporaryDirectory(prefix="nhilint-compare-") as tmp:
        warm = {name: tempfile.mkdtemp(dir=tmp) for name in builds}
        for name, src in builds.items():  # .pyc files and the warm cache, untimed
            cpu_ms(src, args, warm[name], cwd)
            cpu_ms(src, args, warm[name], cwd)
        for _ in range(runs):
            for name, src in builds.items():
                home = tempfile.mkdtemp(dir=tmp) if cold else warm[name]
                times[name].append(cpu_ms(src, args, home, cwd))
                if cold:
                    shutil.rmtree(home)
    return times


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):,.0f} ({min(values):,.0f} / {max(values):,.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--base", type=Path, required=True, help="the `src/` of the build to compare with")
    parser.add_argument("--new", type=Path, default=HERE, help="the `src/` of the other build (this one)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--precommit", type=int, default=2000, help="pre-commit repository size (0: skip)")
    args = parser.parse_args()
    builds = {"base": args.base.resolve(), "new": args.new.resolve()}
    scan = ["scan", "--format", "json", "--exit-zero"]
    print("| case | base: CPU ms | new: CPU ms |")
    print("|---|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="nhilint-compare-corpus-") as tmp:
        single = Path(tmp) / "single"
        generate(single, 10)
        for label, target in (
            ("one Terraform file", next(single.rglob("iam.tf"))),
            ("one workflow", next(single.rglob("deploy-*.yml"))),
        ):
            for mode in ("warm", "cold"):
                times = compare(builds, [*scan, str(target)], single, args.runs, mode == "cold")
                print(f"| {label}, {mode} | {cell(times['base'])} | {cell(times['new'])} |", flush=True)
        if args.precommit:
            repo = Path(tmp) / "precommit"
            generate(repo, args.precommit)
            staged = min(str(p.relative_to(repo)) for p in repo.rglob("*.tf"))
            hook = [*scan, "--context", ".", "--", staged]
            times = compare(builds, hook, repo, args.runs, cold=False)
            what = f"pre-commit, 1 staged of {args.precommit:,}, warm"
            print(f"| {what} | {cell(times['base'])} | {cell(times['new'])} |", flush=True)


if __name__ == "__main__":
    main()
