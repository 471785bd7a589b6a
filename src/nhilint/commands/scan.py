"""`nhilint scan`: scan paths, report, exit by the findings that fail."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nhilint.commands import options
from nhilint.commands.common import (
    directories,
    emit,
    fail,
    prefixes,
    refuse_to_overwrite_an_input,
    report_internal_errors,
    say,
)
from nhilint.report import DEFAULT_WIDTH, FORMATS, TERMINAL_FORMATS, write

if TYPE_CHECKING:
    from nhilint.config import Configs
    from nhilint.findings import Finding, ScanResult


# The options `scan` and `fix` share, in --help order.
SCAN_OPTIONS = options.together(
    click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
    click.option(
        "-f",
        "--format",
        "--output-format",
        "fmt",
        type=click.Choice(list(FORMATS)),
        default="text",
        show_default=True,
        help="Output format (concise: one line per finding; github: workflow annotations; markdown: a PR "
        "summary).",
    ),
    options.output("Write the report to this file instead of standard output."),
    options.rule_selection(" (NHI101, NHI2)"),
    options.failing("scan", "warning"),
    options.config(),
    click.option(
        "--context",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Also read these paths (e.g. the repository: --context .) so whole-scan rules see them, "
        "but report only findings about PATHS. Used by the pre-commit hook. Repeatable.",
    ),
    click.option(
        "--baseline",
        "baseline_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Suppress the findings recorded in this baseline file (`nhilint baseline write`).",
    ),
    click.option(
        "--report-unused-ignores", is_flag=True, help="Report suppressions that no longer hide anything."
    ),
    click.option(
        "--all-resources",
        is_flag=True,
        help="In a Terraform plan, also judge the resources it deletes or leaves unchanged.",
    ),
    click.option(
        "--skip-plans",
        is_flag=True,
        help="Leave Terraform plan JSON files out unless the configuration says `scan-plans: true` (the "
        "pre-commit hook: a plan is a build output).",
    ),
    options.no_cache("Do not read or write any cache (also: NHILINT_NO_CACHE=1)."),
    click.option(
        "-v", "--verbose", is_flag=True, help="List every file skipped, and why, on standard error."
    ),
    options.jobs(
        "Processes that read the files (default: every core when over 300 files are not in the cache, "
        "else 1). Same report."
    ),
)


@click.command()
@SCAN_OPTIONS
@click.option(
    "--fix",
    "apply_fixes",
    is_flag=True,
    help="Apply the safe fixes to the files under PATHS (docs/fixes.md).",
)
@options.fix_flags()
def scan(**params: Any) -> None:
    """Scan PATHS (files or directories; default: the current directory; `-`: standard input)."""
    run(**params)


def run(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    config_path: Path | None,
    context: tuple[Path, ...],
    baseline_path: Path | None,
    report_unused_ignores: bool,
    all_resources: bool,
    skip_plans: bool,
    no_cache: bool,
    verbose: bool,
    jobs: int | None,
    apply_fixes: bool,
    unsafe_fixes: bool,
    diff: bool,
) -> None:
    """`scan`, and with `apply_fixes` or `diff` `fix`: scan, fix, report, exit by what is left."""
    from nhilint.pipeline.baseline import BaselineError, read
    from nhilint.pipeline.discover import relative

    try:
        entries = read(baseline_path) if baseline_path else None
    except BaselineError as exc:
        fail(str(exc))
    if diff and fmt != "text":
        fail(f"--diff prints the fixes as a unified diff, not a {fmt} report: drop --diff or --format")
    if Path("-") in paths and (apply_fixes or diff):
        fail("fixes are written to files, not standard input: name the files to fix instead of `-`")
    if Path("-") in paths and (sys.stdin is None or sys.stdin.isatty()):
        here = "closed" if sys.stdin is None else "a terminal"
        fail(f"`-` reads a document from standard input, {here} here: pipe it in (`... | nhilint scan -`)")
    scan_options: dict[str, Any] = dict(
        context=list(context) or None,
        use_cache=not no_cache,
        report_unused_ignores=report_unused_ignores,
        baseline=entries,
        jobs=jobs,
        all_resources=all_resources,
        skip_plans=skip_plans,
    )
    selection = (config_path, select, ignore, fail_on)
    unwritten = False
    if apply_fixes or diff:
        configs, result, unwritten = _fixed(
            paths, selection, scan_options, unsafe_fixes, diff, output, exit_zero
        )
    else:
        configs, result = run_scan(paths, *selection, **scan_options)
        if fmt in MARKED_FORMATS:
            from nhilint.fixes import session

            session.mark(
                result, session.options_at(configs, Path(result.root)), unsafe_fixes, paths or [Path(".")]
            )
    named = set() if context else {relative(p, Path.cwd()) for p in paths if not p.is_dir()}
    _explain_skips(result, configs, verbose, named)
    if all_resources and not _read_a_plan(result):
        say("nhilint: --all-resources changed nothing: no Terraform plan (`terraform show -json`) was read")
    refuse_to_overwrite_an_input(output, result)
    color = fmt in TERMINAL_FORMATS and output is None and _use_color(sys.stdout)
    width = _terminal_width() if output is None and fmt == "text" else DEFAULT_WIDTH  # only `text` wraps
    _release_what_the_report_does_not_read(result, fmt)
    emit(write(result, fmt, color=color, width=width), output, color=color)
    if result.internal_errors:
        report_internal_errors(result)
        sys.exit(2)
    if unwritten:
        sys.exit(2)
    failing = [f for f in result.active if _fails(f, configs)]
    sys.exit(1 if failing and not exit_zero else 0)


MARKED_FORMATS = ("text", "concise", "json")  # the formats that show which findings `nhilint fix` fixes


def _fixed(
    paths: tuple[Path, ...],
    selection: tuple[Path | None, tuple[str, ...], tuple[str, ...], str | None],
    scan_options: dict[str, Any],
    unsafe: bool,
    diff: bool,
    output: Path | None,
    exit_zero: bool,
) -> tuple[Configs, ScanResult, bool]:
    """Fix the files under `paths` (`diff`: print the diff, write nothing, exit 1 if any, unless
    `exit_zero`) and return the scan of the fixed files, its remaining findings marked, and whether
    a fixed file could not be written."""
    from nhilint.fixes import session
    from nhilint.report.text import plural

    last: list[Configs] = []  # each round's scan resolves the configuration again (same files)

    def scanned(edited: Mapping[str, str]) -> ScanResult:
        configs, result = run_scan(paths, *selection, edited=edited, **scan_options)
        last[:] = [configs]
        return result

    root, targets = Path.cwd(), list(paths) or [Path(".")]
    outcome = session.run(
        scanned, lambda rel: session.options_for(last[0].at(root / rel)), unsafe, targets, root
    )
    result = outcome.result
    refuse_to_overwrite_an_input(output, result)  # before the diff, before a fixed file is written
    if diff:
        if result.internal_errors:
            report_internal_errors(result)
            sys.exit(2)
        emit(session.unified_diff(outcome), output)
        fixed = plural(result.fixes.fixed, "finding")
        say(
            f"nhilint: would fix {fixed} in {plural(result.fixes.files, 'file')}"
            if outcome.texts
            else "nhilint: nothing to fix"
        )
        sys.exit(1 if outcome.texts and not exit_zero else 0)
    failed = session.write_all(outcome)
    for sentence in failed:
        say(f"nhilint: error: {sentence}")
    for files, title, advice in session.advice(outcome):
        say(f"nhilint: fixed {', '.join(files)}: {title}; still to do by hand:")
        for line in advice.splitlines():
            say(f"  {line}")
    session.mark(result, lambda rel: session.options_for(last[0].at(root / rel)), unsafe, targets)
    return last[0], result, bool(failed)


def run_scan(
    paths: tuple[Path, ...],
    config_path: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    **scan_options: Any,
) -> tuple[Configs, ScanResult]:
    """Each file's configuration (--config for all, else the nearest one) and the scan's result."""
    from nhilint import cache
    from nhilint import config as configuration
    from nhilint.pipeline import gc_tuning
    from nhilint.pipeline.scan import scan as scan_paths

    targets = list(paths) or [Path(".")]
    try:
        # --no-cache: every cache; the collector tuned for the allocations of a scan
        with cache.disabled(not scan_options.get("use_cache", True)), gc_tuning.tuned():
            overrides = {"select": prefixes(select), "ignore": prefixes(ignore), "fail_on": fail_on}
            overrides = {k: v for k, v in overrides.items() if v not in (None, ())}
            explicit = configuration.read_file(config_path) if config_path else None
            scanned = targets + (scan_options.get("context") or [])
            configs = configuration.Configs(explicit, overrides, boundaries=directories(scanned))
            for target in scanned:
                configs.at(target)  # a broken configuration is an error even where no file is read
            return configs, scan_paths(targets, configs, **scan_options)
    except configuration.ConfigError as exc:
        fail(str(exc))
    except click.BadParameter as exc:
        fail(exc.message)
    except FileNotFoundError as exc:
        fail(f"path does not exist: {exc.args[0]}")


def _terminal_width() -> int:
    import shutil  # not at the top: it imports the compression modules, and only `text` asks

    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def _use_color(stream: object) -> bool:
    """Colour on a terminal; NO_COLOR (any non-empty value) turns it off, FORCE_COLOR (any value but
    `0`/`false`) on even through a pipe."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "").lower() not in ("", "0", "false"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def _fails(finding: Finding, configs: Configs) -> bool:
    from nhilint.findings import severity_rank

    if finding.non_production:  # a test, example or docs path: reported, never fails (production.py)
        return False
    threshold = configs.at(Path(finding.loc.file)).fail_on  # the file's own, or --fail-on for all
    return severity_rank(finding.severity) >= severity_rank(threshold)


def _release_what_the_report_does_not_read(result: ScanResult, fmt: str) -> None:
    """Drop the scan's facts, and the lines of files without a snippet to show (only `text` shows
    them), before the report is written: most of a big scan's memory, freed for the report's."""
    result.facts = []
    shown = {f.loc.file for f in result.active} if fmt == "text" else set()
    result.lines = {rel: result.lines[rel] for rel in sorted(shown) if rel in result.lines}


def _read_a_plan(result: ScanResult) -> bool:
    from nhilint.facts import Planned

    return any(isinstance(fact, Planned) for fact in result.facts)


def _explain_skips(result: ScanResult, configs: Configs, verbose: bool, named: set[str]) -> None:
    """Nothing is skipped in silence: a `named` file nhilint does not read gets a line of its own (not
    under pre-commit, which passes every file with a matching suffix), --verbose lists every skip,
    and a scan that configuration emptied is an error, not a pass."""
    from nhilint.pipeline.discover import EXCLUDED, SKIPPED_DIRECTORY

    for reason, files in result.skipped.items():
        for rel in files:
            if rel in named or verbose:
                say(f"nhilint: skipped {rel}: {reason}")
    if verbose:
        for config in configs.every():
            say(f"nhilint: configuration: {config.source or 'defaults'}")
    if not result.rules:
        fail(
            "no rule is left to run: the rule selection (--select/--ignore, or `select`/`ignore` in "
            "the configuration) turns every rule off"
        )
    emptied = result.skipped.get(EXCLUDED, []) + result.skipped.get(SKIPPED_DIRECTORY, [])
    if result.files_scanned == 0 and emptied:
        fail(
            f"nothing was scanned: configuration excludes all {len(emptied)} candidate "
            f"{'path' if len(emptied) == 1 else 'paths'} under the given paths (`exclude`, "
            "`skip-directories`; --verbose lists them)"
        )
