"""`nhilint fix`: `nhilint scan --fix`, the same options (docs/fixes.md)."""

from __future__ import annotations

from typing import Any

import click

from nhilint.commands import options
from nhilint.commands.scan import SCAN_OPTIONS, run


@click.command()
@SCAN_OPTIONS
@options.fix_flags()
def fix(**params: Any) -> None:
    """Apply the safe fixes to PATHS (files or directories; default: the current directory), then
    report what is left: `nhilint scan --fix`."""
    run(apply_fixes=True, **params)
