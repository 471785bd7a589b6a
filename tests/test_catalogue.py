"""The catalogue is valid, complete, and every example behaves as it says through the real scanner."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from nhilint import catalogue, rules
from nhilint.catalogue import checks_dir
from nhilint.catalogue.schema import schema_text
from nhilint.config import Config
from nhilint.parse.yaml import load_plain

from .conftest import ROOT, scan_tree

CHECKS = catalogue.load()
EXAMPLES = [(c.id, e) for c in CHECKS.values() for e in c.examples]
CONTRACT = ROOT / "tests" / "data" / "rule_contract.txt"


@pytest.mark.parametrize("path", sorted(checks_dir().glob("NHI*.yaml")), ids=lambda p: p.stem)
def test_entry_matches_schema(path: Path) -> None:
    schema = json.loads(schema_text("check"))
    jsonschema.Draft202012Validator(schema).validate(load_plain(path.read_text(encoding="utf-8")))


def test_every_registered_rule_has_an_entry_and_every_entry_a_rule() -> None:
    registered = set(rules.registry())
    assert registered - set(CHECKS) == set()
    assert set(CHECKS) - registered == {"NHI001", "NHI002"}  # raised by the engine and suppress.py


def test_each_rule_is_one_module_named_for_its_id() -> None:
    """`nhilint.rules.nhi205_unrestricted_trust` holds every function of NHI205, nothing of another rule."""
    for rule_id, funcs in rules.registry().items():
        module = f"nhilint.rules.nhi{rule_id.removeprefix('NHI')}_{CHECKS[rule_id].slug.replace('-', '_')}"
        assert {f.__module__ for f in funcs} == {module}, rule_id


def test_a_scope_is_declared_and_a_whole_scan_scope_says_why() -> None:
    schema = jsonschema.Draft202012Validator(json.loads(schema_text("check")))
    entry = load_plain((checks_dir() / "NHI402.yaml").read_text(encoding="utf-8"))
    assert entry["scope"] == "scan" and schema.is_valid(entry)
    assert not schema.is_valid({k: v for k, v in entry.items() if k != "scope_reason"})
    assert not schema.is_valid({k: v for k, v in entry.items() if k != "scope"})
    assert not schema.is_valid({**entry, "scope": "resource"})
    assert schema.is_valid({k: v for k, v in entry.items() if k != "scope_reason"} | {"scope": "unit"})


def test_the_checkov_bridge_leaves_out_exactly_the_whole_scan_rules() -> None:
    from nhilint.integrations import checkov as bridge

    for check in CHECKS.values():
        if check.family != "scan":
            assert bridge.nhilint_only(check) == (check.scope_reason if check.scope == "scan" else None)
    assert {c.id for c in CHECKS.values() if c.scope == "scan"} == {"NHI304", "NHI402", "NHI403"}


def test_owasp_mcp_items_are_the_published_ids_and_unknown_ones_are_rejected() -> None:
    schema = json.loads(schema_text("check"))
    published = schema["properties"]["owasp_mcp"]["items"]["enum"]
    assert published == list(catalogue.OWASP_MCP_TITLES) == [f"MCP{n:02}:2025" for n in range(1, 11)]
    validator = jsonschema.Draft202012Validator(schema)
    entry = load_plain((checks_dir() / "NHI209.yaml").read_text(encoding="utf-8"))
    assert validator.is_valid(entry) and entry["owasp_mcp"] == ["MCP07:2025"]
    for wrong in (["MCP11:2025"], ["MCP07"], ["MCP7:2025"], ["MCP07:2024"], [], ["MCP07:2025", "MCP07:2025"]):
        assert not validator.is_valid({**entry, "owasp_mcp": wrong}), wrong
    assert validator.is_valid({k: v for k, v in entry.items() if k != "owasp_mcp"})  # optional


def test_owasp_mcp_items_are_given_only_to_rules_that_read_agent_configurations() -> None:
    mapped = {c.id: c.owasp_mcp for c in CHECKS.values() if c.owasp_mcp}
    assert {"NHI101", "NHI107", "NHI209", "NHI403"} <= mapped.keys()
    assert all("mcp" in CHECKS[rule_id].formats for rule_id in mapped)
    assert CHECKS["NHI101"].owasp_mcp_titles == ("MCP01:2025 Token Mismanagement & Secret Exposure",)


def read_contract(text: str) -> tuple[dict[str, str], set[str]]:
    """ID -> slug of every line of the contract file, and the IDs marked `planned`."""
    contract: dict[str, str] = {}
    planned: set[str] = set()
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rule_id, slug, *status = line.split()
        assert re.fullmatch(r"NHI\d{3}", rule_id) and rule_id not in contract, line
        assert status in ([], ["planned"]), line
        contract[rule_id] = slug
        if status:
            planned.add(rule_id)
    return contract, planned


def test_ids_and_slugs_match_the_public_contract() -> None:
    contract, planned = read_contract(CONTRACT.read_text(encoding="utf-8"))
    assert len(set(contract.values())) == len(contract), "a slug names one rule"
    missing = set(contract) - planned - set(CHECKS)
    assert not missing, f"released rules may never be removed or renumbered: {sorted(missing)}"
    for check in CHECKS.values():
        assert check.id in contract, f"append `{check.id} {check.slug}` to {CONTRACT.name}"
        assert check.slug == contract[check.id], f"{check.id} was renamed: IDs and slugs never change"


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
    from nhilint.pipeline.discover import classify

    for check in CHECKS.values():
        used = {classify(e.filename, e.code) for e in check.examples}
        assert used <= set(check.formats), (check.id, used - set(check.formats))


# Dates of a format's grammar, not dates a user must keep current: IAM policy language versions,
# the CloudFormation template version and the SAM transform.
GRAMMAR_DATES = {"2008-10-17", "2012-10-17", "2010-09-09", "2016-10-31"}


def test_no_remediation_suggests_a_date_that_is_past_or_beyond_the_lifetime_limit() -> None:
    """A copied fix must not be reported itself: a literal expiry goes stale (NHI302 `expired`), so
    remediations write a YYYY-MM-DD placeholder, which NHI302 reports as not a date until filled."""
    today, limit = date.today(), Config().max_identity_lifetime_days
    stale = []
    for check in CHECKS.values():
        for key, suggestion in check.remediation.items():
            for found in re.findall(r"\d{4}-\d{2}-\d{2}", f"{suggestion.text}\n{suggestion.snippet}"):
                days = (date.fromisoformat(found) - today).days
                if found not in GRAMMAR_DATES and not 0 <= days <= limit:
                    stale.append(f"{check.id} {key}: {found}")
    assert stale == []
