"""Count nhilint's findings per rule on a directory of real repositories (issues 15 and 16).

    python benchmarks/precision.py REPOS_DIR [--src OTHER/src] [--json] [--save DIR]

Each immediate subdirectory of REPOS_DIR is one repository. nhilint runs as a fresh subprocess per
repository with `--no-cache`, `--exit-zero` and a fresh `XDG_CACHE_HOME`, so nothing is read from an
earlier scan. `--src` runs another copy of nhilint (e.g. a git worktree of an older commit) by
putting its `src` directory first on PYTHONPATH. `--save DIR` keeps each repository's raw JSON report
(`DIR/<repo>.json`) for labelling. The table shows, per repository and overall, the findings per
rule, the total, and the share of lifecycle findings (NHI301-NHI304): issue 15 asks for at most 35%.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

LIFECYCLE = frozenset({"NHI301", "NHI302", "NHI303", "NHI304"})
HERE_SRC = Path(__file__).resolve().parent.parent / "src"


def scan(repo: Path, src: Path) -> dict[str, object]:
    """The JSON report of one fresh, cache-free scan of `repo` by the nhilint in `src`."""
    with tempfile.TemporaryDirectory(prefix="nhilint-precision-") as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache, "PYTHONPATH": str(src)}
        command = [sys.executable, "-m", "nhilint.cli", "scan", "--no-cache", "--exit-zero"]
        done = subprocess.run(
            [*command, "--format", "json", str(repo)], capture_output=True, text=True, env=env, check=False
        )
    if done.returncode != 0:
        raise SystemExit(f"nhilint failed on {repo} (exit {done.returncode}): {done.stderr.strip()[:500]}")
    report: dict[str, object] = json.loads(done.stdout)
    return report


def rule_counts(report: dict[str, object]) -> Counter[str]:
    findings = report.get("findings", [])
    assert isinstance(findings, list)
    return Counter(str(f["rule_id"]) for f in findings if not f.get("suppressed"))


def lifecycle_share(counts: Counter[str]) -> float:
    total = sum(counts.values())
    return sum(n for rule, n in counts.items() if rule in LIFECYCLE) / total if total else 0.0


def table(per_repo: dict[str, Counter[str]]) -> str:
    """One row per repository and one for all of them; one column per rule (NHI prefix dropped)."""
    overall: Counter[str] = sum(per_repo.values(), Counter())
    rules = sorted(overall)
    rows = [*per_repo.items(), ("ALL", overall)]
    name_width = max(len(name) for name, _ in rows) + 1
    header = "repository".ljust(name_width) + "".join(r.removeprefix("NHI").rjust(5) for r in rules)
    lines = [header + "  total  lifecycle"]
    for name, counts in rows:
        cells = "".join(str(counts[r] or ".").rjust(5) for r in rules)
        share = f"{lifecycle_share(counts):.0%}"
        lines.append(name.ljust(name_width) + cells + str(sum(counts.values())).rjust(7) + share.rjust(11))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("repos", type=Path, help="a directory whose subdirectories are repositories")
    parser.add_argument("--src", type=Path, default=HERE_SRC, help="nhilint src dir (default: this one)")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON instead of a table")
    parser.add_argument("--save", type=Path, help="keep each repository's raw JSON report in this directory")
    args = parser.parse_args(argv)

    repos = sorted(p for p in args.repos.iterdir() if p.is_dir() and not p.name.startswith("."))
    per_repo: dict[str, Counter[str]] = {}
    for repo in repos:
        report = scan(repo, args.src.resolve())
        per_repo[repo.name] = rule_counts(report)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{repo.name}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    if args.json:
        overall: Counter[str] = sum(per_repo.values(), Counter())
        summary = {
            name: {
                "rules": dict(sorted(c.items())),
                "total": sum(c.values()),
                "lifecycle_share": lifecycle_share(c),
            }
            for name, c in [*per_repo.items(), ("ALL", overall)]
        }
        print(json.dumps(summary, indent=1))
    else:
        print(table(per_repo))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
