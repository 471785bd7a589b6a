"""What the text report costs beside the scan: render the same scan as text, concise and JSON.

    python benchmarks/text_report.py [--files 1000]

Scans a synthetic corpus (generate_corpus.py) once in process, then times each renderer (best of 5)
and a hostile file: one ~1000-character line holding 35 credentials, each a finding whose snippet
shows that line.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_corpus import generate  # noqa: E402

from nhilint.config import Config  # noqa: E402
from nhilint.pipeline.scan import scan as scan_paths  # noqa: E402
from nhilint.report import render  # noqa: E402


def best_of(runs: int, work: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def measure(root: Path, label: str) -> None:
    started = time.perf_counter()
    result = scan_paths([root], Config(), root=root)
    scan = time.perf_counter() - started
    print(f"{label}: {len(result.active)} findings, scan {scan:.2f} s")
    for fmt in ("text", "concise", "json"):
        seconds = best_of(5, lambda fmt=fmt: render(result, fmt))
        each = seconds / max(len(result.active), 1) * 1e6
        print(f"  {fmt:<8} {seconds * 1000:8.1f} ms  ({each:.0f} µs/finding)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        generate(corpus, args.files)
        measure(corpus, f"corpus of {args.files} files")
        hostile = Path(tmp) / "hostile"
        hostile.mkdir()
        keys = ", ".join(
            f'k{i}: "AKIAZ7VRSQ4IEXFD{chr(65 + i // 26)}{chr(65 + i % 26)}QM"' for i in range(35)
        )
        manifest = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData: {{{keys}}}\n"
        (hostile / "secret.yaml").write_text(manifest, encoding="utf-8")
        measure(hostile, "one line, 35 credentials")


if __name__ == "__main__":
    main()
