"""Formats: the only code that knows one. Each format is a package exposing `FORMAT` (see `base`),
listed in `registry`; its extractor turns located trees into facts.

The shared types are re-exported here, so an extractor imports them as `from nhilint.formats import ...`.
"""

from nhilint.formats.base import (
    MAX_SIDE_FILE,
    Extraction,
    Problem,
    SideRead,
    SideText,
    Skipped,
    SourceFile,
    read_beside,
    side_path,
    side_state,
)

__all__ = [
    "MAX_SIDE_FILE",
    "Extraction",
    "Problem",
    "SideRead",
    "SideText",
    "Skipped",
    "SourceFile",
    "read_beside",
    "side_path",
    "side_state",
]
