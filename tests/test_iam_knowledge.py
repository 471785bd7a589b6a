"""IAM knowledge the rules need (issue 16): escalation actions behind wildcards inside names, admin
roles of GCP and Azure, custom roles that hold impersonation or role-assignment permissions."""

from __future__ import annotations

from nhilint.knowledge import iam


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


# --- NHI204: GCP roles that act as every service account, custom roles ------------------------

GCP_SA = """\
resource "google_service_account" "deployer" {
  account_id = "deployer"
}
"""


def test_gcp_impersonation_roles_at_project_level_but_not_on_one_service_account(scan) -> None:
    grants = """
resource "google_project_iam_member" "deployer_acts_as_all" {
  project = "acme-prod"
  role    = "roles/iam.serviceAccountUser"
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

resource "google_folder_iam_binding" "pool_admins" {
  folder  = "folders/1234"
  role    = "roles/iam.workloadIdentityPoolAdmin"
  members = ["serviceAccount:deployer@acme-prod.iam.gserviceaccount.com", "user:ana@example.com"]
}

resource "google_organization_iam_member" "iam_admin" {
  org_id = "5678"
  role   = "roles/resourcemanager.projectIamAdmin"
  member = "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/*"
}

resource "google_service_account_iam_member" "deployer_acts_as_runtime" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:ci@acme-prod.iam.gserviceaccount.com"
}

resource "google_project_iam_member" "person" {
  project = "acme-prod"
  role    = "roles/iam.securityAdmin"
  member  = "user:ana@example.com"
}
"""
    found = _by_rule(scan({"main.tf": GCP_SA + grants}), "NHI204")
    assert [line for _, line, _ in found] == [7, 13, 19]
    assert (
        "deployer is granted the built-in admin role roles/iam.serviceAccountUser at project scope"
        in found[0][2]
    )
    assert "at folder scope" in found[1][2] and "at organization scope" in found[2][2]


CUSTOM_ROLE = """
resource "google_project_iam_custom_role" "deploy" {
  project     = "acme-prod"
  role_id     = "cloudRunDeploy"
  title       = "Cloud Run deploy"
  permissions = ["run.services.update", "iam.serviceAccounts.actAs", "iam.serviceAccountKeys.create"]
}

resource "google_project_iam_custom_role" "metrics" {
  project     = "acme-prod"
  role_id     = "metricsWriter"
  title       = "Metrics"
  permissions = ["monitoring.timeSeries.create"]
}
"""


def test_gcp_custom_role_holding_act_as_is_an_admin_grant_with_its_definition_related(scan) -> None:
    grants = """
resource "google_project_iam_member" "by_reference" {
  project = "acme-prod"
  role    = google_project_iam_custom_role.deploy.id
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

resource "google_project_iam_member" "by_id" {
  project = "acme-prod"
  role    = "projects/acme-prod/roles/cloudRunDeploy"
  member  = "serviceAccount:deployer@acme-prod.iam.gserviceaccount.com"
}

resource "google_project_iam_member" "narrow" {
  project = "acme-prod"
  role    = google_project_iam_custom_role.metrics.name
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

resource "google_project_iam_member" "person" {
  project = "acme-prod"
  role    = google_project_iam_custom_role.deploy.id
  member  = "user:ana@example.com"
}
"""
    result = scan({"main.tf": GCP_SA + CUSTOM_ROLE + grants})
    found = [f for f in result.findings if f.rule_id == "NHI204"]
    assert sorted(f.loc.line for f in found) == [21, 27]
    for finding in found:
        assert "custom role" in finding.message and "`iam.serviceAccounts.actAs`" in finding.message
        assert "`iam.serviceAccountKeys.create`" in finding.message and "run.services" not in finding.message
        assert [(r.loc.file, r.loc.line) for r in finding.related] == [("main.tf", 9)]


AZURE_IDENTITY = """\
resource "azurerm_user_assigned_identity" "deployer" {
  name                = "deployer"
  resource_group_name = "platform"
  location            = "westeurope"
}

data "azurerm_subscription" "primary" {}
"""


def test_azure_custom_role_with_every_action_or_role_assignment_write(scan) -> None:
    definitions = """
resource "azurerm_role_definition" "everything" {
  name  = "deployer-everything"
  scope = data.azurerm_subscription.primary.id
  permissions {
    actions     = ["*"]
    not_actions = ["Microsoft.Authorization/*/Write"]
  }
}

resource "azurerm_role_definition" "granter" {
  name  = "role-granter"
  scope = data.azurerm_subscription.primary.id
  permissions {
    actions = ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Resources/subscriptions/read"]
  }
}

resource "azurerm_role_definition" "reader" {
  name  = "blob-reader"
  scope = data.azurerm_subscription.primary.id
  permissions {
    actions = ["Microsoft.Storage/storageAccounts/blobServices/containers/read"]
  }
}

resource "azurerm_role_assignment" "everything" {
  scope              = data.azurerm_subscription.primary.id
  role_definition_id = azurerm_role_definition.everything.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.deployer.principal_id
}

resource "azurerm_role_assignment" "granter" {
  scope                = data.azurerm_subscription.primary.id
  role_definition_name = "role-granter"
  principal_id         = azurerm_user_assigned_identity.deployer.principal_id
}

resource "azurerm_role_assignment" "reader" {
  scope              = data.azurerm_subscription.primary.id
  role_definition_id = azurerm_role_definition.reader.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.deployer.principal_id
}

resource "azurerm_role_assignment" "person" {
  scope              = data.azurerm_subscription.primary.id
  role_definition_id = azurerm_role_definition.everything.role_definition_resource_id
  principal_id       = "00000000-0000-0000-0000-000000000000"
  principal_type     = "User"
}
"""
    result = scan({"main.tf": AZURE_IDENTITY + definitions})
    found = sorted((f for f in result.findings if f.rule_id == "NHI204"), key=lambda f: f.loc.line)
    assert [f.loc.line for f in found] == [36, 42]
    assert "custom role deployer-everything, which holds `*` at subscription scope" in found[0].message
    assert "roleAssignments/write" not in found[0].message  # excluded by its not_actions
    assert "`Microsoft.Authorization/roleAssignments/write`" in found[1].message
    assert [r.loc.line for r in found[1].related] == [22]
