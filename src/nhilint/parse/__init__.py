"""Syntax to located tree: one parser per syntax (HCL, YAML, JSON), shared by every format."""

from __future__ import annotations


class ParseError(Exception):
    """A file that could not be parsed; the engine reports it as NHI001 and the scan goes on."""

    def __init__(self, reason: str, line: int = 1, col: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.col = col
