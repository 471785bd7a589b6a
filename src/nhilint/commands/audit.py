"""Bulk audits (issue 8): `nhilint audit` many repositories in parallel, `nhilint merge` the shards."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from nhilint.commands import options
from nhilint.commands.common import emit, fail, prefixes, say


@click.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--from",
    "list_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File listing repositories (directories or git URLs), one per line. Repeatable.",
)
@options.jobs("Worker processes (default: number of CPUs).")
@click.option("--shard", help="Audit only shard I of N (e.g. 2/8): a stable split of the repositories.")
@options.directory_path("--cache-dir", help="Where git URLs are cloned (default: the user cache directory).")
@options.file_path("--json", "json_path", help="Write the combined JSON report here.")
@options.directory_path("--sarif-dir", help="Write one SARIF file per repository into this directory.")
@options.file_path("--csv", "csv_path", help="Write every finding as a CSV row here.")
@options.rule_selection()
@options.failing("audit", "each repository's config")
@click.option(
    "--keep-going",
    is_flag=True,
    help="Exit by findings even when some repositories failed (default: exit 2 when any failed).",
)
@options.config("Configuration for every repository (default: each repository's own).")
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
    from nhilint.cache import cache_dir as user_cache

    try:
        targets = bulk.select_shard(
            bulk.read_targets(sources, list_files), bulk.parse_shard(shard) if shard else None
        )
        scan_options = bulk.ScanOptions(
            cache_dir=(cache_dir or user_cache() / "repos").resolve(),
            config_path=config_path.resolve() if config_path else None,
            select=prefixes(select),
            ignore=prefixes(ignore),
            fail_on=fail_on,
            sarif=sarif_dir is not None,
        )
        if any(t.is_url for t in targets):
            bulk.private_dir(scan_options.cache_dir)
    except (bulk.AuditError, OSError) as exc:
        fail(str(exc))
    except click.BadParameter as exc:
        fail(exc.format_message())
    if not targets and not shard:
        fail("no repositories to audit: give directories or git URLs, or --from FILE")
    tty = sys.stderr.isatty()

    def progress(done: int, total: int, report: bulk.RepoReport) -> None:
        if tty:
            bar = "#" * (30 * done // total)
            click.echo("\r", err=True, nl=False)  # the bar redraws itself; the name is escaped
            say(f"[{bar:<30}] {done}/{total} {report.target.name[:30]:<30}", nl=done == total)
        elif not report.ok:
            say(bulk.printable(f"nhilint: {report.target.source}: {report.error}"))

    reports = bulk.run(targets, scan_options, jobs or os.cpu_count() or 1, progress)
    failed = [r for r in reports if not r.ok]
    for report in failed if tty else []:  # the progress bar kept them for the end
        say(bulk.printable(f"nhilint: {report.target.source}: {report.error}"))
    document = bulk.combined(reports)
    if json_path:
        emit(json.dumps(document, indent=2) + "\n", json_path)
    if sarif_dir:
        bulk.write_sarif_dir(reports, sarif_dir)
    if csv_path:
        try:
            bulk.write_csv(document, csv_path)
        except OSError as exc:
            fail(f"cannot write {csv_path}: {exc.strerror}")
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


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@options.output("Write the merged result here instead of standard output.")
def merge(inputs: tuple[Path, ...], output: Path | None) -> None:
    """Merge audit JSON files (or SARIF files) from sharded audits into one."""
    import json

    from nhilint.audit.merge import MergeError, merge_files

    try:
        _, merged = merge_files(list(inputs))
    except MergeError as exc:
        fail(str(exc))
    emit(json.dumps(merged, indent=2) + "\n", output)
