"""discover -> read -> extract -> rules -> suppress -> fingerprint -> baseline: one scan, start to end."""

from __future__ import annotations

import os
import re
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nhilint import cache, catalogue, discover, formats, rules, suppress
from nhilint.baseline import Entry
from nhilint.baseline import apply as apply_baseline
from nhilint.config import Config, Configs
from nhilint.facts import Loc
from nhilint.findings import Finding, InternalError, ScanResult
from nhilint.fingerprint import fingerprint
from nhilint.formats import Extraction, Problem, SourceFile, helm_template
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
        try:
            text = decode(read_bounded(path, configs.at(path).max_file_size))
        except FileNotFoundError:
            continue  # vanished since discovery: nothing left to judge
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            if _known_format(path):
                sources.problems.append(Problem(Loc(rel, 1), f"cannot read file: {reason}"))
            else:
                sources.skipped.setdefault(UNREADABLE, []).append(rel)
            continue
        fmt = discover.classify(os.path.abspath(path), text)  # `.github/workflows` wherever we stand
        if fmt in ("kubernetes", None) and rel.endswith((".yaml", ".yml")) and helm_template.in_chart(path):
            fmt = "helm-template"  # YAML in a chart's templates/ is a template, whatever it looks like
        if fmt is None:
            unclassified[rel] = SourceFile(rel, "", text, str(path))
            continue
        sources.files.append(SourceFile(rel, fmt, text, str(path)))
    sources.files += gitlab_included(sources, unclassified)
    if unclassified:
        sources.skipped.setdefault(discover.NOT_A_FORMAT, []).extend(unclassified)
    sources.lines = {f.rel: f.text.splitlines() for f in sources.files}
    return sources


def gitlab_included(sources: Sources, unclassified: dict[str, SourceFile]) -> list[SourceFile]:
    """Files a pipeline pulls in with `include: local` (any name, any folder), transitively; each
    is taken out of `unclassified`. Each file is claimed once, so include cycles end."""
    import fnmatch

    from nhilint.formats.gitlab_ci import local_includes

    found: list[SourceFile] = []
    pending = [f for f in sources.files if f.format == "gitlab-ci"]
    while pending and unclassified:
        pipeline = pending.pop()
        try:
            patterns = local_includes(pipeline)
        except Exception as exc:  # a bug of ours: the pipeline's own extraction will say more
            if os.environ.get("NHILINT_DEBUG"):
                raise
            sources.internal_errors.append(InternalError.of(pipeline.rel, exc))
            continue
        for pattern in patterns:
            for rel in [r for r in unclassified if r == pattern or fnmatch.fnmatchcase(r, pattern)]:
                if not rel.endswith((".yml", ".yaml")):
                    continue
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


_FORMAT_WORDS = re.compile(rb"apiVersion|AWSTemplateFormatVersion|AWS::")
_PEEK_CHUNK = 1 << 20
_PEEK_LIMIT = 1 << 30


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
    for file in unit:
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
            message=f"{p.loc.file} could not be fully read ({p.reason}); only what was read is checked.",
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
) -> ScanResult:
    """Scan `paths`, each file judged by its own configuration (a `Config` judges them all).

    With `context`, read everything under `context` (so whole-scan rules and cross-file references
    see it) but report only findings about the files under `paths`. `baseline` entries are
    suppressed; the result counts the stale ones."""
    root = root or Path.cwd()
    configs = config if isinstance(config, Configs) else Configs(explicit=config)
    checks = catalogue.load()
    found = discover.walk(context or paths, root, configs)
    narrow = discover.walk(paths, root, configs) if context is not None else found
    # a file given is read even where the context's walk would not go (a skipped directory)
    sources = read_sources(found.files + narrow.files, root, configs)
    extraction = Extraction(problems=list(sources.problems), internal_errors=list(sources.internal_errors))
    for unit in units(sources.files):
        extraction.add(extract(unit, use_cache))
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
    skipped = _merge(found.skipped, sources.skipped, templates)
    if context is not None:
        reported = {discover.relative(f, root) for f in narrow.files}
        findings = [f for f in findings if _about(f, reported)]
        skipped = _merge(narrow.skipped, {r: [f for f in fs if f in reported] for r, fs in skipped.items()})
    stale = apply_baseline(findings, baseline, reported, ran.enabled) if baseline is not None else 0
    return ScanResult(
        findings=findings,
        rules={rid: c for rid, c in checks.items() if ran.enabled(rid)},
        files_scanned=len(sources.files) + len(sources.problems),  # templates too: read for secrets
        root=str(root),
        baseline_stale=stale,
        skipped=skipped,
        internal_errors=extraction.internal_errors,
        facts=extraction.facts,
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
