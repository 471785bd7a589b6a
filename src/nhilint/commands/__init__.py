"""Command line: parse options, call the library, choose the exit code. Nothing else lives here.

One module per command group; `options` holds the options several commands share. A command's
module is imported only when that command runs (or its help or completion is asked for), and each
command imports the library inside its function, so `nhilint --help` loads no scanning code and
`nhilint scan` no audit, inventory, baseline or fix code.

Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or configuration error (and, for
`audit`, a repository that could not be audited).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import NoReturn

import click

from nhilint import __version__

# Each command: the module (under nhilint.commands) and function defining it, and the first sentence
# of its help, which `nhilint --help` shows (tests/test_cli.py checks it against the command's own).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "audit": (
        "audit",
        "audit",
        "Audit many repositories (directories or git URLs) in parallel and combine the results.",
    ),
    "baseline": (
        "baseline",
        "baseline",
        "Adopt nhilint in an existing repository: record today's findings, fail only on new ones.",
    ),
    "checkov-dir": (
        "rules",
        "checkov_dir",
        'Print checkov\'s external-checks directory: checkov --external-checks-dir "$(nhilint checkov-dir)".',
    ),
    "explain": ("rules", "explain", "Explain one rule: what it finds, why it matters, how to fix it."),
    "fix": (
        "fix",
        "fix",
        "Apply the safe fixes to PATHS (files or directories; default: the current directory), then "
        "report what is left: `nhilint scan --fix`.",
    ),
    "inventory": (
        "inventory",
        "inventory",
        "List every machine identity in PATHS: owner, expiry, credentials, privilege, workloads, rules.",
    ),
    "merge": ("audit", "merge", "Merge audit JSON files (or SARIF files) from sharded audits into one."),
    "rules": ("rules", "list_rules", "List every rule: ID, slug, severity, OWASP item and summary."),
    "scan": (
        "scan",
        "scan",
        "Scan PATHS (files or directories; default: the current directory; `-`: standard input).",
    ),
}


class LazyGroup(click.Group):
    """A group that imports a command's module when the command is looked up (click's lazy-loading
    pattern); its own help lists the commands from `COMMANDS` without importing any."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as error:
            # click (8.2+) suggests a close name from `self.commands`, which this group leaves empty
            if not hasattr(click, "NoSuchCommand") or not isinstance(error, click.NoSuchCommand):
                raise
            raise click.NoSuchCommand(error.command_name, possibilities=COMMANDS, ctx=ctx) from None

    def invoke(self, ctx: click.Context) -> object:
        """A bug of ours, or an error of the system (a full disk, a closed pipe), ends the command
        with one sentence and exit 2: never a traceback and exit 1, which reads as "findings"."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("NHILINT_DEBUG"):
                raise
            _end_in_error(exc)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """What click.Group writes, each help line cut by click from the sentence in `COMMANDS`."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=help).get_short_help_str(limit))
            for name, (_, _, help) in sorted(COMMANDS.items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="nhilint")
def main() -> None:
    """Stop risky non-human identities before they are deployed."""


def _end_in_error(exc: Exception) -> NoReturn:
    from nhilint.commands.common import say
    from nhilint.errors import InternalError

    if isinstance(exc, OSError):
        # standard output may be what failed: point it at nothing, so exiting does not fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        where = f" ({exc.filename})" if exc.filename else ""
        say(f"nhilint: error: {exc.strerror or type(exc).__name__}{where}: stopped before the end")
    else:
        error = InternalError.of("", exc)  # its type and our innermost line, not its message
        where = f" at {error.where}" if error.where else ""
        say(
            f"nhilint: internal error: {error.error}{where}. This is a bug in nhilint: please report it "
            "(NHILINT_DEBUG=1 shows the traceback)."
        )
    sys.exit(2)
