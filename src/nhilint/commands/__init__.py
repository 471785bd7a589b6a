"""Command line: parse options, call the library, choose the exit code. Nothing else lives here.

One module per command group; `options` holds the options several commands share. Each command
imports the library inside its function, so `nhilint --help` loads no scanning code.

Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or configuration error (and, for
`audit`, a repository that could not be audited).
"""

from __future__ import annotations

import click

from nhilint import __version__
from nhilint.commands import audit, baseline, fix, inventory, rules, scan


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="nhilint")
def main() -> None:
    """Stop risky non-human identities before they are deployed."""


for command in (
    scan.scan,
    fix.fix,
    baseline.baseline,
    rules.list_rules,
    rules.explain,
    rules.checkov_dir,
    audit.audit,
    audit.merge,
    inventory.inventory,
):
    main.add_command(command)
