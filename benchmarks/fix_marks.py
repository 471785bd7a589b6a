"""What the `[*]` marks cost a plain scan, and what `nhilint fix` costs, on a synthetic corpus.

    python benchmarks/fix_marks.py [--files 1000]

Scans the corpus (generate_corpus.py) in process, then times marking (nhilint.fixes.session.mark:
each file with a finding of a rule that has a fix is read again and its fixers asked, best of 3)
and the whole fix loop in memory (safe, then safe and unsafe fixes; nothing is written).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_corpus import generate  # noqa: E402

from nhilint.config import Configs  # noqa: E402
from nhilint.fixes import session  # noqa: E402
from nhilint.pipeline.scan import scan as scan_paths  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        generate(root, args.files)
        configs = Configs()
        options = session.options_at(configs, root)
        started = time.perf_counter()
        result = scan_paths([root], configs, root=root)
        scanned = time.perf_counter() - started
        print(f"corpus of {args.files} files: {len(result.active)} findings, scan {scanned:.2f} s")
        marks = []
        for _ in range(3):
            result = scan_paths([root], configs, root=root)
            started = time.perf_counter()
            session.mark(result, options, False, [root])
            marks.append(time.perf_counter() - started)
        fixable = sum(1 for f in result.active if f.fix)
        print(f"  marks: {min(marks):.2f} s ({fixable} findings fixable)")
        for unsafe in (False, True):
            started = time.perf_counter()
            outcome = session.run(
                lambda edited: scan_paths([root], configs, root=root, edited=edited),
                options,
                unsafe,
                [root],
                root,
            )
            label = "safe and unsafe" if unsafe else "safe"
            print(
                f"  fix ({label}): {time.perf_counter() - started:.2f} s, {outcome.fixed} findings in "
                f"{len(outcome.texts)} files, {len(outcome.result.internal_errors)} internal errors"
            )


if __name__ == "__main__":
    main()
