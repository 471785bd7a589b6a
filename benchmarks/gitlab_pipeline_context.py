"""What reading GitLab CI files with their pipeline costs: one root `.gitlab-ci.yml` includes N fragments,
so every fragment is read with the root and every other fragment (bounded by the engine to about two
more reads of the GitLab text, plus 1 MB).

    python benchmarks/gitlab_pipeline_context.py --fragments 500 --jobs 40 [--out /tmp/gitlab-context]

Prints the GitLab text size and the wall time of a cold scan (no cache) of the tree.
Measured on the 2-core dev machine (500 fragments x 40 jobs, 2.0 MB): 8.5 s before pipeline context,
10-13 s with it (17.0 s with a budget of four reads).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JOB = """\
job{i}_{j}:
  stage: deploy
  extends: .base
  script:
    - aws s3 sync public/ s3://site-{i}/ --delete
"""


def build(root: Path, fragments: int, jobs: int) -> int:
    (root / "ci").mkdir(parents=True)
    includes = "".join(f"  - local: ci/f{i}.yml\n" for i in range(fragments))
    head = "default:\n  id_tokens:\n    AWS_ID_TOKEN:\n      aud: https://gitlab.com\n.base:\n  image: aws\n"
    (root / ".gitlab-ci.yml").write_text(head + "include:\n" + includes, encoding="utf-8")
    size = 0
    for i in range(fragments):
        text = "".join(JOB.format(i=i, j=j) for j in range(jobs))
        (root / "ci" / f"f{i}.yml").write_text(text, encoding="utf-8")
        size += len(text)
    return size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fragments", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="gitlab-context-"))
    if root.exists():
        shutil.rmtree(root)
    size = build(root, args.fragments, args.jobs)
    start = time.perf_counter()
    cmd = [sys.executable, "-m", "nhilint.cli", "scan", ".", "--no-cache", "--output-format", "concise"]
    subprocess.run(cmd, cwd=root, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    print(f"{args.fragments} fragments, {size / 1e6:.1f} MB of GitLab CI: {elapsed:.1f} s")


if __name__ == "__main__":
    main()
