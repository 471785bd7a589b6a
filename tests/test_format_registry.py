"""The registry is the one list of formats: the catalogue schema, discovery and extractors agree with it."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from nhilint import catalogue
from nhilint.catalogue.schema import schema_text
from nhilint.formats.base import Format
from nhilint.formats.registry import BY_NAME, CATALOGUED, FORMATS
from nhilint.pipeline import discover


def test_the_check_schema_names_exactly_the_catalogued_formats() -> None:
    """The schema is static JSON (editors read it): it must list what the registry says."""
    schema = json.loads(schema_text("check"))
    assert set(schema["properties"]["formats"]["items"]["enum"]) == CATALOGUED
    assert catalogue.format_keys() == CATALOGUED


def test_names_are_unique_and_every_format_has_a_title() -> None:
    assert len(BY_NAME) == len(FORMATS)
    assert all(f.title and f.language for f in FORMATS)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_each_package_exposes_its_format_and_an_extractor(fmt: Format) -> None:
    package = importlib.import_module(fmt.extractor.rsplit(".", 1)[0])
    assert fmt in (
        getattr(package, "FORMAT", None),
        getattr(importlib.import_module(fmt.extractor), "FORMAT", None),
    )
    assert callable(importlib.import_module(fmt.extractor).extract)


@pytest.mark.parametrize("name", sorted(CATALOGUED))
def test_discovery_recognises_every_catalogued_format_from_the_catalogues_examples(name: str) -> None:
    examples = [e for c in catalogue.load().values() for e in c.examples if name in c.formats]
    assert any(discover.classify(e.filename, e.code) == name for e in examples)


def test_the_registry_imports_no_extractor() -> None:
    """Every scan imports the registry: an extractor (Terraform's pulls in tree-sitter) only when used."""
    code = "import sys, nhilint.formats.registry; print([m for m in sys.modules if m.endswith('.extract')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
