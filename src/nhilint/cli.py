"""Command line: parse options, call the library, choose the exit code. Nothing else lives here.

Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or configuration error (and, for
`audit`, a repository that could not be audited).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nhilint import __version__
from nhilint.report import DEFAULT_WIDTH, FORMATS, TERMINAL_FORMATS, render

if TYPE_CHECKING:
    from nhilint.config import Configs
    from nhilint.findings import Finding, ScanResult

SEVERITY = click.Choice(["error", "warning", "note"])


def _fail(message: str) -> None:
    _say(f"nhilint: error: {message}")
    sys.exit(2)


def _say(message: str, nl: bool = True) -> None:
    """One line on stderr. Messages quote paths, names and values from scanned or configuration
    files: a line break there must not start a line of its own (a GitHub workflow command, a fake
    result), and a secret is shown only as its redacted prefix."""
    from nhilint.knowledge.redaction import redact_secrets
    from nhilint.report.escape import terminal_line

    click.echo(terminal_line(redact_secrets(message)), err=True, nl=nl)


def _prefixes(values: tuple[str, ...]) -> tuple[str, ...]:
    """Rule IDs and prefixes from repeatable, comma-separated options; one that names no rule is an
    error (a typo in --select would turn the linter off, one in --ignore would do nothing)."""
    from nhilint import catalogue

    out = tuple(v.strip().upper() for value in values for v in value.split(",") if v.strip())
    ids = catalogue.load()
    for prefix in out:
        if reason := catalogue.unknown_rule(prefix, ids):
            raise click.BadParameter(reason)
    return out


def _use_color(stream: object) -> bool:
    """Colour on a terminal; NO_COLOR (any non-empty value) turns it off, FORCE_COLOR (any value but
    `0`/`false`) on even through a pipe."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "").lower() not in ("", "0", "false"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="nhilint")
def main() -> None:
    """Stop risky non-human identities before they are deployed."""


@main.command()
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
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option("--select", multiple=True, help="Only these rule IDs or prefixes (NHI101, NHI2). Repeatable.")
@click.option("--ignore", multiple=True, help="Never these rule IDs or prefixes. Repeatable.")
@click.option("--fail-on", type=SEVERITY, help="Lowest severity that fails the scan (default: warning).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the scan.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: nearest .nhilint.yaml or pyproject.toml [tool.nhilint]).",
)
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
@click.option("--no-cache", is_flag=True, help="Do not read or write any cache (also: NHILINT_NO_CACHE=1).")
@click.option("-v", "--verbose", is_flag=True, help="List every file skipped, and why, on standard error.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Processes that read the files (default: every core above 300 files, else 1). Same report.",
)
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
    no_cache: bool,
    verbose: bool,
    jobs: int | None,
) -> None:
    """Scan PATHS (files or directories; default: the current directory)."""
    from nhilint.baseline import BaselineError, read
    from nhilint.discover import relative

    try:
        entries = read(baseline_path) if baseline_path else None
    except BaselineError as exc:
        _fail(str(exc))
    configs, result = _run_scan(
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
    )
    named = set() if context else {relative(p, Path.cwd()) for p in paths if not p.is_dir()}
    _explain_skips(result, configs, verbose, named)
    color = fmt in TERMINAL_FORMATS and output is None and _use_color(sys.stdout)
    width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns if output is None else DEFAULT_WIDTH
    _emit(render(result, fmt, color=color, width=width), output, color=color)
    if result.internal_errors:
        _report_internal_errors(result)
        sys.exit(2)
    failing = [f for f in result.active if _fails(f, configs)]
    sys.exit(1 if failing and not exit_zero else 0)


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
    from nhilint.discover import EXCLUDED, SKIPPED_DIRECTORY

    for reason, files in result.skipped.items():
        for rel in files:
            if rel in named or verbose:
                _say(f"nhilint: skipped {rel}: {reason}")
    if verbose:
        for config in configs.every():
            _say(f"nhilint: configuration: {config.source or 'defaults'}")
    emptied = result.skipped.get(EXCLUDED, []) + result.skipped.get(SKIPPED_DIRECTORY, [])
    if result.files_scanned == 0 and emptied:
        _fail(
            f"nothing was scanned: configuration excludes all {len(emptied)} candidate "
            f"{'path' if len(emptied) == 1 else 'paths'} under the given paths (`exclude`, "
            "`skip-directories`; --verbose lists them)"
        )


def _report_internal_errors(result: ScanResult) -> None:
    for error in result.internal_errors:
        where = f" at {error.where}" if error.where else ""
        _say(
            f"nhilint: internal error: {error.error}{where} while reading {error.file}; "
            "the rest was scanned. This is a bug in nhilint: please report it "
            "(NHILINT_DEBUG=1 shows the traceback)."
        )


def _run_scan(
    paths: tuple[Path, ...],
    config_path: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    **options: Any,
) -> tuple[Configs, ScanResult]:
    """Each file's configuration (--config for all, else the nearest one) and the scan's result."""
    from nhilint import cache, engine
    from nhilint import config as configuration

    targets = list(paths) or [Path(".")]
    try:
        with cache.disabled(not options.get("use_cache", True)):  # --no-cache: every cache, not only facts
            overrides = {"select": _prefixes(select), "ignore": _prefixes(ignore), "fail_on": fail_on}
            overrides = {k: v for k, v in overrides.items() if v not in (None, ())}
            explicit = configuration.read_file(config_path) if config_path else None
            scanned = targets + (options.get("context") or [])
            configs = configuration.Configs(explicit, overrides, boundaries=_directories(scanned))
            for target in scanned:
                configs.at(target)  # a broken configuration is an error even where no file is read
            return configs, engine.scan(targets, configs, **options)
    except configuration.ConfigError as exc:
        _fail(str(exc))
    except click.BadParameter as exc:
        _fail(exc.message)
    except FileNotFoundError as exc:
        _fail(f"path does not exist: {exc.args[0]}")
    raise AssertionError("unreachable")  # _fail exits


def _directories(paths: list[Path]) -> tuple[Path, ...]:
    """The directories given, or holding the files given: outside a repository, configuration is
    looked up no higher than these."""
    return tuple(p if p.is_dir() else p.parent for p in paths)


def _emit(text: str, output: Path | None, color: bool = False) -> None:
    if output is None:
        click.echo(text, nl=False, color=color or None)  # None: click strips colour off a terminal
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror}")


@main.group()
def baseline() -> None:
    """Adopt nhilint in an existing repository: record today's findings, fail only on new ones."""


@baseline.command(name="write")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Only these rule IDs or prefixes. Repeatable.")
@click.option("--ignore", multiple=True, help="Never these rule IDs or prefixes. Repeatable.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: nearest .nhilint.yaml or pyproject.toml [tool.nhilint]).",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write any cache.")
def baseline_write(
    file: Path,
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: Path | None,
    no_cache: bool,
) -> None:
    """Record every current finding in PATHS (default: .) to FILE; then scan with --baseline FILE."""
    from nhilint.baseline import render as render_baseline

    _, result = _run_scan(paths, config_path, select, ignore, None, use_cache=not no_cache)
    _emit(render_baseline(result.findings), file)
    count = len(result.active)
    _say(f"nhilint: wrote {count} finding{'s' if count != 1 else ''} to {file}")


@main.command(name="rules")
def list_rules() -> None:
    """List every rule: ID, slug, severity, OWASP item and summary."""
    from nhilint import catalogue

    checks = catalogue.load().values()
    width = max(len(c.slug) for c in checks)
    for check in checks:
        click.echo(
            f"{check.id}  {check.slug:<{width}}  {check.severity:<7}  {check.owasp:<5}  {check.summary}"
        )


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Explain one rule: what it finds, why it matters, how to fix it."""
    from nhilint import catalogue
    from nhilint.docs import rule_markdown

    check = catalogue.load().get(rule_id.upper())
    if check is None:
        _fail(f"unknown rule {rule_id!r}; `nhilint rules` lists them")
        return
    click.echo(rule_markdown(check))


@main.command(name="checkov-dir")
def checkov_dir() -> None:
    """Print checkov's external-checks directory: checkov --external-checks-dir "$(nhilint checkov-dir)"."""
    from nhilint.integrations.checkov import checks_dir

    click.echo(str(checks_dir()))


# --- bulk audits, merge and inventory (issue 8) ---


@main.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--from",
    "list_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File listing repositories (directories or git URLs), one per line. Repeatable.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: number of CPUs).")
@click.option("--shard", help="Audit only shard I of N (e.g. 2/8): a stable split of the repositories.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where git URLs are cloned (default: the user cache directory).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the combined JSON report here.",
)
@click.option(
    "--sarif-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one SARIF file per repository into this directory.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every finding as a CSV row here.",
)
@click.option("--select", multiple=True, help="Only these rule IDs or prefixes. Repeatable.")
@click.option("--ignore", multiple=True, help="Never these rule IDs or prefixes. Repeatable.")
@click.option(
    "--fail-on",
    type=SEVERITY,
    help="Lowest severity that fails the audit (default: each repository's config).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the audit.")
@click.option(
    "--keep-going",
    is_flag=True,
    help="Exit by findings even when some repositories failed (default: exit 2 when any failed).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration for every repository (default: each repository's own).",
)
def audit(
    sources: tuple[str, ...],
    list_files: tuple[Path, ...],
    jobs: int | None,
    shard: str | None,
    cache_dir: Path | None,
    json_path: Path | None,
    sarif_dir: Path | None,
    csv_path: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    keep_going: bool,
    config_path: Path | None,
) -> None:
    """Audit many repositories (directories or git URLs) in parallel and combine the results."""
    import json

    from nhilint import audit as bulk
    from nhilint.schema import cache_dir as user_cache

    try:
        targets = bulk.select_shard(
            bulk.read_targets(sources, list_files), bulk.parse_shard(shard) if shard else None
        )
        options = bulk.ScanOptions(
            cache_dir=(cache_dir or user_cache() / "repos").resolve(),
            config_path=config_path.resolve() if config_path else None,
            select=_prefixes(select),
            ignore=_prefixes(ignore),
            fail_on=fail_on,
            sarif=sarif_dir is not None,
        )
        if any(t.is_url for t in targets):
            bulk.private_dir(options.cache_dir)
    except (bulk.AuditError, OSError) as exc:
        _fail(str(exc))
    except click.BadParameter as exc:
        _fail(exc.format_message())
    if not targets and not shard:
        _fail("no repositories to audit: give directories or git URLs, or --from FILE")
    tty = sys.stderr.isatty()

    def progress(done: int, total: int, report: bulk.RepoReport) -> None:
        if tty:
            bar = "#" * (30 * done // total)
            click.echo("\r", err=True, nl=False)  # the bar redraws itself; the name is escaped
            _say(f"[{bar:<30}] {done}/{total} {report.target.name[:30]:<30}", nl=done == total)
        elif not report.ok:
            _say(bulk.printable(f"nhilint: {report.target.source}: {report.error}"))

    reports = bulk.run(targets, options, jobs or os.cpu_count() or 1, progress)
    failed = [r for r in reports if not r.ok]
    for report in failed if tty else []:  # the progress bar kept them for the end
        _say(bulk.printable(f"nhilint: {report.target.source}: {report.error}"))
    document = bulk.combined(reports)
    if json_path:
        _emit(json.dumps(document, indent=2) + "\n", json_path)
    if sarif_dir:
        bulk.write_sarif_dir(reports, sarif_dir)
    if csv_path:
        try:
            bulk.write_csv(document, csv_path)
        except OSError as exc:
            _fail(f"cannot write {csv_path}: {exc.strerror}")
    click.echo(bulk.Table.of(reports).render(), nl=False)
    from nhilint.report.text import plural

    s = document["summary"]
    by_severity = ", ".join(plural(s[f"{level}s"], level) for level in ("error", "warning", "note"))
    click.echo(
        f"{plural(s['repositories'], 'repository', 'repositories')} ({s['repositories_failed']} failed), "
        f"{plural(s['total'], 'finding')} ({by_severity}) in {plural(s['files_scanned'], 'file')}"
    )
    if failed and not keep_going:
        click.echo(
            f"nhilint: error: {len(failed)} of {len(reports)} repositories failed "
            "(--keep-going to exit by findings alone)",
            err=True,
        )
        sys.exit(2)
    sys.exit(1 if bulk.failing(document) and not exit_zero else 0)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the merged result here instead of standard output.",
)
def merge(inputs: tuple[Path, ...], output: Path | None) -> None:
    """Merge audit JSON files (or SARIF files) from sharded audits into one."""
    import json

    from nhilint.merge import MergeError, merge_files

    try:
        _, merged = merge_files(list(inputs))
    except MergeError as exc:
        _fail(str(exc))
        return
    _emit(json.dumps(merged, indent=2) + "\n", output)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "markdown", "html"]),
    default="markdown",
    show_default=True,
    help="Output format (html: one self-contained page with a sortable table).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the inventory to this file instead of standard output.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: nearest .nhilint.yaml or pyproject.toml [tool.nhilint]).",
)
def inventory(paths: tuple[Path, ...], fmt: str, output: Path | None, config_path: Path | None) -> None:
    """List every machine identity in PATHS: owner, expiry, credentials, privilege, workloads, rules."""
    from datetime import date

    from nhilint import config as configuration
    from nhilint import engine
    from nhilint import inventory as identities

    targets = list(paths) or [Path(".")]
    try:
        explicit = configuration.read_file(config_path) if config_path else None
        configs = configuration.Configs(explicit, boundaries=_directories(targets))
        for target in targets:
            configs.at(target)  # a broken configuration is an error even where no file is read
        scanned = engine.scan(targets, configs, root=Path.cwd())
        result = identities.inventory(scanned.facts, scanned.unfolded, configs, date.today(), Path.cwd())
    except configuration.ConfigError as exc:
        _fail(str(exc))
        return
    except FileNotFoundError as exc:
        _fail(f"path does not exist: {exc.args[0]}")
        return
    _emit(identities.render(result, fmt), output)
    if scanned.internal_errors:  # an inventory with holes must not pass for a whole one
        _report_internal_errors(scanned)
        sys.exit(2)


# --- end of issue 8 block ---


if __name__ == "__main__":  # pragma: no cover
    main()
