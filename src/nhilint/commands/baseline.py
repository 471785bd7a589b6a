"""`nhilint baseline write`: record today's findings so that only new ones fail."""

from __future__ import annotations

from pathlib import Path

import click

from nhilint.commands import options
from nhilint.commands.common import emit, refuse_to_overwrite_an_input, say
from nhilint.commands.scan import run_scan


@click.group()
def baseline() -> None:
    """Adopt nhilint in an existing repository: record today's findings, fail only on new ones."""


@baseline.command(name="write")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@options.rule_selection()
@options.config()
@options.no_cache()
def baseline_write(
    file: Path,
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: Path | None,
    no_cache: bool,
) -> None:
    """Record every current finding in PATHS (default: .) to FILE; then scan with --baseline FILE."""
    from nhilint.pipeline.baseline import render as render_baseline

    _, result = run_scan(paths, config_path, select, ignore, None, use_cache=not no_cache)
    refuse_to_overwrite_an_input(file, result, "the baseline file")
    emit(render_baseline(result.findings), file)
    count = len(result.active)
    say(f"nhilint: wrote {count} finding{'s' if count != 1 else ''} to {file}")
