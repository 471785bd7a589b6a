"""`nhilint scan`: scan paths, report, exit by the findings that fail."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nhilint.commands import options
from nhilint.commands.common import directories, emit, fail, prefixes, report_internal_errors, say
from nhilint.report import DEFAULT_WIDTH, FORMATS, TERMINAL_FORMATS, render

if TYPE_CHECKING:
    from nhilint.config import Configs
    from nhilint.findings import Finding, ScanResult


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-f",
    "--format",
    "--output-format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="Output format (concise: one line per finding; github: workflow annotations; markdown: a PR "
    "summary).",
)
@options.output("Write the report to this file instead of standard output.")
@options.rule_selection(" (NHI101, NHI2)")
@options.failing("scan", "warning")
@options.config()
@click.option(
    "--context",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Also read these paths (e.g. the repository: --context .) so whole-scan rules see them, "
    "but report only findings about PATHS. Used by the pre-commit hook. Repeatable.",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Suppress the findings recorded in this baseline file (`nhilint baseline write`).",
)
@click.option(
    "--report-unused-ignores", is_flag=True, help="Report suppressions that no longer hide anything."
)
@click.option(
    "--all-resources",
    is_flag=True,
    help="In a Terraform plan, also judge the resources it deletes or leaves unchanged.",
)
@click.option(
    "--skip-plans",
    is_flag=True,
    help="Leave Terraform plan JSON files out unless the configuration says `scan-plans: true` (the "
    "pre-commit hook: a plan is a build output).",
)
@options.no_cache("Do not read or write any cache (also: NHILINT_NO_CACHE=1).")
@click.option("-v", "--verbose", is_flag=True, help="List every file skipped, and why, on standard error.")
@options.jobs("Processes that read the files (default: every core above 300 files, else 1). Same report.")
def scan(
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
) -> None:
    """Scan PATHS (files or directories; default: the current directory; `-`: standard input)."""
    from nhilint.pipeline.baseline import BaselineError, read
    from nhilint.pipeline.discover import relative

    try:
        entries = read(baseline_path) if baseline_path else None
    except BaselineError as exc:
        fail(str(exc))
    if Path("-") in paths and (sys.stdin is None or sys.stdin.isatty()):
        here = "closed" if sys.stdin is None else "a terminal"
        fail(f"`-` reads a document from standard input, {here} here: pipe it in (`... | nhilint scan -`)")
    configs, result = run_scan(
        paths,
        config_path,
        select,
        ignore,
        fail_on,
        context=list(context) or None,
        use_cache=not no_cache,
        report_unused_ignores=report_unused_ignores,
        baseline=entries,
        jobs=jobs,
        all_resources=all_resources,
        skip_plans=skip_plans,
    )
    named = set() if context else {relative(p, Path.cwd()) for p in paths if not p.is_dir()}
    _explain_skips(result, configs, verbose, named)
    color = fmt in TERMINAL_FORMATS and output is None and _use_color(sys.stdout)
    width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns if output is None else DEFAULT_WIDTH
    emit(render(result, fmt, color=color, width=width), output, color=color)
    if result.internal_errors:
        report_internal_errors(result)
        sys.exit(2)
    failing = [f for f in result.active if _fails(f, configs)]
    sys.exit(1 if failing and not exit_zero else 0)


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
    from nhilint.pipeline.scan import scan as scan_paths

    targets = list(paths) or [Path(".")]
    try:
        with cache.disabled(not scan_options.get("use_cache", True)):  # --no-cache: every cache
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
    emptied = result.skipped.get(EXCLUDED, []) + result.skipped.get(SKIPPED_DIRECTORY, [])
    if result.files_scanned == 0 and emptied:
        fail(
            f"nothing was scanned: configuration excludes all {len(emptied)} candidate "
            f"{'path' if len(emptied) == 1 else 'paths'} under the given paths (`exclude`, "
            "`skip-directories`; --verbose lists them)"
        )
