"""discover -> read -> extract -> rules -> fingerprint -> sort: one scan, start to end."""

from __future__ import annotations

import hashlib
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nhilint import catalogue, discover, formats, rules
from nhilint.config import Config
from nhilint.facts import Fact, Loc
from nhilint.findings import Finding, ScanResult
from nhilint.formats import Extraction, Problem, SourceFile


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
    for path in paths:
        rel = discover.relative(path, root)
        try:
            size = path.stat().st_size
            if size > config.max_file_size:
                raise ValueError(f"file is {size} bytes, over the {config.max_file_size}-byte limit (max-file-size)")
            data = path.read_bytes()
            text = decode(data)
        except FileNotFoundError:
            continue  # vanished since discovery: nothing left to judge
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            if _known_format(rel, path):
                sources.problems.append(Problem(Loc(rel, 1), f"cannot read file: {reason}"))
            continue
        fmt = discover.classify(rel, text)
        if fmt is None:
            continue
        sources.files.append(SourceFile(rel, fmt, text))
        sources.lines[rel] = text.splitlines()
    return sources


def _known_format(rel: str, path: Path) -> bool:
    """Whether an unreadable file would have been a format we read (judged by name, then by a lossy peek)."""
    if discover.classify(rel, "") is not None:
        return True
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


def extract(unit: list[SourceFile]) -> Extraction:
    try:
        return formats.extractor(unit[0].format).extract(unit)
    except RecursionError:
        reason = "too deeply nested to read"
    except Exception as exc:  # a bug or hostile input must cost one file, never the scan
        if os.environ.get("NHILINT_DEBUG"):
            raise
        reason = f"internal error while reading this file ({type(exc).__name__}); please report it"
    return Extraction(problems=[Problem(Loc(f.rel, 1), reason) for f in unit])


def problem_findings(problems: list[Problem], checks: dict[str, catalogue.Check], config: Config) -> list[Finding]:
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


def fingerprint(findings: list[Finding], lines: dict[str, list[str]]) -> None:
    """A hash of what the finding is about, not where it is: stable when unrelated lines move.

    rule + file + identity + the whitespace-folded text of the finding's line, numbered by
    occurrence when several findings share all of that.
    """
    seen: Counter[str] = Counter()
    for finding in findings:
        text_lines = lines.get(finding.loc.file, [])
        line = text_lines[finding.loc.line - 1] if 0 < finding.loc.line <= len(text_lines) else ""
        identity = f"{finding.identity.kind}:{finding.identity.name}" if finding.identity else ""
        key = "\0".join((finding.rule_id, finding.loc.file, identity, " ".join(line.split())))
        digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        seen[digest] += 1
        finding.fingerprint = f"{digest}:{seen[digest]}"


def scan(paths: list[Path], config: Config, root: Path | None = None) -> ScanResult:
    root = root or Path.cwd()
    checks = catalogue.load()
    candidates = discover.discover(paths, root, config.exclude)
    sources = read_sources(candidates, root, config)
    extraction = Extraction(problems=list(sources.problems))
    for unit in units(sources.files):
        extraction.add(extract(unit))
    facts: list[Fact] = extraction.facts
    ctx = rules.RuleContext(facts=facts, config=config, catalogue=checks,
                            formats={f.rel: f.format for f in sources.files})
    findings = problem_findings(extraction.problems, checks, config) + list(rules.run(ctx))
    findings = _dedupe(findings)
    findings.sort(key=Finding.sort_key)
    fingerprint(findings, sources.lines)
    ran = {rid: c for rid, c in checks.items() if config.enabled(rid)}
    return ScanResult(findings=findings, rules=ran, files_scanned=len(sources.files) + len(sources.problems),
                      root=str(root))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per rule, place and message (two paths to the same fact report it once)."""
    unique: dict[tuple[str, Loc, str], Finding] = {}
    for f in findings:
        unique.setdefault((f.rule_id, f.loc, f.message), f)
    return list(unique.values())

