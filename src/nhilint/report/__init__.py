"""Reporters: each module renders a `ScanResult` to a string and computes nothing a finding carries.

Modules are imported only for the format asked for, so `import nhilint.report` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from nhilint.findings import ScanResult

FORMATS = ("text", "json", "sarif", "github", "markdown", "concise")
TERMINAL_FORMATS = ("text", "concise")  # the formats that may be coloured
DEFAULT_WIDTH = 100  # columns `text` wraps prose to when the terminal's width is unknown


def render(result: ScanResult, fmt: str, color: bool = False, width: int | None = None) -> str:
    """`result` in output format `fmt`; `color` matters to the terminal formats, `width` (columns
    to wrap prose to; default DEFAULT_WIDTH) to `text`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "concise":
        from nhilint.report.text import render_concise

        return render_concise(result, color=color)
    module = import_module(f"nhilint.report.{fmt}")
    if fmt == "text":
        return module.render(result, color=color, **({"width": width} if width else {}))
    return module.render(result)


STREAMED_FORMATS = ("json", "sarif")  # written finding by finding (nhilint.report.stream)


def write(result: ScanResult, fmt: str, color: bool = False, width: int | None = None) -> Iterator[str]:
    """`render(result, fmt, ...)` in pieces of about 64 KB: a big JSON or SARIF report is never whole
    in memory, as a dict tree or as one string."""
    from nhilint.report.stream import batched

    if fmt in STREAMED_FORMATS:
        return batched(import_module(f"nhilint.report.{fmt}").write(result))
    return iter((render(result, fmt, color=color, width=width),))


def first_paragraph(text: str) -> str:
    """The first paragraph of a catalogue text, unwrapped onto one line (YAML keeps it hard-wrapped)."""
    return " ".join(text.strip().split("\n\n", 1)[0].split())
