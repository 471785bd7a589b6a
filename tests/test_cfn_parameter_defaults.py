"""CloudFormation values read from a parameter's `Default`: what deploys unless someone overrides it.

The admin grant or session duration is reported at the `Default` (the line to edit), with the resource
property that reads it as a related location. Through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli

# the shape of a published GitHub OIDC role template: policies and session length are parameters
OIDC_ROLE = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  GitHubRestriction:
    Type: String
  RoleName:
    Type: String
    Default: ''
  RoleMaxSessionDuration:
    Type: Number
    MinValue: 3600
    MaxValue: 43200
    Default: 21600
  ManagedPolicyArns:
    Description: Comma-delimited list of IAM managed policy ARNs to attach to the role.
    Type: String
    Default: 'arn:aws:iam::aws:policy/AdministratorAccess'
Conditions:
  HasRoleName: !Not [!Equals [!Ref RoleName, '']]
Resources:
  Role:
    Type: 'AWS::IAM::Role'
    Properties:
      RoleName: !If [HasRoleName, !Ref RoleName, !Ref 'AWS::NoValue']
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
        - Effect: Allow
          Principal:
            Federated: !Ref OIDCProvider
          Action: 'sts:AssumeRoleWithWebIdentity'
          Condition:
            StringEquals:
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com'
            StringLike:
              'token.actions.githubusercontent.com:sub': !Split [',', !Ref GitHubRestriction]
      ManagedPolicyArns: !Split [',', !Ref ManagedPolicyArns]
      MaxSessionDuration: !Ref RoleMaxSessionDuration
  OIDCProvider:
    Type: 'AWS::IAM::OIDCProvider'
    Properties:
      ClientIdList: ['sts.amazonaws.com']
      Url: 'https://token.actions.githubusercontent.com'
"""


def scan(tmp_path: Path, files: dict[str, str]) -> list[dict]:
    for rel, text in files.items():
        (tmp_path / rel).write_text(text, encoding="utf-8")
    args = ("--select", "NHI204", "--select", "NHI303")
    proc = run_cli("scan", ".", "--format", "json", "--no-cache", *args, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_split_of_a_parameter_default_grants_admin_at_the_default(tmp_path: Path) -> None:
    (admin,) = [f for f in scan(tmp_path, {"oidc.yaml": OIDC_ROLE}) if f["rule_id"] == "NHI204"]
    assert admin["line"] == line_of(OIDC_ROLE, "Default: 'arn:aws:iam::aws:policy/AdministratorAccess'")
    assert (
        "AdministratorAccess" in admin["message"]
        and "parameter ManagedPolicyArns's default" in admin["message"]
    )
    assert admin["identity"]["name"] == "Role"  # the empty RoleName default does not name it ''
    assert [r["line"] for r in admin["related"]] == [line_of(OIDC_ROLE, "ManagedPolicyArns: !Split")]


def test_session_duration_from_a_parameter_default(tmp_path: Path) -> None:
    (ttl,) = [f for f in scan(tmp_path, {"oidc.yaml": OIDC_ROLE}) if f["rule_id"] == "NHI303"]
    assert ttl["line"] == line_of(OIDC_ROLE, "Default: 21600")
    assert "21600" in ttl["message"] and "parameter RoleMaxSessionDuration's default" in ttl["message"]
    assert [r["line"] for r in ttl["related"]] == [line_of(OIDC_ROLE, "MaxSessionDuration: !Ref")]


def test_narrow_defaults_and_parameters_without_default_pass(tmp_path: Path) -> None:
    narrow = OIDC_ROLE.replace("policy/AdministratorAccess", "policy/ReadOnlyAccess").replace(
        "Default: 21600", "Default: 3600"
    )
    no_default = OIDC_ROLE.replace(
        "    Default: 'arn:aws:iam::aws:policy/AdministratorAccess'\n", ""
    ).replace("    Default: 21600\n", "")
    assert scan(tmp_path, {"narrow.yaml": narrow, "deployer.yaml": no_default}) == []


FORMS = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  PolicyName:
    Type: String
    Default: AdministratorAccess
  PolicyList:
    Type: CommaDelimitedList
    Default: 'arn:aws:iam::aws:policy/ReadOnlyAccess, arn:aws:iam::aws:policy/PowerUserAccess'
  BreakGlassPolicy:
    Type: String
    Default: arn:aws:iam::aws:policy/IAMFullAccess
Conditions:
  BreakGlass: !Equals [!Ref 'AWS::Region', us-east-1]
Resources:
  SubRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: &trust
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns:
        - !Sub 'arn:${AWS::Partition}:iam::aws:policy/${PolicyName}'
  JoinRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: *trust
      ManagedPolicyArns:
        - !Join ['', ['arn:', !Ref 'AWS::Partition', ':iam::aws:policy/', !Ref PolicyName]]
  ListRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: *trust
      ManagedPolicyArns: !Ref PolicyList
  IfRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: *trust
      ManagedPolicyArns:
        - !If [BreakGlass, !Ref BreakGlassPolicy, !Ref 'AWS::NoValue']
        - arn:aws:iam::aws:policy/AdministratorAccess
"""


def test_sub_join_list_parameter_and_if_branches(tmp_path: Path) -> None:
    found = {(f["identity"]["name"], f["line"]) for f in scan(tmp_path, {"t.yaml": FORMS})}
    assert found == {
        ("SubRole", line_of(FORMS, "Default: AdministratorAccess")),  # through ${AWS::Partition}
        ("JoinRole", line_of(FORMS, "Default: AdministratorAccess")),
        ("ListRole", line_of(FORMS, "PowerUserAccess'")),
        ("IfRole", line_of(FORMS, "Default: arn:aws:iam::aws:policy/IAMFullAccess")),  # either branch
        ("IfRole", line_of(FORMS, "- arn:aws:iam::aws:policy/AdministratorAccess")),  # a literal stays put
    }


def test_json_template_ref_to_a_parameter_default(tmp_path: Path) -> None:
    template = {
        "Parameters": {
            "Policies": {"Type": "String", "Default": "arn:aws:iam::aws:policy/AdministratorAccess"},
            "Session": {"Type": "Number", "Default": 43200},
        },
        "Resources": {
            "Deployer": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {"Statement": []},
                    "ManagedPolicyArns": {"Fn::Split": [",", {"Ref": "Policies"}]},
                    "MaxSessionDuration": {"Ref": "Session"},
                },
            }
        },
    }
    text = json.dumps(template, indent=2)
    found = {(f["rule_id"], f["line"]) for f in scan(tmp_path, {"t.json": text})}
    assert found == {
        ("NHI204", line_of(text, '"Default": "arn:aws:iam::aws:policy/AdministratorAccess"')),
        ("NHI303", line_of(text, '"Default": 43200')),
    }


def test_a_literal_branch_beside_a_parameter_stays_at_its_own_line(tmp_path: Path) -> None:
    template = OIDC_ROLE.replace(
        "MaxSessionDuration: !Ref RoleMaxSessionDuration",
        "MaxSessionDuration: !If [HasRoleName, !Ref RoleMaxSessionDuration, 43200]",
    ).replace("Default: 21600", "Default: 4320")
    found = {f["line"] for f in scan(tmp_path, {"t.yaml": template}) if f["rule_id"] == "NHI303"}
    assert found == {line_of(template, "Default: 4320"), line_of(template, "MaxSessionDuration: !If")}
