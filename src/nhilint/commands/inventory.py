"""`nhilint inventory`: every machine identity in the scanned paths, as a table."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nhilint.commands import options
from nhilint.commands.common import (
    directories,
    emit,
    fail,
    refuse_to_overwrite_an_input,
    report_internal_errors,
)


@click.command()
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
@options.output("Write the inventory to this file instead of standard output.")
@options.config()
def inventory(paths: tuple[Path, ...], fmt: str, output: Path | None, config_path: Path | None) -> None:
    """List every machine identity in PATHS: owner, expiry, credentials, privilege, workloads, rules."""
    from datetime import date

    from nhilint import config as configuration
    from nhilint import inventory as identities
    from nhilint.pipeline.scan import scan

    targets = list(paths) or [Path(".")]
    try:
        explicit = configuration.read_file(config_path) if config_path else None
        configs = configuration.Configs(explicit, boundaries=directories(targets))
        for target in targets:
            configs.at(target)  # a broken configuration is an error even where no file is read
        scanned = scan(targets, configs, root=Path.cwd())
        result = identities.inventory(scanned.facts, scanned.unfolded, configs, date.today(), Path.cwd())
    except configuration.ConfigError as exc:
        fail(str(exc))
    except FileNotFoundError as exc:
        fail(f"path does not exist: {exc.args[0]}")
    refuse_to_overwrite_an_input(output, scanned)
    emit(identities.render(result, fmt), output)
    if scanned.internal_errors:  # an inventory with holes must not pass for a whole one
        report_internal_errors(scanned)
        sys.exit(2)
