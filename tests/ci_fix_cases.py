"""Before/after cases of the CI fixers (tests/data/fixes/<fixer>/<case>.before.yml and .after.yml):
run the real fix loop on a case, check the exact text, its CRLF twin, the re-scan and idempotence, and
list with ruamel.yaml (an independent YAML reader) which data paths the fix changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from nhilint.config import Config
from nhilint.findings import Finding
from nhilint.fixes.base import FixOptions, Safety
from tests.fix_harness import fixed_text

DATA = Path(__file__).parent / "data" / "fixes"


def case(fixer: str, name: str) -> tuple[str, str]:
    """(before, after) texts of a case; `name.yml` alone is a case the fix leaves as it is."""
    folder = DATA / fixer
    if (folder / f"{name}.yml").exists():
        text = (folder / f"{name}.yml").read_text()
        return text, text
    return (folder / f"{name}.before.yml").read_text(), (folder / f"{name}.after.yml").read_text()


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def fix_case(
    tmp_path: Path,
    rel: str,
    before: str,
    rules: tuple[str, ...],
    options: FixOptions | None = None,
    safeties: tuple[Safety, ...] = ("safe", "unsafe"),
) -> tuple[str, list[Finding]]:
    """The fixed text of `before` at `rel` and the re-scan's active findings of `rules` (only those
    rules run, so only their fixers act); asserts no fix broke the file and a second fix changes
    nothing."""
    config = Config(select=rules)
    root = tmp_path / "first"
    fixed, outcome = fixed_text(root, rel, before, options=options, config=config, safeties=safeties)
    assert not outcome.errors, outcome.errors
    again, second = fixed_text(
        tmp_path / "again", rel, fixed, options=options, config=config, safeties=safeties
    )
    assert again == fixed and not second.applied, "a second fix changed the fixed text"
    return fixed, [f for f in outcome.result.active if f.rule_id in rules]


def load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def changed(before: str, after: str) -> set[tuple[Any, ...]]:
    """The data paths (keys and list indices) whose value differs between the two texts, read by
    ruamel.yaml: a key added or removed is its own path; a list whose length changed is one path."""
    found: set[tuple[Any, ...]] = set()

    def walk(a: Any, b: Any, path: tuple[Any, ...]) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in a.keys() | b.keys():
                if key not in a or key not in b:
                    found.add((*path, key))
                else:
                    walk(a[key], b[key], (*path, key))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, (*path, i))
        elif a != b:
            found.add(path)

    walk(load(before), load(after), ())
    return found
