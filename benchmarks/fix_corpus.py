"""What `nhilint fix --unsafe-fixes` does to real repositories: findings resolved, and is it sound.

    python benchmarks/fix_corpus.py DIR [DIR ...] [--keep WORKDIR]

Each DIR is copied (without .git) to a temporary directory, which is all that is ever edited. In the
copy: scan (JSON, --unsafe-fixes so unsafe fixes are marked), `nhilint fix --unsafe-fixes`, scan
again, and fix a second time. The configuration gives the owner/expiry fixes their values (`fix:
{owner: "@acme/platform", expires-in-days: 90}`); NHI303 lowers lifetimes to the default (3600 s).

Per rule and format: findings before, how many were marked fixable, how many of those the fix
resolved, how many findings without a mark went too, and how many are new after the fix. Per
directory: the files changed, whether each still parses with a reference parser (ruamel.yaml
round-trip, every document, and as many documents as before; python-hcl2 for .tf; json for .json
and a JSON .template; a file the reference parser rejected before the fix too is listed apart), the
values the fixes changed or removed rather than added, whether the second fix changed anything,
internal errors (exit 2 or `internal_errors`), and the time the fix took. With
--keep, the copies stay in WORKDIR as git repositories whose one commit is the original, so
`git diff` there shows the fixes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fix_oracle import MISSING, changes, hcl_data, yaml_docs  # noqa: E402

CONFIG = 'fix:\n  owner: "@acme/platform"\n  expires-in-days: 90\n'


@dataclass
class RepoResult:
    name: str
    before: Counter[tuple[str, str]] = field(default_factory=Counter)
    fixable: Counter[tuple[str, str]] = field(default_factory=Counter)
    resolved: Counter[tuple[str, str]] = field(default_factory=Counter)
    unmarked_resolved: Counter[tuple[str, str]] = field(default_factory=Counter)
    new: Counter[tuple[str, str]] = field(default_factory=Counter)
    changed: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    already_unparsable: list[str] = field(default_factory=list)
    second_fix_changed: list[str] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    internal_errors: int = 0
    # a value the fixes changed or removed, not added: (its key, old -> new) -> count
    rewritten: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: float = 0.0


def nhilint(*args: str, cwd: Path) -> tuple[int, dict[str, Any]]:
    env = {**os.environ, "NHILINT_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", *args, "--format", "json"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        report = {"findings": [], "internal_errors": [done.stderr[-400:]]}
    return done.returncode, report


def file_kind(root: Path, name: str) -> str:
    """A label for the format, good enough to tell the fixers apart in the table."""
    if name.endswith(".tf"):
        return "terraform"
    if "/.github/workflows/" in f"/{name}":
        return "github-actions"
    if "gitlab-ci" in name:
        return "gitlab-ci"
    try:
        head = (root / name).read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        return "?"
    if "AWSTemplateFormatVersion" in head or "AWS::" in head:
        return "cloudformation"
    if "apiVersion" in head:
        return "kubernetes"
    return "other"


def key(finding: dict[str, object]) -> tuple[object, ...]:
    identity = finding.get("identity") or {}
    assert isinstance(identity, dict)
    return (
        finding["rule_id"],
        finding["file"],
        identity.get("kind"),
        identity.get("name"),
        finding["message"],
    )


def hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink() and ".git" not in path.relative_to(root).parts
    }


def reference_data(suffix: str, text: str) -> tuple[object, str | None]:
    """(the data, None) as the reference parser reads it, or (None, why it rejects the text). A file
    nhilint fixed is Terraform, JSON or YAML: any other name (`.template`) is JSON when it starts so."""
    try:
        if suffix == ".tf":
            return hcl_data(text), None
        if suffix == ".json" or (suffix not in (".yaml", ".yml") and text.lstrip().startswith("{")):
            return json.loads(text), None
        return yaml_docs(text), None  # every document
    except Exception as error:  # noqa: BLE001 - any rejection counts, whatever the parser raises
        return None, f"{type(error).__name__}: {str(error)[:200]}"


def measure(source: Path, work: Path, config: Path, as_git: bool) -> RepoResult:
    result = RepoResult(source.name)
    copy = work / source.name
    shutil.copytree(source, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    if as_git:
        commit_original(copy)
    originals = {}
    code, before = nhilint("scan", ".", "--unsafe-fixes", "--config", str(config), cwd=copy)
    result.exit_codes.append(code)
    hashes_before = hashes(copy)
    for name in hashes_before:
        originals[name] = (copy / name).read_bytes()
    started = time.perf_counter()
    code, _ = nhilint("fix", ".", "--unsafe-fixes", "--config", str(config), cwd=copy)
    result.seconds = time.perf_counter() - started
    result.exit_codes.append(code)
    hashes_fixed = hashes(copy)
    code, after = nhilint("scan", ".", "--unsafe-fixes", "--config", str(config), cwd=copy)
    result.exit_codes.append(code)
    code, _ = nhilint("fix", ".", "--unsafe-fixes", "--config", str(config), cwd=copy)
    result.exit_codes.append(code)
    hashes_again = hashes(copy)
    for report in (before, after):
        errors = report.get("internal_errors") or []
        assert isinstance(errors, list)
        result.internal_errors += len(errors)
    result.internal_errors += sum(1 for code in result.exit_codes if code == 2)

    kinds: dict[str, str] = {}

    def label(finding: dict[str, object]) -> tuple[str, str]:
        name = str(finding["file"])
        if name not in kinds:
            kinds[name] = file_kind(copy, name)
        return str(finding["rule_id"]), kinds[name]

    findings_before = [f for f in before["findings"] if not f.get("suppressed")]
    findings_after = [f for f in after["findings"] if not f.get("suppressed")]
    left = Counter(key(f) for f in findings_after)
    was = Counter(key(f) for f in findings_before)
    for finding in findings_before:
        result.before[label(finding)] += 1
        if finding.get("fix"):
            result.fixable[label(finding)] += 1
        if left[key(finding)] > 0:
            left[key(finding)] -= 1
        elif finding.get("fix"):
            result.resolved[label(finding)] += 1
        else:
            result.unmarked_resolved[label(finding)] += 1
    for finding in findings_after:
        if was[key(finding)] > 0:
            was[key(finding)] -= 1
        else:
            result.new[label(finding)] += 1

    result.changed = sorted(
        name for name, digest in hashes_fixed.items() if hashes_before.get(name) != digest
    )
    result.second_fix_changed = sorted(
        name
        for name in set(hashes_fixed) | set(hashes_again)
        if hashes_fixed.get(name) != hashes_again.get(name)
    )
    for name in result.changed:
        suffix = (copy / name).suffix.lower()
        old, old_error = reference_data(suffix, originals[name].decode("utf-8-sig", errors="replace"))
        if old_error is not None:
            result.already_unparsable.append(name)
            continue
        new, error = reference_data(suffix, (copy / name).read_bytes().decode("utf-8-sig", errors="replace"))
        yaml = suffix != ".tf" and not isinstance(old, dict)  # YAML: the list of its documents
        if yaml and isinstance(old, list) and isinstance(new, list) and len(old) != len(new):
            error = "the number of YAML documents changed"
        if error:
            result.broken.append(f"{name}: {error}")
        else:
            result.rewritten.update(rewritten_values(old, new))
    return result


def rewritten_values(old: object, new: object) -> Counter[tuple[str, str]]:
    """The data the fix changed or removed (additions are what fixes mostly do: not listed)."""
    found: Counter[tuple[str, str]] = Counter()
    for place, (before, after) in changes(old, new).items():
        if before is not MISSING:
            name = next((part for part in reversed(place.split("/")) if not part.isdigit()), place)
            shown = "removed" if after is MISSING else str(after)[:30]
            found[(name, f"{str(before)[:30]} -> {shown}")] += 1
    return found


def commit_original(copy: Path) -> None:
    """The copy's original content as a commit, so `git diff` in it shows what the fix changed."""
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        [
            "git",
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@example.invalid",
            "commit",
            "-qm",
            "original",
        ],
    ):
        subprocess.run(command, cwd=copy, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--keep", type=Path, help="leave the fixed copies here, as git repositories")
    args = parser.parse_args()
    totals = RepoResult("all")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "fix-config.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        for source in args.dirs:
            work = args.keep or Path(tmp) / "copies"
            work.mkdir(parents=True, exist_ok=True)
            repo = measure(source.resolve(), work, config, as_git=args.keep is not None)
            rows.append(repo)
            for name in ("before", "fixable", "resolved", "unmarked_resolved", "new", "rewritten"):
                getattr(totals, name).update(getattr(repo, name))
    print_report(rows, totals)


def print_report(rows: list[RepoResult], totals: RepoResult) -> None:
    print(
        f"{'repository':40} {'findings':>8} {'fixable':>7} {'resolved':>8} {'changed':>7} {'broken':>6} "
        f"{'2nd fix':>7} {'internal':>8} {'fix s':>6}"
    )
    for repo in rows:
        print(
            f"{repo.name:40} {sum(repo.before.values()):8} {sum(repo.fixable.values()):7} "
            f"{sum(repo.resolved.values()):8} {len(repo.changed):7} {len(repo.broken):6} "
            f"{len(repo.second_fix_changed):7} {repo.internal_errors:8} {repo.seconds:6.1f}"
        )
        for line in repo.broken:
            print(f"    BROKEN {line}")
        for line in repo.second_fix_changed:
            print(f"    SECOND FIX CHANGED {line}")
        for line in repo.already_unparsable:
            print(f"    (reference parser rejected it before the fix too) {line}")
    print()
    print(
        f"{'rule':8} {'format':16} {'before':>6} {'fixable':>7} {'resolved':>8} "
        f"{'unmarked gone':>13} {'new':>4}"
    )
    labels = sorted(set(totals.before) | set(totals.new))
    for rule, kind in labels:
        fixable = totals.fixable[(rule, kind)]
        gone = totals.unmarked_resolved[(rule, kind)]
        new = totals.new[(rule, kind)]
        if not (fixable or gone or new):
            continue
        print(
            f"{rule:8} {kind:16} {totals.before[(rule, kind)]:6} {fixable:7} "
            f"{totals.resolved[(rule, kind)]:8} {gone:13} {new:4}"
        )
    print(
        f"{'all':8} {'':16} {sum(totals.before.values()):6} {sum(totals.fixable.values()):7} "
        f"{sum(totals.resolved.values()):8} {sum(totals.unmarked_resolved.values()):13} "
        f"{sum(totals.new.values()):4}"
    )
    print("\nvalues changed or removed (not added), by key:")
    for (name, change), count in sorted(totals.rewritten.items(), key=lambda item: -item[1]):
        print(f"  {count:5} {name}: {change}")


if __name__ == "__main__":
    main()
