"""What following local Terraform modules costs: every file of the corpus calls a local module, so every
file is parsed once more to find its `source`, beside the scan's own parse.

    python benchmarks/module_calls.py --modules 500 [--out /tmp/module-calls]

Prints the wall time of a cold scan (no cache) and of pulling in the called modules alone on the same files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

MODULE = """\
module "iam" {{
  source = "../shared-{n}"
  name   = "svc-{n}"
}}

resource "aws_iam_role" "svc" {{
  name               = "svc-{n}"
  assume_role_policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole" }}] }})
  tags               = {{ owner = "platform", expires = "2099-01-01" }}
}}
"""
SHARED = 'variable "name" {}\n\nresource "aws_iam_user" "u" {\n  name = var.name\n}\n'


def write(out: Path, modules: int) -> None:
    for n in range(modules):
        (out / "live" / f"svc-{n}").mkdir(parents=True, exist_ok=True)
        (out / "live" / f"svc-{n}" / "main.tf").write_text(MODULE.format(n=n))
        (out / "live" / f"shared-{n}").mkdir(parents=True, exist_ok=True)
        (out / "live" / f"shared-{n}" / "main.tf").write_text(SHARED)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=500)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="module-calls-"))
    shutil.rmtree(out, ignore_errors=True)
    write(out, args.modules)
    os.environ["NHILINT_NO_CACHE"] = "1"
    from nhilint.config import Config, Configs
    from nhilint.formats import terraform
    from nhilint.formats.base import Pulled
    from nhilint.pipeline import read
    from nhilint.pipeline.scan import scan as scan_paths

    start = time.perf_counter()
    result = scan_paths([out], Config(), root=out)
    scan = time.perf_counter() - start
    sources = read.read_sources(sorted((out / "live").glob("svc-*/main.tf")), out, Config())
    sources.files = [f for f in sources.files if "/svc-" in f.rel]  # the callers only: pull again
    start = time.perf_counter()
    pulled = Pulled()
    terraform.modules.pulled_in(
        sources.files, {}, read._Reader(out, Configs(explicit=Config()), sources), pulled
    )
    follow = time.perf_counter() - start
    print(f"{2 * args.modules} files, {result.files_scanned} scanned: cold scan {scan:.2f} s")
    print(f"following {args.modules} module calls ({len(pulled.files)} files pulled in): {follow:.2f} s")


if __name__ == "__main__":
    main()
