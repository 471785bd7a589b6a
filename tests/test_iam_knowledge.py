"""IAM knowledge the rules need (issue 16): escalation actions behind wildcards inside names, admin
roles of GCP and Azure, custom roles that hold impersonation or role-assignment permissions."""

from __future__ import annotations

from nhilint import iam


def _by_rule(result, rule_id: str) -> list[tuple[str, int, str]]:
    return sorted((f.loc.file, f.loc.line, f.message) for f in result.findings if f.rule_id == rule_id)


# --- NHI203: wildcards inside names, identity-provider and trust management -------------------

OIDC_ADMIN_TF = """\
resource "aws_iam_role" "federation_admin" {
  name               = "federation-admin"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "federation_admin" {
  role = aws_iam_role.federation_admin.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:*OpenIDConnectProvider*", "iam:List*", "sts:GetCallerIdentity"]
      Resource = "*"
    }]
  })
}
"""


def test_oidc_provider_wildcard_names_every_provider_action_it_grants(scan) -> None:
    (found,) = _by_rule(scan({"main.tf": OIDC_ADMIN_TF}), "NHI203")
    assert found[:2] == ("main.tf", 12)
    for action in (
        "iam:CreateOpenIDConnectProvider",
        "iam:UpdateOpenIDConnectProviderThumbprint",
        "iam:AddClientIDToOpenIDConnectProvider",
    ):
        assert f"`{action}`" in found[2]
    assert "ListOpenIDConnectProviders" not in found[2]  # a read is no escalation


def test_trust_and_identity_provider_actions_in_cloudformation(scan) -> None:
    template = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SsoSync:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: saml
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [iam:CreateSAMLProvider, iam:UpdateSAMLProvider, iam:UpdateAssumeRolePolicy]
                Resource: "*"
"""
    (found,) = _by_rule(scan({"template.yaml": template}), "NHI203")
    assert found[1] == 14
    for action in ("iam:CreateSAMLProvider", "iam:UpdateSAMLProvider", "iam:UpdateAssumeRolePolicy"):
        assert f"`{action}`" in found[2]


def test_iam_vulnerable_paths_through_existing_resources(scan) -> None:
    policy = """\
resource "aws_iam_policy" "operator" {
  name = "operator"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "cloudformation:UpdateStack", "ssm:StartSession", "ec2-instance-connect:SendSSHPublicKey",
        "sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:ListNotebookInstances",
      ]
      Resource = "*"
    }]
  })
}
"""
    (found,) = _by_rule(scan({"main.tf": policy}), "NHI203")
    assert found[1] == 7
    for action in (
        "cloudformation:UpdateStack",
        "ssm:StartSession",
        "ec2-instance-connect:SendSSHPublicKey",
        "sagemaker:CreatePresignedNotebookInstanceUrl",
    ):
        assert f"`{action}`" in found[2]
    assert "ListNotebookInstances" not in found[2] and "PassedToService" not in found[2]


def test_star_only_reads_and_whole_service_wildcards_stay_with_their_own_rules(scan) -> None:
    reads = """\
resource "aws_iam_policy" "inventory" {
  name = "inventory"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["iam:ListRoles", "iam:Get*", "sts:GetCallerIdentity", "ec2:Describe*"],
        Resource = "*" },
      { Effect = "Allow", Action = "iam:*", Resource = "*" },
    ]
  })
}
"""
    result = scan({"main.tf": reads})
    assert _by_rule(result, "NHI203") == []  # `iam:*` is NHI201's finding, once
    assert [line for _, line, _ in _by_rule(result, "NHI201")] == [8]


def test_every_table_action_is_a_well_formed_iam_action() -> None:
    for group, actions in iam.ESCALATION_TABLE.items():
        assert actions, group
        for action in actions:
            service, _, name = action.partition(":")
            assert service and name[:1].isupper() and "*" not in action, action
    assert len(set(iam.ESCALATION_ACTIONS)) == len(iam.ESCALATION_ACTIONS)
