"""Cold and warm latency of a one-file scan (the pre-commit case), through the real CLI.

    .venv/bin/python benchmarks/cache_timing.py [--repeat 15] [FILE]

cold: a fresh, empty cache directory per run (nothing cached: config, catalogue, facts);
warm: the same cache directory after one filling run; no-cache: `--no-cache`.
Prints the median and the minimum of each, in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "fixtures" / "insecure" / "terraform" / "aws" / "main.tf"


def run(file: Path, cache: Path, *extra: str) -> float:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}
    env.pop("NHILINT_NO_CACHE", None)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", str(file), "--format", "json", "--exit-zero", *extra],
        env=env,
        cwd=file.parent,
        check=True,
        capture_output=True,
    )
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    args.file = args.file.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        cold = [run(args.file, base / f"cold{i}") for i in range(args.repeat)]
        run(args.file, base / "warm")
        warm = [run(args.file, base / "warm") for _ in range(args.repeat)]
        off = [run(args.file, base / "off", "--no-cache") for _ in range(args.repeat)]
    for name, times in (("cold", cold), ("warm", warm), ("no-cache", off)):
        print(f"{name:9} median {statistics.median(times):6.1f} ms  min {min(times):6.1f} ms")


if __name__ == "__main__":
    main()
