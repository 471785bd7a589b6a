"""Regenerate docs/rules/, docs/configuration.md, the compiled catalogue and the table of docs/fixes.md from
checks/, the schemas and the fix registry.

The compiled catalogue (src/nhilint/catalogue/catalogue.json) is what a scan reads: checks/*.yaml
validated once here, so no scan parses YAML or imports jsonschema for it.

Run: python scripts/generate_docs.py   (tests/test_docs.py fails when the committed docs are stale)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from nhilint import catalogue
from nhilint.catalogue import docs
from nhilint.catalogue.schema import schema_text
from nhilint.fixes import docs as fixes_docs

ROOT = Path(__file__).resolve().parents[1]


def generated() -> dict[Path, str]:
    checks = list(catalogue.from_sources().values())
    pages = {ROOT / "docs" / "rules" / f"{c.id}.md": docs.rule_markdown(c) for c in checks}
    pages[ROOT / "docs" / "rules" / "index.md"] = docs.rules_index(checks)
    pages[catalogue.COMPILED] = catalogue.compiled_text()
    pages[ROOT / "docs" / "configuration.md"] = docs.config_reference(json.loads(schema_text("config")))
    fixes_page = ROOT / "docs" / "fixes.md"  # prose by hand, the table of fixes from the registry
    pages[fixes_page] = fixes_docs.page(fixes_page.read_text(encoding="utf-8"))
    return pages


def main() -> int:
    pages = generated()
    (ROOT / "docs" / "rules").mkdir(parents=True, exist_ok=True)
    for stale in (ROOT / "docs" / "rules").glob("*.md"):
        if stale not in pages:
            stale.unlink()
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
