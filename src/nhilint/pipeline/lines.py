"""Each scanned file's lines, split from its text when they are asked for.

Suppressions, fingerprints and snippets read a file's lines as its parser numbers them. Kept for every
file at once they took more memory than the texts (a str per line: 8.5 MB for 2.7 MB of text in a
4,000-file scan), alive through the whole scan; the texts are kept anyway. Readers go file by file
(findings are sorted by file), so the last file's lines are remembered and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from nhilint.formats import SourceFile
from nhilint.formats.registry import numbered_lines


class FileLines(Mapping[str, list[str]]):
    """Scan-relative path -> that file's lines (`numbered_lines`), for the files read."""

    def __init__(self, files: Iterable[SourceFile]) -> None:
        self._files = {f.rel: f for f in files}
        self._last: tuple[str, list[str]] | None = None

    def __getitem__(self, rel: str) -> list[str]:
        if self._last is not None and self._last[0] == rel:
            return self._last[1]
        lines = numbered_lines(self._files[rel])
        self._last = (rel, lines)
        return lines

    def __contains__(self, rel: object) -> bool:  # without splitting the file
        return rel in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)
