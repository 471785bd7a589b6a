"""nhilint.knowledge.iam: policy normalisation and the action/trust knowledge the IAM rules share."""

from __future__ import annotations

import pytest

from nhilint.facts import Condition, Loc, PolicyStatement
from nhilint.knowledge import iam, iam_policy
from nhilint.parse import ParseError
from nhilint.parse.json import parse_json
from nhilint.parse.tree import Pos


def _statements(text: str, kind: str = "identity") -> list[PolicyStatement]:
    doc = iam_policy.json_document(text, 10)
    return list(
        iam_policy.statements(
            doc,
            lambda p: Loc("p.json", p.line),
            lambda v: [str(v)] if v is not None else [],
            policy_kind=kind,
            identity="aws_iam_role.r",
        )
    )


def _trust(principals: dict[str, list[str]], *conditions: Condition) -> PolicyStatement:
    return PolicyStatement(
        loc=Loc("t", 1),
        actions=["sts:AssumeRoleWithWebIdentity"],
        principals=principals,
        conditions=list(conditions),
        policy_kind="trust",
    )


GITHUB = {"Federated": ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]}
AUD = Condition("StringEquals", "token.actions.githubusercontent.com:aud", ["sts.amazonaws.com"])


def test_json_statements_keep_their_lines_shifted_to_the_file() -> None:
    text = '{\n "Statement": {\n  "Effect": "Allow",\n  "Action": ["s3:*"],\n  "Resource": "*"\n }\n}'
    (statement,) = _statements(text)
    assert statement.actions == ["s3:*"] and statement.resources == ["*"]
    assert statement.action_loc == Loc("p.json", 13) and statement.resource_loc == Loc("p.json", 14)


def test_principal_star_and_conditions_are_normalised() -> None:
    text = (
        '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",'
        ' "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]}'
    )
    (statement,) = _statements(text, "trust")
    assert statement.principals == {"AWS": ["*"]}
    assert statement.conditions[0].key == "aws:PrincipalOrgID" and statement.conditions[0].values == ["o-abc"]
    assert iam.trust_problem(statement) is None  # pinned to the organisation


def test_not_json_is_unknown_but_broken_json_is_an_error() -> None:
    assert iam_policy.json_document("${data.x.json}", 1) is None
    assert iam_policy.json_document('{"Resource": ${jsonencode(var.arns)}}', 1) is None  # renders to JSON
    with pytest.raises(ParseError, match="not valid JSON"):  # issue 13: unreadable, not absent
        iam_policy.json_document('{"Statement": [', 1)


def test_wildcards_inside_action_names_expand_to_escalations() -> None:
    assert iam.escalation_actions(["iam:Put*"]) == [
        "iam:PutUserPolicy",
        "iam:PutGroupPolicy",
        "iam:PutRolePolicy",
    ]
    assert iam.escalation_actions(["iam:*Policy"]) == [
        "iam:AttachUserPolicy",
        "iam:AttachGroupPolicy",
        "iam:AttachRolePolicy",
        "iam:PutUserPolicy",
        "iam:PutGroupPolicy",
        "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy",
    ]
    assert iam.escalation_actions(["IAM:passrole"]) == ["iam:PassRole"]
    assert iam.escalation_actions(["iam:Get*", "ec2:Describe*", "${var.actions}"]) == []


def test_only_whole_service_wildcards_count() -> None:
    assert iam.wildcard_actions(["*", "s3:*", "ec2:Describe*", "sts:GetCallerIdentity"]) == ["*", "s3:*"]
    assert iam.wildcard_actions(["ssmmessages:*", "ec2messages:*"]) == []  # no resource-level permissions


def test_github_trust_needs_one_repository() -> None:
    sub = "token.actions.githubusercontent.com:sub"
    assert "no `sub`" in iam.trust_problem(_trust(GITHUB, AUD))[0]
    broad = iam.trust_problem(_trust(GITHUB, AUD, Condition("StringLike", sub, ["repo:acme/*"], Loc("t", 7))))
    assert broad is not None and "repo:acme/*" in broad[0] and broad[1] == Loc("t", 7)
    assert iam.trust_problem(_trust(GITHUB, AUD, Condition("StringLike", sub, ["repo:acme/site:*"]))) is None
    assert iam.trust_problem(_trust(GITHUB, AUD, Condition("StringEquals", sub, ["repo:acme/*"]))) is None
    # STS accepts only tokens whose audience is in the OIDC provider's client ID list: no `aud`
    # condition is needed for the trust to be closed to other audiences.
    assert iam.trust_problem(_trust(GITHUB, Condition("StringEquals", sub, ["repo:a/b:ref:x"]))) is None


def test_eks_and_other_issuers() -> None:
    eks = {"Federated": ["arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"]}
    key = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
    pinned = Condition("StringEquals", f"{key}:sub", ["system:serviceaccount:payments:api"])
    aud = Condition("StringEquals", f"{key}:aud", ["sts.amazonaws.com"])
    assert iam.trust_problem(_trust(eks, pinned, aud)) is None
    every_sa = Condition("StringLike", f"{key}:sub", ["system:serviceaccount:payments:*"])
    assert "service account" in iam.trust_problem(_trust(eks, every_sa, aud))[0]
    gitlab = {"Federated": ["arn:aws:iam::1:oidc-provider/gitlab.example.com"]}
    assert "GitLab" in iam.trust_problem(_trust(gitlab))[0]
    saml = {"Federated": ["arn:aws:iam::1:saml-provider/okta"]}
    assert iam.trust_problem(_trust(saml)) is None


def test_unresolved_provider_is_named_by_its_condition_keys() -> None:
    unknown = {"Federated": ["${aws_iam_openid_connect_provider.gh.arn}"]}
    sub = Condition("StringLike", "token.actions.githubusercontent.com:sub", ["*"])
    assert "GitHub Actions" in iam.trust_problem(_trust(unknown, AUD, sub))[0]


def test_cross_account_root_needs_external_id() -> None:
    root = PolicyStatement(
        loc=Loc("t", 1),
        actions=["sts:AssumeRole"],
        policy_kind="trust",
        principals={"AWS": ["arn:aws:iam::210987654321:root"]},
    )
    assert "210987654321" in iam.trust_problem(root)[0]
    root.conditions = [Condition("StringEquals", "sts:ExternalId", ["x"])]
    assert iam.trust_problem(root) is None
    same_account = PolicyStatement(
        loc=Loc("t", 1),
        actions=["sts:AssumeRole"],
        policy_kind="trust",
        principals={"AWS": ["arn:aws:iam::${AWS::AccountId}:root"]},
    )
    assert iam.trust_problem(same_account) is None


def test_shift_moves_every_position() -> None:
    tree = iam_policy.shift(parse_json('{"a": [1, {"b": 2}]}'), 4)
    assert tree.pos == Pos(5, 1) and tree["a"].ipos(1).line == 5 and tree["a"][1].kpos("b").line == 5
