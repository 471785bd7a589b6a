"""Audit many repositories at once: clone (or reuse) each, scan it in a worker process, combine.

A target is a local directory or a git URL; URLs are cloned shallowly with the system `git` into a
cache directory and refreshed on the next audit. A target that cannot be cloned or scanned becomes a
failed `RepoReport`, never an exception that stops the audit. Workers return rendered JSON/SARIF
text, so only strings cross process boundaries.

The combined JSON (`AUDIT_VERSION`) is the per-repository JSON report of `nhilint.report.json`
wrapped with the repository's name and source; docs/audit.md documents it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AUDIT_VERSION = "1"
CLONE_TIMEOUT = 600  # seconds; a hung server must not hang the audit
_USERINFO = re.compile(r"^([a-z][a-z0-9+.-]*://)[^/@]+@", re.IGNORECASE)
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)


class AuditError(Exception):
    """A target that cannot be audited: one sentence for the summary table."""


@dataclass(frozen=True)
class Target:
    source: str  # the directory or URL as given, credentials masked: the identifier in every output
    name: str
    location: str = ""  # what to clone or read: `source` with its credentials, never printed

    @property
    def where(self) -> str:
        return self.location or self.source

    @property
    def is_url(self) -> bool:
        return bool(_URL.match(self.source))


@dataclass(frozen=True)
class ScanOptions:
    """What every worker needs to scan one repository (plain data: it is pickled to workers)."""

    cache_dir: Path
    config_path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    sarif: bool = False


@dataclass
class RepoReport:
    target: Target
    report: dict[str, Any] | None = None  # the repository's JSON report, when it was scanned
    sarif: str | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def target(location: str) -> Target:
    location = location.strip()
    source = _USERINFO.sub(r"\1***@", location)  # https://user:token@host/... must not reach a report
    name = source.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return Target(source, name.removesuffix(".git") or source, location if location != source else "")


def read_targets(sources: Iterable[str], list_files: Iterable[Path] = ()) -> list[Target]:
    """Targets from arguments and from list files (one per line, `#` comments), first mention wins."""
    entries = list(sources)
    for list_file in list_files:
        for line in list_file.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                entries.append(line.strip())
    unique = dict.fromkeys(e.strip() for e in entries if e.strip())
    return [target(source) for source in unique]


def shard_of(t: Target, count: int) -> int:
    """The 1-based shard of a target: a stable hash of its source, the same on every machine."""
    digest = hashlib.sha256(t.source.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise AuditError(f"--shard must be I/N with 1 <= I <= N, like 2/8, not {text!r}")
    return int(match[1]), int(match[2])


def select_shard(targets: list[Target], shard: tuple[int, int] | None) -> list[Target]:
    if shard is None:
        return targets
    index, count = shard
    return [t for t in targets if shard_of(t, count) == index]


def clone(t: Target, cache_dir: Path) -> Path:
    """A shallow checkout of the target's default branch under `cache_dir`, refreshed when there."""
    slug = re.sub(r"[^\w.-]+", "-", t.source.split("://", 1)[-1]).strip("-")[-60:]
    dest = cache_dir / f"{slug}-{hashlib.sha256(t.source.encode()).hexdigest()[:10]}"
    if (dest / ".git").is_dir():
        steps = {
            "fetch": ["git", "-C", str(dest), "fetch", "--quiet", "--depth", "1", "origin", "HEAD"],
            "reset": ["git", "-C", str(dest), "reset", "--quiet", "--hard", "FETCH_HEAD"],
        }
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        steps = {"clone": ["git", "clone", "--quiet", "--depth", "1", "--", t.where, str(dest)]}
    for label, command in steps.items():
        _git(label, command, t)
    return dest


def _git(label: str, command: list[str], t: Target) -> None:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}  # a private URL must fail, not wait for a password
    try:
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=CLONE_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AuditError(f"git {label} failed: {exc}".replace(t.where, t.source)) from None
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if line.strip()] or [
            f"exit code {proc.returncode}"
        ]
        reason = next((line for line in lines if line.startswith("fatal:")), lines[0])
        raise AuditError(f"git {label} failed: {reason}".replace(t.where, t.source))


def checkout(t: Target, cache_dir: Path) -> Path:
    if t.is_url:
        return clone(t, cache_dir)
    path = Path(t.source).expanduser()
    if not path.is_dir():
        raise AuditError(f"{t.source} is not a directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise AuditError(f"{t.source} is not readable")
    return path


def scan_one(t: Target, options: ScanOptions) -> RepoReport:
    """Check out and scan one target; every failure is caught and reported (runs in a worker)."""
    start = time.perf_counter()
    try:
        report, sarif = _scan(checkout(t, options.cache_dir), options)
        return RepoReport(t, report=report, sarif=sarif, seconds=time.perf_counter() - start)
    except AuditError as exc:
        error = str(exc)
    except Exception as exc:  # a broken repository costs that repository, never the audit
        error = f"scan failed: {type(exc).__name__}: {exc}"
    return RepoReport(t, error=error, seconds=time.perf_counter() - start)


def _scan(root: Path, options: ScanOptions) -> tuple[dict[str, Any], str | None]:
    from nhilint import config as configuration
    from nhilint import engine
    from nhilint.report import render

    root = root.resolve()
    try:
        path = options.config_path
        config = configuration.read_file(path) if path else configuration.discover(root)
    except configuration.ConfigError as exc:
        raise AuditError(str(exc)) from None
    config = config.with_overrides(select=options.select, ignore=options.ignore, fail_on=options.fail_on)
    result = engine.scan([root], config, root=root)
    report = json.loads(render(result, "json"))
    report["fail_on"] = config.fail_on
    return report, render(result, "sarif") if options.sarif else None


def run(
    targets: list[Target],
    options: ScanOptions,
    jobs: int,
    progress: Callable[[int, int, RepoReport], None] | None = None,
) -> list[RepoReport]:
    """Scan every target with `jobs` worker processes; reports in target order."""
    done: dict[str, RepoReport] = {}
    if jobs <= 1 or len(targets) <= 1:
        for t in targets:
            done[t.source] = scan_one(t, options)
            if progress:
                progress(len(done), len(targets), done[t.source])
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=min(jobs, len(targets))) as pool:
            futures = [pool.submit(scan_one, t, options) for t in targets]
            for future in as_completed(futures):
                report = future.result()
                done[report.target.source] = report
                if progress:
                    progress(len(done), len(targets), report)
    return [done[t.source] for t in targets]


def combined(reports: list[RepoReport]) -> dict[str, Any]:
    """The combined JSON document: repositories sorted by source, so equal audits give equal bytes."""
    from nhilint import __version__

    repos = [_repo_entry(r) for r in sorted(reports, key=lambda r: r.target.source)]
    return {
        "version": AUDIT_VERSION,
        "tool": {"name": "nhilint", "version": __version__},
        "summary": summary(repos),
        "repositories": repos,
    }


def _repo_entry(r: RepoReport) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": r.target.name,
        "source": r.target.source,
        "status": "ok" if r.ok else "failed",
        "error": r.error,
    }
    if r.report is not None:
        entry.update(
            fail_on=r.report.get("fail_on", "warning"),
            summary=r.report["summary"],
            findings=r.report["findings"],
        )
    return entry


def summary(repos: list[dict[str, Any]]) -> dict[str, int]:
    scanned = [r for r in repos if r["status"] == "ok"]
    totals: Counter[str] = Counter()
    for repo in scanned:
        totals.update({k: v for k, v in repo["summary"].items() if k != "files_with_findings"})
    return {
        "repositories": len(repos),
        "repositories_failed": len(repos) - len(scanned),
        "total": totals["total"],
        "errors": totals["errors"],
        "warnings": totals["warnings"],
        "notes": totals["notes"],
        "files_scanned": totals["files_scanned"],
        "suppressed": totals["suppressed"],
    }


def failing(document: dict[str, Any]) -> int:
    """How many active findings are at or above their repository's fail-on severity."""
    from nhilint.findings import severity_rank

    return sum(
        1
        for repo in document["repositories"]
        if repo["status"] == "ok"
        for f in repo["findings"]
        if not f["suppressed"] and severity_rank(f["severity"]) >= severity_rank(repo["fail_on"])
    )


CSV_COLUMNS = (
    "repository",
    "source",
    "rule_id",
    "slug",
    "severity",
    "file",
    "line",
    "column",
    "identity_kind",
    "identity_name",
    "message",
    "fingerprint",
    "suppressed",
)


def csv_rows(document: dict[str, Any]) -> Iterable[list[str | int | bool]]:
    for repo in document["repositories"]:
        for f in repo.get("findings", []):
            identity = f["identity"] or {}
            yield [
                repo["name"],
                repo["source"],
                f["rule_id"],
                f["slug"],
                f["severity"],
                f["file"],
                f["line"],
                f["column"],
                identity.get("kind", ""),
                identity.get("name", ""),
                f["message"],
                f["fingerprint"],
                f["suppressed"],
            ]


def write_csv(document: dict[str, Any], path: Path) -> None:
    import csv

    from nhilint.report.escape import csv_cell

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows([csv_cell(cell) for cell in row] for row in csv_rows(document))


def sarif_names(reports: list[RepoReport]) -> dict[str, str]:
    """A file name per target (`NAME.sarif`), with a hash suffix when two targets share a name."""
    counts = Counter(r.target.name for r in reports)
    names = {}
    for r in reports:
        stem = re.sub(r"[^\w.-]+", "-", r.target.name)
        if counts[r.target.name] > 1:
            stem += "-" + hashlib.sha256(r.target.source.encode()).hexdigest()[:8]
        names[r.target.source] = f"{stem}.sarif"
    return names


def write_sarif_dir(reports: list[RepoReport], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    names = sarif_names(reports)
    written = []
    for r in reports:
        if r.sarif is not None:
            path = directory / names[r.target.source]
            path.write_text(r.sarif, encoding="utf-8")
            written.append(path)
    return written


@dataclass
class Table:
    """The per-repository summary printed at the end of an audit."""

    rows: list[list[str]] = field(default_factory=list)

    @classmethod
    def of(cls, reports: list[RepoReport]) -> Table:
        rows = [["repository", "status", "files", "errors", "warnings", "notes", "seconds"]]
        for r in reports:
            s = r.report["summary"] if r.report else {}
            status = "ok" if r.ok else f"FAILED: {r.error}"
            rows.append(
                [
                    r.target.name,
                    status,
                    *(str(s.get(k, "-")) for k in ("files_scanned", "errors", "warnings", "notes")),
                    f"{r.seconds:.1f}",
                ]
            )
        return cls(rows)

    def render(self) -> str:
        # the status column goes last so a long error message does not widen the table
        order = [0, 2, 3, 4, 5, 6, 1]
        widths = [max(len(row[i]) for row in self.rows) for i in order]
        lines = [
            "  ".join(
                row[i].ljust(w) if i in (0, 1) else row[i].rjust(w)
                for i, w in zip(order, widths, strict=True)
            )
            for row in self.rows
        ]
        return "\n".join(line.rstrip() for line in lines) + "\n"
