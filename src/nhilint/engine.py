"""discover -> read -> extract -> rules -> suppress -> fingerprint -> baseline -> fold: one scan, start to
end."""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nhilint import cache, catalogue, discover, formats, parallel, production, rules, suppress
from nhilint.baseline import Entry
from nhilint.baseline import apply as apply_baseline
from nhilint.config import Config, Configs
from nhilint.facts import Loc
from nhilint.findings import Finding, InternalError, ScanResult
from nhilint.fingerprint import fingerprint
from nhilint.fold import fold
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
    # GitLab CI files by the files they pull in with `include: local` (relative paths)
    gitlab_includes: dict[str, list[str]] = field(default_factory=dict)
    # files (or directories) each file deploys by a relative path: a Terraform file's local modules, a
    # kustomization's resources; with `gitlab_includes`, what production.lower follows
    deploys: dict[str, list[str]] = field(default_factory=dict)
    kustomizations: dict[str, str] = field(default_factory=dict)  # their text, by path


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
        fmt = discover.classify(os.path.abspath(path), text)  # `.github/workflows` wherever we stand
        if fmt in ("kubernetes", None) and rel.endswith((".yaml", ".yml")) and helm_template.in_chart(path):
            fmt = "helm-template"  # YAML in a chart's templates/ is a template, whatever it looks like
        if fmt is None:
            unclassified[rel] = SourceFile(rel, "", text, str(path))
            continue
        sources.files.append(SourceFile(rel, fmt, text, str(path)))
    sources.files += gitlab_included(sources, unclassified, root, configs)
    sources.files += terraform_modules(sources, root, configs)
    _kustomizations(unclassified, sources)
    if unclassified:
        sources.skipped.setdefault(discover.NOT_A_FORMAT, []).extend(unclassified)
    sources.lines = {f.rel: formats.numbered_lines(f) for f in sources.files}
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


def _pulled_in(path: str, root: Path, configs: Configs, sources: Sources, fmt: str) -> SourceFile | None:
    """A file a scanned file pulls in by reference (read even in a skipped directory or outside the
    scanned paths), unless its configuration excludes it or it cannot be read."""
    rel = discover.relative(Path(path), root)
    if os.path.islink(path):
        sources.skipped.setdefault(discover.SYMLINK, []).append(rel)
        return None
    if discover.excluded_by_config(Path(path), rel, configs):
        sources.skipped.setdefault(discover.EXCLUDED, []).append(rel)
        return None
    text = _read_text(Path(path), rel, configs, sources)
    return None if text is None else SourceFile(rel, fmt, text, path)


def _absolute(file: SourceFile) -> str:
    return os.path.abspath(file.path or file.rel)


def _pipeline_root(file: SourceFile) -> str:
    """The directory GitLab resolves a pipeline's `include: local` against: its repository's root,
    else the directory of the root `.gitlab-ci.yml` (the parent of `.gitlab/` for a fragment there)."""
    directory = os.path.dirname(_absolute(file))
    repository = discover.repository_root(directory)
    if repository is not None:
        return repository
    parts = Path(directory).parts
    if ".gitlab" in parts and not file.rel.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
        return str(Path(*parts[: len(parts) - parts[::-1].index(".gitlab") - 1]))
    return directory


def _kustomizations(unclassified: dict[str, SourceFile], sources: Sources) -> None:
    """What each kustomization deploys (`resources`, `bases`, `components`), for production.lower."""
    from nhilint.formats.kubernetes import KUSTOMIZATIONS, kustomize_references

    # with or without `kind: Kustomization` (a kustomization with it reads as Kubernetes)
    for rel, file in [*unclassified.items(), *((f.rel, f) for f in sources.files)]:
        if posixpath.basename(rel) in KUSTOMIZATIONS:
            directory = posixpath.dirname(rel)
            targets = kustomize_references(file.text)
            sources.deploys.setdefault(rel, []).extend(posixpath.join(directory, t) for t in targets)
            sources.kustomizations[rel] = file.text


def gitlab_included(
    sources: Sources, unclassified: dict[str, SourceFile], root: Path, configs: Configs
) -> list[SourceFile]:
    """Files a pipeline pulls in with `include: local` (any name, any folder), transitively, resolved
    against the pipeline's repository root whatever the scan root. A file already read is taken out
    of `unclassified`; a named file (no glob) is read from disk where the walk did not go (a skipped
    directory, outside the scanned paths), never outside the repository or through a link. Each
    file is claimed once, so include cycles end."""
    from nhilint.formats.gitlab_ci import local_includes

    found: list[SourceFile] = []
    claimed = {_absolute(f) for f in sources.files}
    by_path = {_absolute(f): rel for rel, f in unclassified.items()}
    pending = [(f, _pipeline_root(f)) for f in sources.files if f.format == "gitlab-ci"]
    pipelines = {_absolute(f): f.rel for f, _ in pending}  # GitLab files read so far
    while pending:
        pipeline, repository = pending.pop()
        if not _INCLUDE_WORD.search(pipeline.text):
            continue  # no parse for a pipeline that includes nothing
        try:
            patterns = local_includes(pipeline)
        except Exception as exc:  # a bug of ours: the pipeline's own extraction will say more
            if os.environ.get("NHILINT_DEBUG"):
                raise
            sources.internal_errors.append(InternalError.of(pipeline.rel, exc))
            continue
        prefix = repository.rstrip(os.sep) + os.sep
        edges = sources.gitlab_includes.setdefault(pipeline.rel, [])
        for pattern in patterns:
            edges += [
                rel
                for path, rel in pipelines.items()
                if path.startswith(prefix)
                and _include_matches(path[len(prefix) :].replace(os.sep, "/"), pattern)
            ]
            matched = [
                path
                for path, rel in by_path.items()
                if rel in unclassified
                and path.startswith(prefix)
                and _include_matches(path[len(prefix) :].replace(os.sep, "/"), pattern)
            ]
            target = os.path.normpath(os.path.join(repository, pattern))
            if not matched and not any(c in pattern for c in "*?[") and target not in claimed:
                matched = [target] if _readable_in(repository, target) else []
            for path in matched:
                if not path.endswith((".yml", ".yaml")) or path in claimed:
                    continue
                claimed.add(path)
                rel = by_path.get(path)
                if rel in unclassified:
                    read: SourceFile | None = unclassified.pop(rel)
                else:
                    read = _pulled_in(path, root, configs, sources, "gitlab-ci")
                if read is not None:
                    included = SourceFile(read.rel, "gitlab-ci", read.text, read.path)
                    found.append(included)
                    pending.append((included, repository))
                    pipelines[path] = included.rel
                    edges.append(included.rel)
    return found


# The key is written with this word, or with an escape in a quoted scalar that spells it.
_INCLUDE_WORD = re.compile(r"include|\\")


def _include_matches(rel: str, pattern: str) -> bool:
    return rel == pattern or fnmatch.fnmatchcase(rel, pattern)


def _readable_in(bound: str, target: str) -> bool:
    """A regular file under `bound`, reached without a link."""
    return discover.inside_without_links(bound, target) and os.path.isfile(target)


# HCL writes a module call with a word no escape can spell; a JSON key may be escaped (`"\u006dodule"`).
_HCL_MODULE = re.compile(r"\bmodule\b")
_JSON_MODULE = re.compile(r"module|\\u")
# Nearly every call writes its source as a plain string: read without parsing the file. Another
# block's `source` (a provisioner's file) only adds a directory to look in.
_PLAIN_SOURCE = re.compile(r'\bsource\s*=\s*"([^"\\$%\n]*)"')
_ANY_SOURCE = re.compile(r"\bsource\s*=")
_MODULE_SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json")  # what Terraform loads in a module


def terraform_modules(sources: Sources, root: Path, configs: Configs) -> list[SourceFile]:
    """The local modules (`source = "./..."` or `"../..."`, relative to the calling module's
    directory) the Terraform read calls, wherever they live (a skipped directory, outside the
    scanned paths) but inside the repository (the scan root outside one), never through a link:
    transitively, each directory once."""
    modules: dict[str, list[SourceFile]] = defaultdict(list)
    for file in sources.files:
        if file.format == "terraform":
            modules[os.path.dirname(_absolute(file))].append(file)
    found: list[SourceFile] = []
    pending = sorted(modules, reverse=True)
    while pending:
        directory = pending.pop()
        calls = [(f, s) for f in modules[directory] for s in _local_module_sources(f, sources)]
        bound = (discover.repository_root(directory) or os.path.abspath(root)) if calls else ""
        for caller, source in calls:
            target = os.path.normpath(os.path.join(directory, source))
            called = posixpath.normpath(posixpath.join(posixpath.dirname(caller.rel), source))
            sources.deploys.setdefault(caller.rel, []).append(called)
            if target in modules or not discover.inside_without_links(bound, target):
                continue
            if not os.path.isdir(target):
                continue  # not a module (a provisioner's file), or missing: nothing to read
            files = _module_files(target, root, configs, sources)
            modules[target] = files  # even when empty: each directory once
            found += files
            pending.append(target)
    return found


def _local_module_sources(file: SourceFile, sources: Sources) -> list[str]:
    """The local paths `module` blocks of a Terraform file call (nothing when it does not parse: its
    extraction reports that)."""
    local = ("./", "../")
    if file.rel.endswith((".tf", ".tofu")):
        if not _HCL_MODULE.search(file.text):
            return []
        plain = _PLAIN_SOURCE.findall(file.text)
        if len(plain) == len(_ANY_SOURCE.findall(file.text)):
            return [s for s in plain if s.startswith(local)]
    elif not file.rel.endswith(_MODULE_SUFFIXES) or not _JSON_MODULE.search(file.text):
        return []
    from nhilint.parse.hcl import parse_hcl, parse_tf_json
    from nhilint.parse.json import parse_json

    try:
        body = parse_tf_json(parse_json(file.text)) if file.rel.endswith(".json") else parse_hcl(file.text)[0]
    except (ParseError, RecursionError):  # TooComplex is a ParseError
        return []
    except Exception as exc:  # a bug of ours: the module's own extraction will say more
        if os.environ.get("NHILINT_DEBUG"):
            raise
        sources.internal_errors.append(InternalError.of(file.rel, exc))
        return []
    calls = [b.attrs.get("source") for b in body.blocks if b.type == "module"]
    return [s for s in calls if isinstance(s, str) and s.startswith(local)]


def _module_files(directory: str, root: Path, configs: Configs, sources: Sources) -> list[SourceFile]:
    """The Terraform files of a module directory (not its subdirectories: a module is one directory)."""
    try:
        entries = sorted((e for e in os.scandir(directory) if e.name.endswith(_MODULE_SUFFIXES)), key=_name)
    except OSError:
        rel = discover.relative(Path(directory), root) + "/"
        sources.skipped.setdefault(discover.UNREADABLE_DIRECTORY, []).append(rel)
        return []
    files = []
    for entry in entries:
        if not entry.is_symlink() and not entry.is_file(follow_symlinks=False):
            rel = discover.relative(Path(entry.path), root)
            sources.skipped.setdefault(discover.NOT_A_FILE, []).append(rel)
        elif read := _pulled_in(entry.path, root, configs, sources, "terraform"):
            files.append(read)
    return files


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


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


def units(
    files: list[SourceFile], gitlab_includes: dict[str, list[str]] | None = None
) -> list[list[SourceFile]]:
    """Groups an extractor reads together: a Terraform module (directory), or a single file.

    A Terraform unit is followed by the files of the local modules it calls (transitively): they
    are judged with the values the call passes, and the cache key then covers them too. A GitLab CI
    file is followed by the other files of its pipeline (`gitlab_pipeline`). Only the first file
    (or directory) of a unit is judged; the rest is context."""
    grouped: dict[tuple[str, str], list[SourceFile]] = defaultdict(list)
    for file in files:
        key = str(PurePosixPath(file.rel).parent) if file.format in formats.PER_DIRECTORY else file.rel
        grouped[(file.format, key)].append(file)
    modules = {key: group for (fmt, key), group in grouped.items() if fmt == "terraform"}
    calls: dict[str, list[str]] = {}
    context = _gitlab_context([f for f in files if f.format == "gitlab-ci"], gitlab_includes or {})
    return [
        grouped[k]
        + (_called_files(k[1], modules, calls) if k[0] == "terraform" else [])
        + (context.get(k[1], []) if k[0] == "gitlab-ci" else [])
        for k in sorted(grouped)
    ]


MAX_PIPELINE_FILES = 64  # other files of a GitLab pipeline read as context of one of its files


def _gitlab_context(files: list[SourceFile], includes: dict[str, list[str]]) -> dict[str, list[SourceFile]]:
    """The other files of its pipeline each GitLab CI file is read with. Every file of a pipeline is
    then parsed once per file of it: in all, no more than about two more reads of every GitLab
    file (plus 1 MB), so a hostile tree of includes costs little; past that, files go without."""
    by_rel = {f.rel: f for f in files}
    parents: dict[str, set[str]] = defaultdict(set)
    for parent, children in includes.items():
        for child in children:
            if child != parent:
                parents[child].add(parent)
    budget = 2 * sum(len(f.text) for f in files) + 1_000_000
    context: dict[str, list[SourceFile]] = {}
    for rel in sorted(by_rel):
        found = [by_rel[r] for r in gitlab_pipeline(rel, includes, parents) if r in by_rel]
        cost = sum(len(f.text) for f in found)
        if found and cost <= budget:
            budget -= cost
            context[rel] = found
    return context


def gitlab_pipeline(rel: str, includes: dict[str, list[str]], parents: dict[str, set[str]]) -> list[str]:
    """The other files of the one pipeline a GitLab CI file belongs to: the file that includes it
    (through any chain; `parents` maps a file to those that include it) and everything that file
    includes. A file several pipelines include gets none: a `default:` or template of one of them
    may not hold in the others."""
    roots, seen, pending = set(), {rel}, [rel]
    while pending:
        current = pending.pop()
        if not parents.get(current):
            roots.add(current)
        for parent in parents.get(current, set()) - seen:
            seen.add(parent)
            pending.append(parent)
    if len(roots) != 1:
        return []
    pipeline, pending = dict.fromkeys(roots), list(roots)
    while pending and len(pipeline) <= MAX_PIPELINE_FILES:
        for child in includes.get(pending.pop(0), []):
            if child not in pipeline:
                pipeline[child] = None
                pending.append(child)
    return [other for other in pipeline if other != rel][:MAX_PIPELINE_FILES]


MAX_CALLED_MODULES = 64  # local modules read as context of one Terraform unit (a deep tree stops there)


def _called_files(
    directory: str, modules: dict[str, list[SourceFile]], calls: dict[str, list[str]]
) -> list[SourceFile]:
    """The files of the local modules `directory` calls, directly or through other modules."""
    seen = {directory}
    pending = [directory]
    found: list[SourceFile] = []
    while pending and len(seen) <= MAX_CALLED_MODULES:
        current = pending.pop(0)
        if current not in calls:
            sources = (s for f in modules[current] for s in _local_module_sources(f, Sources()))
            calls[current] = list(
                dict.fromkeys(posixpath.normpath(posixpath.join(current, s)) for s in sources)
            )
        for target in calls[current]:
            if target in modules and target not in seen:
                seen.add(target)
                pending.append(target)
                found += modules[target]
    return found


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
    own = PurePosixPath(unit[0].rel).parent
    for file in (
        f
        for f in unit
        if f is unit[0] or (f.format in formats.PER_DIRECTORY and PurePosixPath(f.rel).parent == own)
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
    for part in parallel.extract_all(units(sources.files, sources.gitlab_includes), use_cache, jobs, extract):
        extraction.add(part)
    if sources.kustomizations:  # whole-scan facts: overlays and bases, for the lifecycle rules
        from nhilint.formats.kubernetes import kustomize_facts

        extraction.facts += kustomize_facts(sources.kustomizations)
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
    deploys = {**sources.deploys, **sources.gitlab_includes}
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
