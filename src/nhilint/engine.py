"""discover -> read -> extract -> rules -> suppress -> fingerprint -> baseline: one scan, start to end."""

from __future__ import annotations

import os
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nhilint import cache, catalogue, discover, formats, rules, suppress
from nhilint.baseline import Entry
from nhilint.baseline import apply as apply_baseline
from nhilint.config import Config
from nhilint.facts import Loc
from nhilint.findings import Finding, ScanResult
from nhilint.fingerprint import fingerprint
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.parse import ParseError


@dataclass
class Sources:
    """The files read in a scan: their text (for fingerprints and suppressions) and problems."""

    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: dict[str, list[str]] = field(default_factory=dict)


def decode(data: bytes) -> str:
    """Text of a file: UTF-8 (BOM allowed) or BOM-marked UTF-16; anything else raises ValueError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\0" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid UTF-8 at byte {exc.start}") from None


def read_sources(paths: list[Path], root: Path, config: Config) -> Sources:
    sources = Sources()
    unclassified: dict[str, SourceFile] = {}
    for path in paths:
        rel = discover.relative(path, root)
        try:
            text = decode(read_bounded(path, config.max_file_size))
        except FileNotFoundError:
            continue  # vanished since discovery: nothing left to judge
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            if _known_format(rel, path):
                sources.problems.append(Problem(Loc(rel, 1), f"cannot read file: {reason}"))
            continue
        fmt = discover.classify(rel, text)
        if fmt is None:
            if rel.endswith((".yml", ".yaml")):  # maybe a GitLab CI include
                unclassified[rel] = SourceFile(rel, "", text, str(path))
            continue
        sources.files.append(SourceFile(rel, fmt, text, str(path)))
    sources.files += gitlab_included(sources.files, unclassified)
    sources.lines = {f.rel: f.text.splitlines() for f in sources.files}
    return sources


def gitlab_included(files: list[SourceFile], unclassified: dict[str, SourceFile]) -> list[SourceFile]:
    """Files a pipeline pulls in with `include: local` (any name, any folder), transitively.

    Each file is claimed once, so include cycles end.
    """
    import fnmatch

    from nhilint.formats.gitlab_ci import local_includes

    found: list[SourceFile] = []
    pending = [f for f in files if f.format == "gitlab-ci"]
    while pending and unclassified:
        for pattern in local_includes(pending.pop()):
            for rel in [r for r in unclassified if r == pattern or fnmatch.fnmatchcase(r, pattern)]:
                included = unclassified.pop(rel)
                included = SourceFile(rel, "gitlab-ci", included.text, included.path)
                found.append(included)
                pending.append(included)
    return found


def read_bounded(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most `limit` of them (else ValueError).

    Opened non-blocking and checked with fstat, so a FIFO or device swapped in after discovery
    cannot hang the scan, and a file that grows after the check is still read only to limit + 1.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        size = info.st_size
        data = handle.read(limit + 1) if size <= limit else b""
    size = max(size, len(data))
    if size > limit:
        raise ValueError(f"file is {size} bytes, over the {limit}-byte limit (max-file-size)")
    return data


def _known_format(rel: str, path: Path) -> bool:
    """Whether an unreadable file would have been a format we read (judged by name, then by a lossy peek)."""
    if discover.classify(rel, "") is not None:
        return True
    if not path.is_file():  # never open a FIFO or device to peek (it could block forever)
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(65536).decode("utf-8", "replace")
    except OSError:
        return False
    return discover.classify(rel, head) is not None


def units(files: list[SourceFile]) -> list[list[SourceFile]]:
    """Groups an extractor reads together: a Terraform module (directory), or a single file."""
    grouped: dict[tuple[str, str], list[SourceFile]] = defaultdict(list)
    for file in files:
        key = str(PurePosixPath(file.rel).parent) if file.format in formats.PER_DIRECTORY else file.rel
        grouped[(file.format, key)].append(file)
    return [grouped[k] for k in sorted(grouped)]


def _extract_now(unit: list[SourceFile]) -> Extraction:
    return formats.extractor(unit[0].format).extract(unit)


def extract(unit: list[SourceFile], use_cache: bool = False) -> Extraction:
    """The unit's facts (from the content-hash cache when `use_cache`); a failure costs only this unit."""
    try:
        return cache.cached(unit, _extract_now) if cache.enabled(use_cache) else _extract_now(unit)
    except ParseError as exc:  # an extractor let its parser's error through: still NHI001, at its line
        line = exc.line if len(unit) == 1 else 1
        return Extraction(problems=[Problem(Loc(f.rel, line), exc.reason) for f in unit])
    except RecursionError:
        reason = "too deeply nested to read"
    except Exception as exc:  # a bug or hostile input must cost one file, never the scan
        if os.environ.get("NHILINT_DEBUG"):
            raise
        reason = f"internal error while reading this file ({type(exc).__name__}); please report it"
    return Extraction(problems=[Problem(Loc(f.rel, 1), reason) for f in unit])


def problem_findings(
    problems: list[Problem], checks: dict[str, catalogue.Check], config: Config
) -> list[Finding]:
    check = checks["NHI001"]
    if not config.enabled("NHI001"):
        return []
    first: dict[str, Problem] = {}
    for problem in problems:  # later errors in a file are mostly echoes of the first
        first.setdefault(problem.loc.file, problem)
    return [
        Finding(
            rule_id=check.id,
            slug=check.slug,
            severity=config.severity.get(check.id, check.severity),
            message=f"{p.loc.file} could not be parsed: {p.reason}; only what could be read was checked.",
            loc=p.loc,
            suggestion=check.suggestion(),
        )
        for p in first.values()
    ]


def scan(
    paths: list[Path],
    config: Config,
    root: Path | None = None,
    *,
    context: list[Path] | None = None,
    use_cache: bool = False,
    report_unused_ignores: bool = False,
    baseline: set[Entry] | None = None,
) -> ScanResult:
    """Scan `paths`. With `context`, read everything under `context` (so whole-scan rules and
    cross-file references see it) but report only findings about the files under `paths`.
    `baseline` entries are suppressed; the result counts the stale ones."""
    root = root or Path.cwd()
    checks = catalogue.load()
    sources = read_sources(discover.discover(context or paths, root, config.exclude), root, config)
    extraction = Extraction(problems=list(sources.problems))
    for unit in units(sources.files):
        extraction.add(extract(unit, use_cache))
    ctx = rules.RuleContext(
        facts=extraction.facts,
        config=config,
        catalogue=checks,
        formats={f.rel: f.format for f in sources.files},
    )
    findings = _dedupe(problem_findings(extraction.problems, checks, config) + list(rules.run(ctx)))
    ignores = suppress.collect(sources.lines, extraction.facts)
    findings += suppress.apply(findings, ignores, config, checks, ctx.today, report_unused_ignores)
    findings.sort(key=Finding.sort_key)
    fingerprint(findings, sources.lines)  # before narrowing, so fingerprints equal a full scan's
    reported = {f.rel for f in sources.files} | {p.loc.file for p in sources.problems}
    if context is not None:
        reported = {discover.relative(f, root) for f in discover.discover(paths, root, config.exclude)}
        findings = [f for f in findings if _about(f, reported)]
    stale = apply_baseline(findings, baseline, reported, config.enabled) if baseline is not None else 0
    ran = {rid: c for rid, c in checks.items() if config.enabled(rid)}
    return ScanResult(
        findings=findings,
        rules=ran,
        files_scanned=len(sources.files) + len(sources.problems),
        root=str(root),
        baseline_stale=stale,
    )


def _about(finding: Finding, files: set[str]) -> bool:
    """Whether a finding concerns one of `files`: its own place or a related one (a commit that adds
    a second user of an identity is what makes it shared, wherever the identity is declared)."""
    return finding.loc.file in files or any(r.loc.file in files for r in finding.related)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per rule, place and message (two paths to the same fact report it once)."""
    unique: dict[tuple[str, Loc, str], Finding] = {}
    for f in findings:
        unique.setdefault((f.rule_id, f.loc, f.message), f)
    return list(unique.values())
