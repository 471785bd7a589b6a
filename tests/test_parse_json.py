"""The JSON parser: positions, values exactly as `json.loads` (and cfn-lint's decoder) give them,
the inputs libyaml would get wrong, errors with the json module's line and column."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nhilint.parse import ParseError
from nhilint.parse.json import parse_json, parse_json_with_duplicates
from nhilint.parse.tree import LMap, LSeq, Pos
from nhilint.parse.yaml import DuplicateKey

DATA = Path(__file__).parent / "data" / "json"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def at(text: str, needle: str, token: str | None = None) -> Pos:
    """Where `token` (default: `needle`) starts on the first line containing `needle`."""
    lines = text.splitlines()
    number = next(n for n, line in enumerate(lines, 1) if needle in line)
    return Pos(number, lines[number - 1].index(token or needle) + 1)


def test_cloudformation_positions() -> None:
    text = (DATA / "cfn_roles.json").read_text(encoding="utf-8")
    template = parse_json(text)
    assert isinstance(template, LMap)
    assert template.pos == Pos(1, 1)
    assert template.end_line == len(text.splitlines())
    resources = template["Resources"]
    assert resources.kpos("DeployRole") == at(text, '"DeployRole": {', '"DeployRole"')
    role = resources["DeployRole"]
    assert role.pos == at(text, '"DeployRole": {', "{")
    assert role.end_line == at(text, '"CiUser": {').line - 1
    properties = role["Properties"]
    assert properties.vpos("MaxSessionDuration") == at(text, '"MaxSessionDuration"', "3600")
    assert properties["RoleName"].kpos("Fn::Sub") == at(text, '"RoleName"', '"Fn::Sub"')
    statements = properties["AssumeRolePolicyDocument"]["Statement"]
    assert isinstance(statements, LSeq)
    assert statements.ipos(0) == Pos(at(text, '"Statement": [').line + 1, 13)
    assert statements[0].vpos("Action") == at(text, '"Action": "sts:AssumeRoleWithWebIdentity"', '"sts:')
    arns = properties["ManagedPolicyArns"][0]["Fn::Join"][1]
    assert arns.ipos(1) == at(text, '"ManagedPolicyArns"', '{"Ref": "AWS::Partition"}')


def test_values_are_those_of_json_loads() -> None:
    text = (DATA / "cfn_roles.json").read_text(encoding="utf-8")
    template = parse_json(text)
    assert template == json.loads(text)
    assert template["Description"] == "Deploy role for GitHub Actions \U0001f680 (OIDC) and a legacy CI user"
    assert template["Parameters"]["Repo"]["Default"] == "example-org/payments"
    tags = template["Resources"]["CiUser"]["Properties"]["Tags"]
    assert tags[1]["Value"] == 15.0 and type(tags[1]["Value"]) is float
    assert template["Resources"]["CiUserKey"]["Properties"]["Serial"] == 0
    assert template["Outputs"]["Secret"]["Export"]["Name"] is None


def test_tab_indentation_counts_one_column_per_tab() -> None:
    text = (DATA / "sam_api.json").read_text(encoding="utf-8")
    template = parse_json(text)
    assert template.kpos("Resources") == Pos(4, 2)
    function = template["Resources"]["Api"]["Properties"]
    assert function.kpos("Policies") == Pos(at(text, '"Policies"').line, 5)
    assert function["Environment"]["Variables"]["GREETING"] == "café — ok"


# --- differential: cfn-lint's JSON decoder -----------------------------------------------------


def plain(value: Any) -> Any:
    """Plain data whose scalars keep their type, so True != 1 and 1.0 != 1."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return (type(value).__name__, value)


JSON_TEMPLATES = sorted(DATA.glob("*.json")) + sorted(
    path
    for path in FIXTURES.rglob("*.json")
    if "AWSTemplateFormatVersion" in path.read_text(encoding="utf-8")
)


@pytest.mark.parametrize("path", JSON_TEMPLATES, ids=lambda p: p.name)
def test_cloudformation_json_matches_cfn_lint(path: Path) -> None:
    from cfnlint.decode import cfn_json

    text = path.read_text(encoding="utf-8")
    assert plain(parse_json(text)) == plain(cfn_json.loads(text))


# --- what libyaml would refuse or mis-read -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"path": "a\\/b"}',
        '{"emoji": "\\ud83d\\ude00", "lone": "\\ud800"}',
        '{"' + "k" * 2000 + '": {"v": 1}}',
        '{"ls": "a\u2028b", "nel": "a\u0085b"}',
        "[NaN, Infinity, -Infinity, -0, -0.0, 1E400, 123456789012345678901234567890]",
        '{\n\t"a":\t[\n\t\t1,\n\t\t2\n\t]\n}',
        '  \r\n{"crlf": [1,\r\n 2]}\r\n',
    ],
)
def test_valid_json_reads_as_json_loads_reads_it(text: str) -> None:
    # dumps tells 1 from 1.0 and True, and writes NaN (which never equals itself) as NaN
    assert json.dumps(parse_json(text)) == json.dumps(json.loads(text))


def test_long_key_position() -> None:
    text = '{\n  "short": 1,\n  "' + "k" * 2000 + '": [true]\n}'
    doc = parse_json(text)
    key = "k" * 2000
    assert doc.kpos(key) == Pos(3, 3)
    assert doc.vpos(key) == Pos(3, 2007)
    assert doc[key].ipos(0) == Pos(3, 2008)


def test_bom_is_ignored() -> None:
    doc = parse_json('\ufeff{"a": 1}')
    assert doc == {"a": 1}
    assert doc.kpos("a") == Pos(1, 2)


def test_top_level_scalars_and_empty_containers() -> None:
    assert parse_json(' "x" ') == "x"
    assert parse_json("3.5") == 3.5
    empty = parse_json('{"a": {}, "b": [\n]}')
    assert empty["a"] == {} and isinstance(empty["a"], LMap)
    assert empty["b"] == [] and empty["b"].end_line == 2


def test_duplicate_keys_are_recorded_and_the_last_wins() -> None:
    doc, duplicates = parse_json_with_duplicates(
        '{\n  "Type": "a",\n  "Type": "b",\n  "x": {"k": 1, "k": 2}\n}'
    )
    assert doc == {"Type": "b", "x": {"k": 2}}
    assert doc.kpos("Type") == Pos(3, 3)
    assert duplicates == [
        DuplicateKey("Type", Pos(3, 3), Pos(2, 3), 0),
        DuplicateKey("k", Pos(4, 17), Pos(4, 9), 0),
    ]


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ('{\n  "a": 1,\n  "b": 2,\n}\n', 4, 1),  # trailing comma in an object
        ("[\n  1,\n  2,\n]", 4, 1),  # trailing comma in an array
        ('{\n  // a comment\n  "a": 1\n}', 2, 3),
        ('{"a": 1}\n{"b": 2}', 2, 1),  # two documents
        ('{"a": "open}', 1, 7),
        ("{'a': 1}", 1, 2),
        ("", 1, 1),
    ],
)
def test_invalid_json_reports_json_module_position(text: str, line: int, col: int) -> None:
    with pytest.raises(ParseError) as error:
        parse_json(text)
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    assert (error.value.line, error.value.col) == (line, col) == (expected.value.lineno, expected.value.colno)
    assert error.value.reason == expected.value.msg


@pytest.mark.parametrize("depth", [600, 100_000])
def test_deep_nesting_is_a_parse_error(depth: int) -> None:
    with pytest.raises(ParseError) as error:
        parse_json("[" * depth + "]" * depth)
    assert "nested" in error.value.reason


# --- property: any JSON value, any layout ------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def decode_at(text: str, offset: int) -> Any:
    return json.JSONDecoder().raw_decode(text, offset)[0]


def check_positions(value: Any, text: str, line_starts: list[int]) -> None:
    """Every recorded position points at the text of what it locates."""

    def offset(pos: Pos) -> int:
        return line_starts[pos.line - 1] + pos.col - 1

    if isinstance(value, LMap):
        assert text[offset(value.pos)] == "{"
        for key, item in value.items():
            assert decode_at(text, offset(value.kpos(key))) == key
            assert decode_at(text, offset(value.vpos(key))) == item
            check_positions(item, text, line_starts)
    elif isinstance(value, LSeq):
        assert text[offset(value.pos)] == "["
        for index, item in enumerate(value):
            assert decode_at(text, offset(value.ipos(index))) == item
            check_positions(item, text, line_starts)


@given(JSON_VALUES, st.sampled_from([None, 0, 2, "\t"]), st.booleans())
def test_any_json_value_round_trips_with_positions(value: Any, indent: Any, ascii_only: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    parsed = parse_json(text)
    assert parsed == value
    line_starts = [0] + [index + 1 for index, char in enumerate(text) if char == "\n"]
    check_positions(parsed, text, line_starts)
