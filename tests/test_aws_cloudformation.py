"""CloudFormation and SAM (YAML and JSON): the same AWS facts and findings as Terraform."""

from __future__ import annotations

import json

from nhilint.config import Config
from nhilint.facts import Suppression
from nhilint.formats import SourceFile
from nhilint.formats.cloudformation.extract import extract


def _lines(result, rule_id: str) -> list[int]:
    return sorted(f.loc.line for f in result.findings if f.rule_id == rule_id)


def _messages(result, rule_id: str) -> list[str]:
    return [f.message for f in result.findings if f.rule_id == rule_id]


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: prod
  TrustedAccount:
    Type: String
    Default: "210987654321"
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "${Stage}-worker"
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub "arn:aws:iam::${TrustedAccount}:root"
            Action: sts:AssumeRole
      Policies:
        - PolicyName: conditional
          PolicyDocument:
            Statement:
              - !If
                - IsProd
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: arn:aws:s3:::reports/*
                - Effect: Allow
                  Action: iam:PassRole
                  Resource: "*"
      Tags:
        - Key: owner
          Value: reports
        - Key: expires
          Value: "2035-01-01"
  Report:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Role: !GetAtt WorkerRole.Arn
  Cleanup:
    Type: AWS::Lambda::Function
    Properties:
      Role: !Sub "${WorkerRole.Arn}"
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref WorkerRole]
  Implicit:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Policies:
        - Statement:
            - Effect: Allow
              Action: "*"
              Resource: "*"
        - PowerUserAccess
"""


def test_sam_template_end_to_end(scan) -> None:
    result = scan({"template.yaml": TEMPLATE}, Config(max_identity_lifetime_days=3650))
    assert _lines(result, "NHI205") == [20]  # the parameter default names another account
    assert (
        "210987654321" in _messages(result, "NHI205")[0] and "prod-worker" in _messages(result, "NHI205")[0]
    )
    assert _lines(result, "NHI203") == [33]  # the risky branch of the Fn::If
    assert _lines(result, "NHI402") == [13]
    (shared,) = [f for f in result.findings if f.rule_id == "NHI402"]
    assert sorted(r.loc.line for r in shared.related) == [44, 48, 52]
    assert _lines(result, "NHI201") == [60]  # the SAM function's generated role
    assert _lines(result, "NHI204") == [62]
    assert "ImplicitRole" in _messages(result, "NHI204")[0]
    assert _lines(result, "NHI301") == _lines(result, "NHI302") == []


def test_json_template_user_keys_secret_rotation_and_suppression(scan) -> None:
    template = {
        "Resources": {
            "Builder": {
                "Type": "AWS::IAM::User",
                "Metadata": {
                    "nhilint": {"ignore": [{"id": "NHI301", "reason": "legacy", "expires": "2030-01-01"}]}
                },
                "Properties": {
                    "UserName": "builder",
                    "LoginProfile": {"Password": "{{resolve:ssm-secure:p}}"},
                    "Tags": [{"Key": "Owner", "Value": "build"}],
                },
            },
            "BuilderKey": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": {"Ref": "Builder"}}},
            "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "db-password"}},
            "Other": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "other-token"}},
            "Rotation": {
                "Type": "AWS::SecretsManager::RotationSchedule",
                "Properties": {"SecretId": {"Ref": "Secret"}},
            },
            "Task": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {
                    "TaskRoleArn": "arn:aws:iam::123456789012:role/task",
                    "ContainerDefinitions": [
                        {"Name": "api", "Environment": [{"Name": "API_KEY", "Value": "internal-key-1"}]}
                    ],
                },
            },
        }
    }
    text = json.dumps(template, indent=2)
    result = scan({"stack.json": text})
    lines = text.splitlines()

    def line_of(fragment: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if fragment in line)

    assert _lines(result, "NHI102") == [line_of('"BuilderKey"')]
    assert _lines(result, "NHI404") == [line_of('"LoginProfile"')]
    assert _lines(result, "NHI304") == [line_of('"Other"')]
    assert _lines(result, "NHI106") == [line_of('"Value": "internal-key-1"')]
    (suppression,) = [
        f
        for f in extract([SourceFile("stack.json", "cloudformation", text)]).facts
        if isinstance(f, Suppression)
    ]
    assert suppression.rules == ["NHI301"] and suppression.expires == "2030-01-01"
    assert suppression.start_line == line_of('"Builder": {') and suppression.end_line > suppression.start_line


def test_managed_policy_reaches_listed_roles_and_narrow_trusts_pass(scan) -> None:
    result = scan(
        {
            "template.yaml": """\
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: deploy
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              AWS: "*"
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                aws:PrincipalOrgID: o-abc123
  DeployPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [deploy]
      PolicyDocument:
        Statement:
          - Effect: Allow
            NotAction: iam:*
            Resource: "*"
"""
        },
        Config(select=("NHI202", "NHI205")),
    )
    assert _lines(result, "NHI205") == []
    assert _lines(result, "NHI202") == [22]
    assert "role deploy" in _messages(result, "NHI202")[0]
