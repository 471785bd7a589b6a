"""The plan reader: `terraform show -json` text to one record per resource instance (no scan)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.formats.terraform.plan import SENSITIVE, UNKNOWN, NotAPlan, looks_like_plan, read_plan
from nhilint.parse import ParseError
from nhilint.parse.tree import Expr, LMap

PLAN = Path(__file__).parent / "data" / "tfplan" / "tfplan.json"
SLACK_TOKEN = "xoxb-4417301542-7812934512345-Qm3hZ8wKp2sVtR9yLc4NfJ1d"


def _by_address() -> dict[str, object]:
    return {r.address: r for r in read_plan(PLAN.read_text(encoding="utf-8")).resources}


def test_every_instance_with_its_module_path_and_call_chain() -> None:
    records = _by_address()
    prod = records['module.ci.aws_iam_role.deploy["prod"]']
    assert (prod.module_address, prod.type, prod.name, prod.index) == (
        "module.ci",
        "aws_iam_role",
        "deploy",
        "prod",
    )
    assert prod.config_address == "aws_iam_role.deploy"
    assert prod.local_address == 'aws_iam_role.deploy["prod"]'
    assert [(c.name, c.source, c.local) for c in prod.calls] == [("ci", "./modules/ci", True)]
    custom = records["module.ops_role.aws_iam_role_policy_attachment.custom[0]"]
    assert [(c.name, c.version, c.local) for c in custom.calls] == [("ops_role", "5.39.0", False)]
    assert custom.calls[0].expressions["custom_role_policy_arns"] == ("var.ops_policy_arns",)
    assert custom.index == 0
    assert custom.values["policy_arn"] == "arn:aws:iam::aws:policy/AdministratorAccess"
    # data sources read at plan time come from planned_values / prior_state
    trust = records['module.ci.data.aws_iam_policy_document.trust["staging"]']
    assert trust.mode == "data" and trust.deployed()
    assert trust.values["statement"][0]["condition"][1]["values"] == ["repo:acme/web:ref:refs/heads/develop"]


def test_unknown_values_stay_unknown_and_keep_their_references() -> None:
    policy = _by_address()['module.ci.aws_iam_role_policy.deploy["prod"]']
    assert "role" in policy.unknown
    role = policy.values["role"]
    assert isinstance(role, Expr) and role.text == UNKNOWN
    assert "aws_iam_role.deploy" in role.refs and "each.key" in role.refs
    assert isinstance(policy.values["id"], Expr)


def test_sensitive_values_are_never_kept() -> None:
    records = _by_address()
    lam = records["aws_lambda_function.notifier"]
    assert lam.sensitive == ("environment[0].variables.SLACK_TOKEN",)
    assert lam.values["environment"][0]["variables"]["SLACK_TOKEN"] == Expr(SENSITIVE)
    assert SLACK_TOKEN not in repr([r.values for r in records.values()])
    key = records["aws_iam_access_key.reporting"]
    assert key.values["secret"] == Expr(SENSITIVE)


def test_null_is_not_set_and_positions_are_in_the_plan() -> None:
    text = PLAN.read_text(encoding="utf-8")
    user = _by_address()["aws_iam_user.reporting"]
    assert "tags" not in user.values and "permissions_boundary" not in user.values
    line = text.splitlines()[user.values.kpos("name").line - 1]
    assert '"name": "reporting-bot"' in line
    assert isinstance(user.values, LMap)


def test_deleted_and_unchanged_resources_are_kept_but_not_deployed() -> None:
    records = _by_address()
    legacy = records["aws_iam_user_policy_attachment.legacy_deployer"]
    assert legacy.actions == ("delete",) and not legacy.deployed() and legacy.deployed(all_resources=True)
    assert legacy.values["policy_arn"] == "arn:aws:iam::aws:policy/PowerUserAccess"  # what it was
    viewer = records["aws_iam_user.ops_viewer"]
    assert viewer.actions == ("no-op",) and not viewer.deployed()
    assert records["aws_iam_user.reporting"].deployed()


def test_replaced_resources_count_as_created() -> None:
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "resource_changes": [
            {
                "address": 'module.a["x"].module.b.aws_iam_role.r',
                "mode": "managed",
                "type": "aws_iam_role",
                "name": "r",
                "change": {
                    "actions": ["delete", "create"],
                    "before": {"name": "old"},
                    "after": {"name": "new"},
                },
            }
        ],
    }
    (record,) = read_plan(json.dumps(plan)).resources
    assert record.module_address == 'module.a["x"].module.b'
    assert record.values["name"] == "new" and record.deployed()


@pytest.mark.parametrize(
    "head",
    [
        b'{"format_version":"1.2","terraform_version":"1.9.8","planned_values":{',
        b'\xef\xbb\xbf{\n  "format_version": "1.0",\n  "terraform_version": "1.5.7",\n',
    ],
)
def test_a_plan_is_recognised_by_its_first_bytes(head: bytes) -> None:
    assert looks_like_plan(head)


@pytest.mark.parametrize(
    "head",
    [
        b'{"AWSTemplateFormatVersion": "2010-09-09"}',
        b'{"format_version":"2.0","terraform_version":"9"}',
        b"[]",
    ],
)
def test_other_json_is_not_a_plan(head: bytes) -> None:
    assert not looks_like_plan(head)


@pytest.mark.parametrize(
    "text",
    [
        '{"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": {}}}',  # a state
        '{"format_version": "2.0", "terraform_version": "9.0.0", "planned_values": {}}',
        "[1, 2]",
    ],
)
def test_what_is_not_a_plan_is_refused_in_one_sentence(text: str) -> None:
    with pytest.raises(NotAPlan):
        read_plan(text)


def test_broken_json_is_a_parse_error_with_its_line() -> None:
    with pytest.raises(ParseError) as raised:
        read_plan('{"format_version": "1.2",\n  "terraform_version": }')
    assert raised.value.line == 2


def _mutations(value: object) -> list[object]:
    """The plan with one part replaced by a value of every other JSON type, part by part."""
    out: list[object] = []
    if isinstance(value, dict):
        for key in list(value)[:12]:
            for other in (None, 1, "x", [], {}, [1], {"a": 1}):
                out.append({**value, key: other})
            out.extend({**value, key: m} for m in _mutations(value[key])[:40])
    elif isinstance(value, list) and value:
        out.extend([m, *value[1:]] for m in _mutations(value[0])[:40])
    return out


def test_a_plan_of_the_wrong_shape_anywhere_is_read_or_refused_never_a_crash() -> None:
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    mutated = _mutations(plan)
    assert len(mutated) > 200
    for variant in mutated:
        try:
            records = read_plan(json.dumps(variant)).resources
        except NotAPlan:
            continue
        assert all(isinstance(r.values, LMap) for r in records)


def test_an_address_that_disagrees_with_type_name_and_key_is_rebuilt() -> None:
    change = {
        "mode": "managed",
        "type": "aws_iam_role",
        "name": "r",
        "index": 'a"b',
        "change": {"actions": ["create"]},
    }
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "resource_changes": [
            {**change, "address": "junk", "module_address": "module.m"},
            {**change, "address": 'module.x[2].aws_iam_role.r["a\\"b"]'},
        ],
    }
    records = read_plan(json.dumps(plan)).resources
    assert [r.address for r in records] == [
        'module.m.aws_iam_role.r["a\\"b"]',
        'module.x[2].aws_iam_role.r["a\\"b"]',
    ]
    assert [r.local_address for r in records] == ['aws_iam_role.r["a\\"b"]'] * 2
