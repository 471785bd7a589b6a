"""What every command does the same way: one-line errors (exit 2), stderr messages, writing output."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from nhilint.findings import ScanResult


def fail(message: str) -> NoReturn:
    say(f"nhilint: error: {message}")
    sys.exit(2)


def say(message: str, nl: bool = True) -> None:
    """One line on stderr. Messages quote paths, names and values from scanned or configuration
    files: a line break there must not start a line of its own (a GitHub workflow command, a fake
    result), and a secret is shown only as its redacted prefix."""
    from nhilint.knowledge.redaction import redact_secrets
    from nhilint.report.escape import terminal_line

    click.echo(terminal_line(redact_secrets(message)), err=True, nl=nl)


def prefixes(values: tuple[str, ...]) -> tuple[str, ...]:
    """Rule IDs and prefixes from repeatable, comma-separated options; one that names no rule is an
    error (a typo in --select would turn the linter off, one in --ignore would do nothing)."""
    from nhilint import catalogue

    out = tuple(v.strip().upper() for value in values for v in value.split(",") if v.strip())
    ids = catalogue.load()
    for prefix in out:
        if reason := catalogue.unknown_rule(prefix, ids):
            raise click.BadParameter(reason)
    return out


def directories(paths: list[Path]) -> tuple[Path, ...]:
    """The directories given, or holding the files given: outside a repository, configuration is
    looked up no higher than these."""
    return tuple(p if p.is_dir() else p.parent for p in paths)


def emit(text: str | Iterable[str], output: Path | None, color: bool = False) -> None:
    """Write `text` (or its pieces, in turn: a streamed report) to `output`, or standard output."""
    pieces = (text,) if isinstance(text, str) else text
    if output is None:
        for piece in pieces:
            click.echo(piece, nl=False, color=color or None)  # None: click strips colour off a terminal
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8") as stream:
            for piece in pieces:
                stream.write(piece)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")


def refuse_to_overwrite_an_input(output: Path | None, result: ScanResult, option: str = "--output") -> None:
    """An output file naming a file the scan read (`-o main.tf`) would replace it: an error."""
    from nhilint.pipeline.discover import relative

    if output is not None and relative(output, Path(result.root)) in result.lines:
        fail(f"{option} {output} is a file this scan reads: writing would replace it; name another file")


def report_internal_errors(result: ScanResult) -> None:
    for error in result.internal_errors:
        where = f" at {error.where}" if error.where else ""
        say(
            f"nhilint: internal error: {error.error}{where} while reading {error.file}; "
            "the rest was scanned. This is a bug in nhilint: please report it "
            "(NHILINT_DEBUG=1 shows the traceback)."
        )
