"""The catalogue is valid, complete, and every example behaves as it says through the real scanner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from nhilint import catalogue, rules
from nhilint.catalogue import checks_dir
from nhilint.config import Config
from nhilint.parse.yaml import load_plain
from nhilint.schema import schema_text

from .conftest import ROOT, scan_tree

CHECKS = catalogue.load()
EXAMPLES = [(c.id, e) for c in CHECKS.values() for e in c.examples]
RULES_MD = ROOT.parent / "shared" / "RULES.md"


@pytest.mark.parametrize("path", sorted(checks_dir().glob("NHI*.yaml")), ids=lambda p: p.stem)
def test_entry_matches_schema(path: Path) -> None:
    schema = json.loads(schema_text("check"))
    jsonschema.Draft202012Validator(schema).validate(load_plain(path.read_text(encoding="utf-8")))


def test_every_registered_rule_has_an_entry_and_every_entry_a_rule() -> None:
    registered = set(rules.registry())
    assert registered - set(CHECKS) == set()
    assert set(CHECKS) - registered == {"NHI001", "NHI002"}  # raised by the engine and suppress.py


@pytest.mark.skipif(not RULES_MD.exists(), reason="shared/RULES.md is not beside the checkout")
def test_ids_and_slugs_match_the_public_contract() -> None:
    contract = dict(re.findall(r"^\| (NHI\d{3}) \| ([a-z-]+) \|", RULES_MD.read_text(), re.M))
    assert set(contract) <= set(CHECKS), "every rule of the contract is implemented"
    for rule_id, slug in contract.items():
        assert CHECKS[rule_id].slug == slug, rule_id
    # IDs beyond the contract are new ideas with new numbers, never a reuse of a slug.
    extra = {c.slug for c in CHECKS.values() if c.id not in contract}
    assert not extra & set(contract.values())


def test_every_entry_has_fail_and_pass_examples() -> None:
    for check in CHECKS.values():
        kinds = {e.expect for e in check.examples}
        assert kinds == {"fail", "pass"}, check.id


@pytest.mark.parametrize(("rule_id", "example"), EXAMPLES, ids=[f"{r}-{e.name}" for r, e in EXAMPLES])
def test_example(rule_id: str, example: catalogue.Example, tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {example.filename: example.code}, Config(select=(rule_id,)))
    lines = sorted({f.loc.line for f in result.findings if f.rule_id == rule_id})
    if example.expect == "fail":
        assert lines == sorted(set(example.lines)), [f.message for f in result.findings]
    else:
        assert lines == [], [f.message for f in result.findings]


def test_declared_formats_cover_every_example() -> None:
    from nhilint.discover import classify

    for check in CHECKS.values():
        used = {classify(e.filename, e.code) for e in check.examples}
        assert used <= set(check.formats), (check.id, used - set(check.formats))
