"""Our value classes are `msgspec.Struct`s (built in C, not by exec-ing generated methods at start):
they keep the equality, hashing, ordering, copying and pickling the scan relied on as dataclasses."""

from __future__ import annotations

import copy
import pickle

import pytest

from nhilint import catalogue, rules
from nhilint.config import Config
from nhilint.errors import InternalError
from nhilint.facts import CiAuth, Identity, Loc, Via
from nhilint.findings import Finding, IdentityRef, Related
from nhilint.formats.base import Extraction, Problem
from nhilint.parse.hcl import parse_hcl
from nhilint.parse.tree import Conditional, Expr

SECRET_KEY = "AKIA" + "QYLPMN5HHHFPZAM2"  # an AWS access key ID: findings show only its prefix


def test_locations_order_as_the_tuple_of_their_fields() -> None:
    locs = [Loc("b.tf", 1), Loc("a.tf", 2, 5), Loc("a.tf", 2), Loc("a.tf", 2), Loc("a.tf", 1, 1, 4)]
    assert sorted(locs) == sorted(locs, key=lambda loc: (loc.file, loc.line, loc.col, loc.end_line or 0))
    # two equal places without an end line (two logins on one line): equal, neither before the other
    assert not Loc("a.tf", 2) < Loc("a.tf", 2) and Loc("a.tf", 2) <= Loc("a.tf", 2)
    assert not Loc("a.tf", 2) > Loc("a.tf", 2) and Loc("a.tf", 2) >= Loc("a.tf", 2)
    with pytest.raises(TypeError):
        _ = Loc("a.tf", 2) < ("a.tf", 2)


def test_two_static_logins_at_one_place_are_reported() -> None:
    """NHI103 sorts a job's logins by place: two at one place (no end line) must not break the sort."""
    logins = [
        CiAuth(Loc(".github/workflows/d.yml", 9), ci="github", job="deploy", cloud="aws", method="static")
        for _ in range(2)
    ]
    ctx = rules.RuleContext(facts=list(logins), config=Config(select=("NHI103",)), catalogue=catalogue.load())
    errors: list[InternalError] = []
    assert [f.rule_id for f in rules.run(ctx, errors)] == ["NHI103"] and errors == []


def test_frozen_values_hash_as_they_compare() -> None:
    a, b = Via(Loc("a.tf", 1), "module.x"), Via(Loc("a.tf", 1), "module.x")
    assert a == b and hash(a) == hash(b) and len({a, b, Via(Loc("a.tf", 2), "module.x")}) == 2
    assert {IdentityRef("aws_iam_role", "r"): 1}[IdentityRef("aws_iam_role", "r")] == 1
    with pytest.raises(TypeError):  # a mutable fact is compared by value, so it is not hashable
        hash(Identity(Loc("a.tf", 1), kind="aws_iam_role"))
    with pytest.raises(AttributeError):
        a.message = "changed"  # type: ignore[misc]


def test_a_conditional_is_equal_and_hashed_by_its_text_as_an_expr_is() -> None:
    """Its parts may be maps (not hashable): it still goes into sets and dict keys, by its text."""
    text = 'x = var.on ? { a = "1" } : "off"\n'
    first, second = parse_hcl(text)[0].attrs["x"], parse_hcl(text)[0].attrs["x"]
    assert isinstance(first, Conditional) and first is not second
    assert first == second and hash(first) == hash(second) and len({first, second}) == 1
    assert first != parse_hcl('x = var.off ? { a = "1" } : "off"\n')[0].attrs["x"]
    assert first != Expr(first.text, first.refs)  # an Expr of the same text is another kind of value


def test_an_extraction_survives_pickling_and_copying_as_it_was() -> None:
    """`--jobs` workers pickle their extractions back to the parent."""
    extraction = Extraction(
        facts=[
            Identity(Loc("main.tf", 3), kind="aws_iam_role", name="ci", tags={"owner": "team"}),
            CiAuth(Loc("d.yml", 9, 7, 12), ci="github", job="deploy", cloud="aws", method="oidc"),
        ],
        problems=[Problem(Loc("bad.tf", 1), "syntax error")],
    )
    for copied in (pickle.loads(pickle.dumps(extraction)), copy.deepcopy(extraction)):
        assert copied == extraction and copied.facts[0].tags is not extraction.facts[0].tags
    assert copy.copy(extraction).facts is extraction.facts


def test_a_finding_comes_back_from_pickling_unchanged() -> None:
    """Unpickling a struct runs `__post_init__` again (a dataclass did not): redacting what is already
    redacted must change nothing."""
    finding = Finding(
        "NHI101",
        "hardcoded-credential",
        "error",
        f"an AWS key {SECRET_KEY} in\nenv",
        Loc("main.tf", 4),
        identity=IdentityRef("aws_iam_user", f"user-{SECRET_KEY}"),
        related=[Related(Loc("main.tf", 9), f"read by {SECRET_KEY}")],
    )
    assert SECRET_KEY not in repr(finding)
    assert pickle.loads(pickle.dumps(finding)) == finding == copy.deepcopy(finding)
