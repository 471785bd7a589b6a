"""discover -> read -> extract -> rules -> suppress -> fingerprint -> baseline -> fold: one scan, start to
end."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from nhilint import catalogue, rules
from nhilint.config import Config, Configs
from nhilint.facts import Loc
from nhilint.findings import Finding, ScanResult
from nhilint.formats import Extraction
from nhilint.formats.registry import FORMATS
from nhilint.pipeline import discover, parallel, production, suppress
from nhilint.pipeline.baseline import Entry
from nhilint.pipeline.baseline import apply as apply_baseline
from nhilint.pipeline.extract import extract, problem_findings
from nhilint.pipeline.fingerprint import fingerprint
from nhilint.pipeline.fold import fold
from nhilint.pipeline.planned import planned_only
from nhilint.pipeline.read import read_beside, read_sources
from nhilint.pipeline.units import units
from nhilint.pipeline.unparsed import raw_secrets


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
    all_resources: bool = False,
    skip_plans: bool = False,
    edited: Mapping[str, str] | None = None,
) -> ScanResult:
    """Scan `paths`, each file judged by its own configuration (a `Config` judges them all).

    With `context`, read everything under `context` (so whole-scan rules and cross-file references
    see it) but report only findings about the files under `paths`. `baseline` entries are
    suppressed; the result counts the stale ones. `jobs` processes extract the files (None: every
    core for a big scan); the result does not depend on it. `skip_plans` (the pre-commit hook) leaves
    Terraform plans out unless their configuration says `scan-plans: true`. `edited` (absolute path ->
    text) is read instead of those files on disk (`nhilint fix` re-scans its edits before writing)."""
    root = root or Path.cwd()
    configs = config if isinstance(config, Configs) else Configs(explicit=config)
    checks = catalogue.load()
    found = discover.walk(context or paths, root, configs)
    narrow = discover.walk(paths, root, configs) if context is not None else found
    # a file given is read even where the context's walk would not go (a skipped directory)
    sources = read_sources(
        found.files + narrow.files, root, configs, skip_plans, scanned=context or paths, edited=edited
    )
    extraction = Extraction(problems=list(sources.problems), internal_errors=list(sources.internal_errors))
    for part in parallel.extract_all(units(sources.files, sources.links), use_cache, jobs, extract):
        extraction.add(part)
    extraction.facts += sources.facts  # whole-scan facts: overlays and bases, for the lifecycle rules
    extraction.facts += raw_secrets(sources.files, extraction.problems, extraction.facts)
    # rules run if any file's configuration wants them; each finding is then judged by its own file's
    ran = Config(select=tuple(rid for rid in checks if configs.enabled(rid)) or ("-",))  # "-": none
    ctx = rules.RuleContext(
        facts=extraction.facts,
        config=ran,
        catalogue=checks,
        formats={f.rel: f.format for f in sources.files},
        ci_formats={f.ci: f.name for f in FORMATS if f.ci},
        nouns={f.name: f.noun for f in FORMATS},
        loose_nouns={f.name: f.loose_noun or f.noun for f in FORMATS},
        unit_nouns={f.ci: f.unit_noun for f in FORMATS if f.ci},
        federates_with={f.ci: f.federates_with for f in FORMATS if f.federates_with},
        literal_logins={f.name: f.literal_logins for f in FORMATS if f.literal_logins},
        tags_at_place={f.name: f.tags_at_place for f in FORMATS if f.tags_at_place[0]},
        tags_at_file={f.name: f.tags_at_file for f in FORMATS if f.tags_at_file[0]},
        configs=configs,
        root=root,
    )
    findings = _dedupe(
        problem_findings(extraction.problems, checks, ran) + list(rules.run(ctx, extraction.internal_errors))
    )
    findings = planned_only(findings, extraction.facts, all_resources)  # a Terraform plan's resources
    ignores = suppress.collect(sources.lines, extraction.facts)
    findings += suppress.apply(findings, ignores, ran, checks, ctx.today, report_unused_ignores)
    findings = _judged_by_own_config(findings, ctx)
    findings.sort(key=Finding.sort_key)
    everything = findings
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
    # a fingerprint counts the findings of its file before it: each file a finding is kept in is
    # fingerprinted whole, in order, so fingerprints equal a full scan's (the others need none)
    kept = {f.loc.file for f in findings}
    fingerprint([f for f in everything if f.loc.file in kept], sources.lines)
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
