"""NHI108 machine-iam-user: an IAM user only automation uses should be a role (TF and CFN, real scans)."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli

DEPLOYER_TF = """\
resource "aws_iam_user" "deployer" {
  name = "site-deployer"
}

resource "aws_iam_access_key" "deployer" {
  user = aws_iam_user.deployer.name
}

resource "aws_iam_policy" "upload" {
  name = "site-upload"
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::acme-site/*" },
      { Effect = "Allow", Action = "cloudfront:CreateInvalidation", Resource = "*" },
    ]
  })
}

resource "aws_iam_user_policy_attachment" "upload" {
  user       = aws_iam_user.deployer.name
  policy_arn = aws_iam_policy.upload.arn
}

resource "aws_iam_user" "ana" {
  name = "ana"
}

resource "aws_iam_user_login_profile" "ana" {
  user = aws_iam_user.ana.name
}

resource "aws_iam_access_key" "ana" {
  user = aws_iam_user.ana.name
}

resource "aws_iam_user" "bob" {
  name = "bob"
}

resource "aws_iam_user_policy" "bob_self_service" {
  user = aws_iam_user.bob.name
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:ChangePassword", "iam:GetUser"]
      Resource = "arn:aws:iam::*:user/$${aws:username}"
    }]
  })
}

resource "aws_iam_user" "unused" {
  name = "unused"
}
"""


def test_cli_reports_the_machine_user_beside_its_key_and_leaves_people_alone(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(DEPLOYER_TF, encoding="utf-8")
    out = run_cli("scan", ".", "--format", "json", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    findings = json.loads(out.stdout)["findings"]
    (user,) = [f for f in findings if f["rule_id"] == "NHI108"]
    assert user["slug"] == "machine-iam-user" and user["severity"] == "warning"
    assert user["line"] == 1
    assert "IAM user site-deployer only serves automation (it has a long-lived access key" in user["message"]
    related = sorted((r["line"], r["message"]) for r in user["related"])
    assert related == [(5, "access key deployer"), (13, "policy aws_iam_policy.upload")]
    # the key is still NHI102's finding (delete the key); the person with both is NHI404's
    assert {(f["rule_id"], f["line"]) for f in findings if f["rule_id"] in ("NHI102", "NHI404")} == {
        ("NHI102", 5),
        ("NHI102", 32),
        ("NHI404", 28),
    }


def test_cloudformation_user_with_policies_or_key_but_no_login(scan) -> None:
    template = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Uploader:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: upload
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: s3:PutObject, Resource: arn:aws:s3:::acme-site/*}
  Reporter:
    Type: AWS::IAM::User
  ReporterKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Reporter
  Operator:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: "{{resolve:secretsmanager:operator:SecretString:password}}"
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  Auditor:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: mfa
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: "*"
                Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}
"""
    result = scan({"template.yaml": template})
    found = sorted((f.loc.line, f.message) for f in result.findings if f.rule_id == "NHI108")
    assert [line for line, _ in found] == [3, 11]
    assert "(it has policies and no console login)" in found[0][1]
    assert "(it has a long-lived access key and no console login)" in found[1][1]
