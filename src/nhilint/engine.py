"""discover -> read -> extract -> rules -> suppress -> fingerprint -> baseline -> fold: one scan, start to
end."""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nhilint import cache, catalogue, discover, parallel, production, rules, suppress
from nhilint.baseline import Entry
from nhilint.baseline import apply as apply_baseline
from nhilint.config import Config, Configs
from nhilint.facts import Fact, Loc
from nhilint.findings import Finding, InternalError, ScanResult
from nhilint.fingerprint import fingerprint
from nhilint.fold import fold
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.base import Pulled
from nhilint.formats.registry import BY_NAME, FORMATS, numbered_lines
from nhilint.parse import ParseError


@dataclass
class Sources:
    """The files read in a scan: their text (for fingerprints and suppressions), problems, and the
    files left unjudged, by reason."""

    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    internal_errors: list[InternalError] = field(default_factory=list)
    # files by the files they pull in (a GitLab CI file's `include: local`), read as their context
    links: dict[str, list[str]] = field(default_factory=dict)
    # files (or directories) each file deploys by a relative path: a Terraform file's local modules, a
    # kustomization's resources; with `links`, what production.lower follows
    deploys: dict[str, list[str]] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)  # about the whole scan (kustomizations)


UNREADABLE = "unreadable (binary, not UTF-8 or over max-file-size), no Kubernetes or CloudFormation in it"


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


def read_sources(paths: list[Path], root: Path, config: Config | Configs) -> Sources:
    configs = config if isinstance(config, Configs) else Configs(explicit=config)
    sources = Sources()
    unclassified: dict[str, SourceFile] = {}
    seen: set[str] = set()
    for path in paths:
        rel = discover.relative(path, root)
        if rel in seen:  # the same file reached twice (`scan . "$PWD"`) is read once
            continue
        seen.add(rel)
        text = _read_text(path, rel, configs, sources)
        if text is None:
            continue
        fmt = discover.classify_file(path, text)
        if fmt is None:
            unclassified[rel] = SourceFile(rel, "", text, str(path))
            continue
        sources.files.append(SourceFile(rel, fmt, text, str(path)))
    reader = _Reader(root, configs, sources)
    for pulling in (f.pulls_in for f in FORMATS if f.pulls_in is not None):
        pulled = Pulled()
        pulling(sources.files, unclassified, reader, pulled)
        sources.files += pulled.files
        _add_pulled(sources, pulled)
    for reading_all in (f.reads_all for f in FORMATS if f.reads_all is not None):
        pulled = Pulled()
        reading_all([*unclassified.values(), *sources.files], pulled)
        _add_pulled(sources, pulled)
    if unclassified:
        sources.skipped.setdefault(discover.NOT_A_FORMAT, []).extend(unclassified)
    sources.lines = {f.rel: numbered_lines(f) for f in sources.files}
    return sources


def _read_text(path: Path, rel: str, configs: Configs, sources: Sources) -> str | None:
    """A file's text, or None: a file that cannot be read is a problem (a format we read) or a skip."""
    try:
        return decode(read_bounded(path, configs.at(path).max_file_size))
    except FileNotFoundError:
        return None  # vanished since discovery: nothing left to judge
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if _known_format(path):
            sources.problems.append(Problem(Loc(rel, 1), f"cannot read file: {reason}"))
        else:
            sources.skipped.setdefault(UNREADABLE, []).append(rel)
        return None


@dataclass
class _Reader:
    """How a format pulls in a file it refers to (`Format.pulls_in`): read even in a skipped
    directory or outside the scanned paths, unless its configuration excludes it or it cannot be read."""

    root: Path
    configs: Configs
    sources: Sources

    def read(self, path: str, fmt: str) -> SourceFile | None:
        rel = discover.relative(Path(path), self.root)
        if os.path.islink(path):
            self.sources.skipped.setdefault(discover.SYMLINK, []).append(rel)
            return None
        if discover.excluded_by_config(Path(path), rel, self.configs):
            self.sources.skipped.setdefault(discover.EXCLUDED, []).append(rel)
            return None
        text = _read_text(Path(path), rel, self.configs, self.sources)
        return None if text is None else SourceFile(rel, fmt, text, path)

    def unreadable_directory(self, path: str) -> None:
        rel = discover.relative(Path(path), self.root) + "/"
        self.sources.skipped.setdefault(discover.UNREADABLE_DIRECTORY, []).append(rel)

    def not_a_file(self, path: str) -> None:
        rel = discover.relative(Path(path), self.root)
        self.sources.skipped.setdefault(discover.NOT_A_FILE, []).append(rel)

    def internal_error(self, rel: str, exc: Exception) -> None:
        self.sources.internal_errors.append(InternalError.of(rel, exc))


def _add_pulled(sources: Sources, pulled: Pulled) -> None:
    for rel, targets in pulled.links.items():
        sources.links.setdefault(rel, []).extend(targets)
    for rel, targets in pulled.deploys.items():
        sources.deploys.setdefault(rel, []).extend(targets)
    sources.facts += pulled.facts


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


def _known_format(path: Path) -> bool:
    """Whether an unreadable file (too large, binary, not UTF-8) could be a format we read: by name,
    by a lossy look at its start, then by the words of a manifest or template anywhere in it (a
    10 MB file of comments can end with a ClusterRoleBinding)."""
    name = os.path.abspath(path)
    if discover.classify(name, "") is not None:
        return True
    if not path.is_file():  # never open a FIFO or device to peek (it could block forever)
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
            if discover.classify(name, head.decode("utf-8", "replace")) is not None:
                return True
            window = head
            for _ in range(_PEEK_LIMIT // _PEEK_CHUNK):  # linear, and bounded for a huge file
                if _FORMAT_WORDS.search(window):
                    return True
                chunk = handle.read(_PEEK_CHUNK)
                if not chunk:
                    return False
                window = window[-32:] + chunk
    except OSError:
        return False
    return True  # larger than we look through: say so rather than guess it harmless


_FORMAT_WORDS = re.compile("|".join(f.telltales for f in FORMATS if f.telltales).encode())
_PEEK_CHUNK = 1 << 20
_PEEK_LIMIT = 1 << 30


def units(files: list[SourceFile], links: dict[str, list[str]] | None = None) -> list[list[SourceFile]]:
    """Groups an extractor reads together: a Terraform module (directory), or a single file.

    A unit is followed by the files its format reads it with (`Format.context`): a Terraform
    module's local modules (transitively), judged with the values the call passes, so the cache key
    covers them too; the other files of a GitLab CI file's pipeline. Only the first file (or
    directory) of a unit is judged; the rest is context."""
    grouped: dict[tuple[str, str], list[SourceFile]] = defaultdict(list)
    for file in files:
        key = str(PurePosixPath(file.rel).parent) if BY_NAME[file.format].per_directory else file.rel
        grouped[(file.format, key)].append(file)
    context: dict[str, dict[str, list[SourceFile]]] = {
        f.name: f.context([file for file in files if file.format == f.name], links or {})
        for f in FORMATS
        if f.context is not None
    }
    return [grouped[k] + context.get(k[0], {}).get(k[1], []) for k in sorted(grouped)]


def _extract_now(unit: list[SourceFile]) -> Extraction:
    return BY_NAME[unit[0].format].extract(unit)


def extract(unit: list[SourceFile], use_cache: bool = False) -> Extraction:
    """The unit's facts (from the content-hash cache when `use_cache`).

    A file nhilint cannot read is an NHI001 problem of that file; any other exception is a bug of
    ours, reported as an internal error. Either way it costs only the file that caused it: a unit of
    several files that fails is read again file by file, so its other files are still judged.
    """
    try:
        return cache.cached(unit, _extract_now) if cache.enabled(use_cache) else _extract_now(unit)
    except Exception as exc:
        if os.environ.get("NHILINT_DEBUG"):
            raise
        if len(unit) > 1:
            return _file_by_file(unit, exc)
        return _failure(unit[0], exc)


def _failure(file: SourceFile, exc: Exception) -> Extraction:
    if isinstance(exc, ParseError):  # an extractor let its parser's error through: still NHI001
        return Extraction(problems=[Problem(file.loc(exc.line, exc.col), exc.reason)])
    if isinstance(exc, RecursionError):  # input nested past what a reader of ours recurses through
        return Extraction(problems=[Problem(file.loc(1), "too deeply nested to read")])
    return Extraction(internal_errors=[InternalError.of(file.rel, exc)])


def _file_by_file(unit: list[SourceFile], unit_error: Exception) -> Extraction:
    """Each file of a failed unit alone: the broken one is named, its neighbours still judged (without
    what they would have read from each other)."""
    result = Extraction()
    own = PurePosixPath(unit[0].rel).parent
    for file in (
        f
        for f in unit
        if f is unit[0] or (BY_NAME[f.format].per_directory and PurePosixPath(f.rel).parent == own)
    ):
        try:
            result.add(_extract_now([file]))
        except Exception as exc:
            result.add(_failure(file, exc))
    if not result.problems and not result.internal_errors:  # only the files together break it
        directory = str(PurePosixPath(unit[0].rel).parent)
        result.internal_errors.append(InternalError.of(f"{directory}/", unit_error))
    return result


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
            message=f"this file could not be fully read ({p.reason}); only what was read is checked.",
            loc=p.loc,
            suggestion=check.suggestion(),
        )
        for p in first.values()
    ]


def scan(
    paths: list[Path],
    config: Config | Configs,
    root: Path | None = None,
    *,
    context: list[Path] | None = None,
    use_cache: bool = False,
    report_unused_ignores: bool = False,
    baseline: set[Entry] | None = None,
    jobs: int | None = 1,
) -> ScanResult:
    """Scan `paths`, each file judged by its own configuration (a `Config` judges them all).

    With `context`, read everything under `context` (so whole-scan rules and cross-file references
    see it) but report only findings about the files under `paths`. `baseline` entries are
    suppressed; the result counts the stale ones. `jobs` processes extract the files (None: every
    core for a big scan); the result does not depend on it."""
    root = root or Path.cwd()
    configs = config if isinstance(config, Configs) else Configs(explicit=config)
    checks = catalogue.load()
    found = discover.walk(context or paths, root, configs)
    narrow = discover.walk(paths, root, configs) if context is not None else found
    # a file given is read even where the context's walk would not go (a skipped directory)
    sources = read_sources(found.files + narrow.files, root, configs)
    extraction = Extraction(problems=list(sources.problems), internal_errors=list(sources.internal_errors))
    jobs = parallel.auto_jobs(len(sources.files)) if jobs is None else jobs
    for part in parallel.extract_all(units(sources.files, sources.links), use_cache, jobs, extract):
        extraction.add(part)
    extraction.facts += sources.facts  # whole-scan facts: overlays and bases, for the lifecycle rules
    # rules run if any file's configuration wants them; each finding is then judged by its own file's
    ran = Config(select=tuple(rid for rid in checks if configs.enabled(rid)) or ("-",))  # "-": none
    ctx = rules.RuleContext(
        facts=extraction.facts,
        config=ran,
        catalogue=checks,
        formats={f.rel: f.format for f in sources.files},
        configs=configs,
        root=root,
    )
    findings = _dedupe(
        problem_findings(extraction.problems, checks, ran) + list(rules.run(ctx, extraction.internal_errors))
    )
    ignores = suppress.collect(sources.lines, extraction.facts)
    findings += suppress.apply(findings, ignores, ran, checks, ctx.today, report_unused_ignores)
    findings = _judged_by_own_config(findings, ctx)
    findings.sort(key=Finding.sort_key)
    fingerprint(findings, sources.lines)  # before narrowing, so fingerprints equal a full scan's
    reported = {f.rel for f in sources.files} | {p.loc.file for p in sources.problems}
    templates: dict[str, list[str]] = defaultdict(list)
    for skip in extraction.skipped:
        templates[skip.reason].append(skip.file)
    beside = read_beside(extraction, sources)
    skipped = _merge(found.skipped, sources.skipped, templates)
    skipped = {reason: [f for f in files if f not in beside] for reason, files in skipped.items()}
    skipped = {reason: files for reason, files in skipped.items() if files}
    if context is not None:
        reported = {discover.relative(f, root) for f in narrow.files}
        findings = [f for f in findings if _about(f, reported)]
        skipped = _merge(narrow.skipped, {r: [f for f in fs if f in reported] for r, fs in skipped.items()})
    stale = apply_baseline(findings, baseline, reported, ran.enabled) if baseline is not None else 0
    deploys = {**sources.deploys, **sources.links}
    production.lower(findings, context or paths, root, configs, deploys)
    findings = fold(findings)  # last: selection, suppressions and the baseline judged each rule ID
    return ScanResult(
        findings=findings,
        rules={rid: c for rid, c in checks.items() if ran.enabled(rid)},
        # templates too (read for secrets), and policy files read beside a unit (judged as its part)
        files_scanned=len(sources.files) + len(sources.problems) + len(beside),
        root=str(root),
        baseline_stale=stale,
        skipped=skipped,
        internal_errors=extraction.internal_errors,
        facts=extraction.facts,
        lines=sources.lines,
    )


def _judged_by_own_config(findings: list[Finding], ctx: rules.RuleContext) -> list[Finding]:
    """Each finding as its file's configuration wants it: dropped where its rule is off there, with
    that configuration's severity. Rules ran with every rule any configuration enables."""
    kept = []
    for finding in findings:
        config = ctx.config_at(finding.loc)
        if config.enabled(finding.rule_id):
            finding.severity = config.severity.get(finding.rule_id, finding.severity)
            kept.append(finding)
    return kept


def read_beside(extraction: Extraction, sources: Sources) -> set[str]:
    """The files a format read beside a unit (`file("policies/x.json")`) that are not scanned files
    themselves, by path from the scan root: they are scanned too, and a finding may sit in one."""
    scanned = {f.rel for f in sources.files} | {p.loc.file for p in sources.problems}
    beside = set()
    for read in extraction.reads:
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(read.source), read.name))
        if read.state not in ("missing", "too-large") and not rel.startswith(("/", "../")):
            beside.add(rel)
    return beside - scanned


def _merge(*groups: dict[str, list[str]]) -> dict[str, list[str]]:
    """Skipped files by reason, each file once, sorted."""
    merged: dict[str, set[str]] = defaultdict(set)
    for group in groups:
        for reason, files in group.items():
            merged[reason].update(files)
    return {reason: sorted(files) for reason, files in sorted(merged.items()) if files}


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
