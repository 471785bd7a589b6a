"""Reporters: each module renders a `ScanResult` to a string and computes nothing a finding carries.

Modules are imported only for the format asked for, so `import nhilint.report` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nhilint.findings import ScanResult

FORMATS = ("text", "json", "sarif", "github", "markdown")


def render(result: ScanResult, fmt: str, color: bool = False) -> str:
    """`result` in output format `fmt`; `color` only matters to the text format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}: choose one of {', '.join(FORMATS)}")
    module = import_module(f"nhilint.report.{fmt}")
    if fmt == "text":
        return module.render(result, color=color)
    return module.render(result)


def first_paragraph(text: str) -> str:
    """The first paragraph of a catalogue text, unwrapped onto one line (YAML keeps it hard-wrapped)."""
    return " ".join(text.strip().split("\n\n", 1)[0].split())
