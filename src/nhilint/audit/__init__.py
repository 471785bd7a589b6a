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
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from nhilint.audit.targets import (
    AuditError,
    Target,
    checkout,
    parse_shard,
    private_dir,
    read_targets,
    select_shard,
    target,
)

__all__ = [  # the targets API, re-exported: commands and tests use `audit.<name>`
    "AuditError",
    "Target",
    "parse_shard",
    "private_dir",
    "read_targets",
    "select_shard",
    "target",
]

AUDIT_VERSION = "1"


class ScanOptions(Struct, frozen=True):
    """What every worker needs to scan one repository (plain data: it is pickled to workers)."""

    cache_dir: Path
    config_path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    sarif: bool = False


class RepoReport(Struct):
    target: Target
    report: dict[str, Any] | None = None  # the repository's JSON report, when it was scanned
    sarif: str | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def scan_one(t: Target, options: ScanOptions) -> RepoReport:
    """Check out and scan one target; every failure is caught and reported (runs in a worker)."""
    start = time.perf_counter()
    try:
        report, sarif, error = _scan(checkout(t, options.cache_dir), options)
        return RepoReport(t, report=report, sarif=sarif, error=error, seconds=time.perf_counter() - start)
    except AuditError as exc:
        error = str(exc)
    except Exception as exc:  # a broken repository costs that repository, never the audit
        error = _crash("scan failed", exc)
    return RepoReport(t, error=error, seconds=time.perf_counter() - start)


def _crash(what: str, exc: BaseException) -> str:
    from nhilint.quote import redact_snippet

    first_line = (str(exc).splitlines() or [""])[0][:200]  # an exception may quote the repository's text
    return f"{what}: {type(exc).__name__}: {redact_snippet(first_line)}".rstrip(": ")


def _scan(root: Path, options: ScanOptions) -> tuple[dict[str, Any], str | None, str | None]:
    """The repository's JSON report, its SARIF log and, when nhilint hit a bug on some of its
    files, why the repository counts as failed (its report then holds the findings of the rest)."""
    from nhilint import config as configuration
    from nhilint.pipeline.scan import scan
    from nhilint.report import render

    root = root.resolve()
    overrides = {"select": options.select, "ignore": options.ignore, "fail_on": options.fail_on}
    try:
        path = options.config_path
        configs = configuration.Configs(
            explicit=configuration.read_file(path) if path else None,
            overrides={k: v for k, v in overrides.items() if v not in (None, ())},
            boundaries=(root,),
        )
        fail_on = configs.at(root).fail_on  # the repository root's (files are judged by their own)
        result = scan([root], configs, root=root)
    except configuration.ConfigError as exc:
        raise AuditError(str(exc)) from None
    report = printable(json.loads(render(result, "json")))
    report["fail_on"] = fail_on
    sarif = render(result, "sarif") if options.sarif else None
    if sarif is not None and "\\ud" in sarif:  # json.dumps wrote a non-UTF-8 name as a lone surrogate
        sarif = json.dumps(printable(json.loads(sarif)), indent=2) + "\n"
    errors = result.internal_errors
    error = None
    if errors:
        first = errors[0]
        error = printable(
            f"nhilint internal error on {len(errors)} file{'s' if len(errors) != 1 else ''} "
            f"(please report it): {first.file}: {first.error}"
        )
    return report, sarif, error


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(value: Any) -> Any:
    """`value` (a JSON document, or one string) with every file-name byte that is not UTF-8 written
    `\\xHH`: Python decodes such a byte to a lone surrogate (surrogateescape), which no UTF-8
    output can hold. Other lone surrogates become `\\uDxxx`."""
    if isinstance(value, str):
        return _SURROGATE.sub(_escape_surrogate, value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable(v) for v in value]
    return value


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def run(
    targets: list[Target],
    options: ScanOptions,
    jobs: int,
    progress: Callable[[int, int, RepoReport], None] | None = None,
) -> list[RepoReport]:
    """Scan every target with `jobs` worker processes; reports in target order. A worker that dies
    (killed, out of memory) fails the repositories it had, never the audit."""
    done: dict[str, RepoReport] = {}
    if jobs <= 1 or len(targets) <= 1:
        for t in targets:
            done[t.source] = scan_one(t, options)
            if progress:
                progress(len(done), len(targets), done[t.source])
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=min(jobs, len(targets))) as pool:
            futures = {pool.submit(scan_one, t, options): t for t in targets}
            for future in as_completed(futures):
                try:
                    report = future.result()
                except Exception as exc:
                    report = RepoReport(futures[future], error=_crash("worker failed", exc))
                done[report.target.source] = report
                if progress:
                    progress(len(done), len(targets), report)
    return [done[t.source] for t in targets]


def combined(reports: list[RepoReport]) -> dict[str, Any]:
    """The combined JSON document: repositories sorted by source, so equal audits give equal bytes."""
    from nhilint import __version__

    repos = printable([_repo_entry(r) for r in sorted(reports, key=lambda r: r.target.source)])
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
    """Totals over every repository with a report, including failed ones whose scan ran in part."""
    totals: Counter[str] = Counter()
    for repo in repos:
        if "summary" in repo:
            totals.update({k: v for k, v in repo["summary"].items() if k != "files_with_findings"})
    return {
        "repositories": len(repos),
        "repositories_failed": sum(1 for r in repos if r["status"] != "ok"),
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
        for f in repo.get("findings", [])
        if not f["suppressed"]
        and not f.get("non_production")  # a test, example or docs path never fails (production.py)
        and severity_rank(f["severity"]) >= severity_rank(repo["fail_on"])
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
        # cells come from the scanned repositories: none may run as a spreadsheet formula
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


# Line breaks, other control characters and bidi overrides (from a file name, a git server's error
# message ...) would let one table cell forge lines of the report.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _cell(text: str) -> str:
    return _UNPRINTABLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), printable(text))


class Table(Struct):
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
                    _cell(r.target.name),
                    _cell(status),
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
