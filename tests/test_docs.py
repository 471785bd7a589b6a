"""The committed docs are exactly what the catalogue and schema generate."""

from __future__ import annotations

import importlib.util

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("generate_docs", ROOT / "scripts" / "generate_docs.py")
assert spec and spec.loader
generate_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate_docs)


def test_generated_docs_are_current() -> None:
    stale = [
        str(path.relative_to(ROOT))
        for path, text in generate_docs.generated().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"run `python scripts/generate_docs.py`; stale: {stale}"


def test_every_rule_page_is_linked_from_the_index() -> None:
    index = (ROOT / "docs" / "rules" / "index.md").read_text(encoding="utf-8")
    for page in (ROOT / "docs" / "rules").glob("NHI*.md"):
        assert f"({page.name})" in index
