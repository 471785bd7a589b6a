"""Options several commands share, declared once: same names, same types, same help."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])

SEVERITY = click.Choice(["error", "warning", "note"])
CONFIG_HELP = "Configuration file (default: nearest .nhilint.yaml or pyproject.toml [tool.nhilint])."


def _all(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """One decorator applying `decorators` so that --help lists them in the order written."""

    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


together = _all  # a group of options several commands share, declared once


def fix_flags() -> Callable[[F], F]:
    """--unsafe-fixes and --diff, of `scan` (with --fix) and `fix` (docs/fixes.md)."""
    return _all(
        click.option(
            "--unsafe-fixes",
            is_flag=True,
            help="Also apply the fixes that change behaviour (with --fix, --diff or `nhilint fix`); alone, "
            "mark the findings they would fix.",
        ),
        click.option(
            "--diff",
            is_flag=True,
            help="Print the fixes as a unified diff and write nothing (exit 1 when there is something to "
            "fix).",
        ),
    )


def file_path(*names: str, help: str) -> Callable[[F], F]:
    """An option naming a file (a report to write, a configuration to read): never a directory."""
    return click.option(*names, type=click.Path(dir_okay=False, path_type=Path), help=help)


def directory_path(*names: str, help: str) -> Callable[[F], F]:
    """An option naming a directory (where to clone, where to write a file per repository)."""
    return click.option(*names, type=click.Path(file_okay=False, path_type=Path), help=help)


def output(help: str) -> Callable[[F], F]:
    return file_path("-o", "--output", help=help)


def rule_selection(examples: str = "") -> Callable[[F], F]:
    """--select and --ignore: repeatable rule IDs or prefixes (checked against the catalogue later)."""
    return _all(
        click.option(
            "--select", multiple=True, help=f"Only these rule IDs or prefixes{examples}. Repeatable."
        ),
        click.option("--ignore", multiple=True, help="Never these rule IDs or prefixes. Repeatable."),
    )


def failing(what: str, fail_on_default: str) -> Callable[[F], F]:
    """--fail-on and --exit-zero: which findings fail the `what` (scan, audit)."""
    return _all(
        click.option(
            "--fail-on",
            type=SEVERITY,
            help=f"Lowest severity that fails the {what} (default: {fail_on_default}).",
        ),
        click.option("--exit-zero", is_flag=True, help=f"Exit 0 even when findings fail the {what}."),
    )


def config(help: str = CONFIG_HELP) -> Callable[[F], F]:
    return file_path("--config", "config_path", help=help)


def no_cache(help: str = "Do not read or write any cache.") -> Callable[[F], F]:
    return click.option("--no-cache", is_flag=True, help=help)


def jobs(help: str) -> Callable[[F], F]:
    return click.option("-j", "--jobs", type=click.IntRange(min=1), help=help)
