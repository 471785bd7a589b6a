"""Which identities the lifecycle rules (NHI301-NHI303) judge, and whether their tags are known:
reusable modules and parameterised templates, people's roles, Kubernetes API groups, kustomize
namespaces and rendered third-party charts. Every case is a real scan of real snippets."""

from __future__ import annotations

import json

import pytest

from nhilint.config import Config
from nhilint.facts import Loc
from nhilint.knowledge import iam, iam_policy

from .conftest import run_cli

LIFECYCLE = Config(select=("NHI301", "NHI302", "NHI303"), max_identity_lifetime_days=3650)


def _reported(result) -> list:
    """The active findings, with those folded into another one (one finding per identity)."""
    return [g for f in result.active for g in (f, *getattr(f, "folded", ()))]


def _found(result, *rules: str) -> list[tuple[str, str, int]]:
    return sorted(
        (f.rule_id, f.loc.file, f.loc.line) for f in _reported(result) if not rules or f.rule_id in rules
    )


# --- unknown is not missing: reusable Terraform modules -------------------------------------------

MODULE_ROLE = """\
variable "name" {
  type = string
}

variable "tags" {
  description = "Tags for every resource of the module (owner, expires...)."
  type        = map(string)
  default     = {}
}

locals {
  tags = merge(var.tags, { module = "lambda-role" })
}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
  Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {Service = "ec2.amazonaws.com"} }]
  })
  tags = local.tags
}
"""


def test_a_reusable_module_leaves_owner_and_expiry_to_its_caller(scan) -> None:
    result = scan({"modules/lambda-role/main.tf": MODULE_ROLE}, LIFECYCLE)
    assert _found(result) == []


@pytest.mark.parametrize(
    "root_file",
    [
        ("backend.tf", 'terraform {\n  backend "s3" {\n    bucket = "acme-tf-state"\n  }\n}\n'),
        ("versions.tf", 'terraform {\n  cloud {\n    organization = "acme"\n  }\n}\n'),
        ("providers.tf", 'provider "aws" {\n  region = "eu-west-1"\n}\n'),
        ("prod.tfvars", 'name = "worker"\n'),
    ],
    ids=["backend", "cloud", "configured-provider", "tfvars"],
)
def test_a_root_module_uses_the_default_of_its_variables(scan, root_file: tuple[str, str]) -> None:
    name, text = root_file
    result = scan({"live/main.tf": MODULE_ROLE, f"live/{name}": text}, LIFECYCLE)
    assert _found(result) == [("NHI301", "live/main.tf", 21), ("NHI302", "live/main.tf", 21)]


def test_an_alias_only_provider_block_keeps_a_module_reusable(scan) -> None:
    proxy = 'provider "aws" {\n  alias = "replica"\n}\n'
    result = scan({"modules/role/main.tf": MODULE_ROLE, "modules/role/providers.tf": proxy}, LIFECYCLE)
    assert _found(result) == []


def test_tags_written_in_a_reusable_module_are_still_judged(scan) -> None:
    role = """\
variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_iam_role" "this" {
  name               = "reporting"
  assume_role_policy = "{}"
  tags               = merge(var.tags, { expires = "2020-01-31" })
}

resource "aws_iam_user" "bot" {
  name = "deploy-bot"
  tags = { team = "platform" }
}
"""
    result = scan({"modules/reporting/main.tf": role}, LIFECYCLE)
    # the written expiry is past; the user's owner and expiry may come from the default_tags of the
    # provider its caller passes (AWS applies them to every resource of every module)
    assert _found(result) == [("NHI302", "modules/reporting/main.tf", 9)]


def test_gcp_azure_and_kubernetes_identities_of_a_reusable_module(scan) -> None:
    module = """\
variable "description" {
  type    = string
  default = "Runs the exporter."
}

variable "labels" {
  type    = map(string)
  default = {}
}

resource "google_service_account" "this" {
  account_id  = "exporter"
  description = var.description
}

resource "azurerm_user_assigned_identity" "this" {
  name                = "exporter"
  resource_group_name = "observability"
  location            = "westeurope"
  tags                = var.labels
}

resource "kubernetes_service_account_v1" "this" {
  metadata {
    name      = "exporter"
    namespace = "observability"
    labels    = merge(var.labels, { app = "exporter" })
  }
}
"""
    assert _found(scan({"modules/exporter/main.tf": module}, LIFECYCLE)) == []


# --- unknown is not missing: CloudFormation parameters --------------------------------------------

CFN_PARAMETERISED = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Team:
    Type: String
    Default: data-platform
  ReviewDate:
    Type: String
Resources:
  IngestRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: ingest
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: glue.amazonaws.com }
            Action: sts:AssumeRole
      Tags:
        - Key: owner
          Value: !Ref Team
        - Key: expires
          Value: !Sub "${ReviewDate}"
  ExportRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
      Tags:
        - Key: owner
          Value: data-platform
        - Key: stage
          Value: !Ref AWS::StackName
"""


def test_cloudformation_tags_from_parameters_are_the_deployers(scan) -> None:
    result = scan({"template.yaml": CFN_PARAMETERISED}, LIFECYCLE)
    # IngestRole: both values come from parameters (a Default is only a suggestion), nothing to
    # judge; ExportRole: literal owner, no expiry and no parameter that could bring one
    assert _found(result) == [("NHI302", "template.yaml", 31)]


# --- machine identities only: roles for people ----------------------------------------------------

PEOPLE_ROLES = """\
resource "aws_iam_role" "analysts" {
  name                 = "analysts"
  max_session_duration = 43200
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = ["arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/bob"] }
    }]
  })
}

resource "aws_iam_role" "breakglass" {
  name                 = "breakglass"
  max_session_duration = 43200
  assume_role_policy   = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
      }]
    }
  EOF
}

data "aws_iam_policy_document" "saml" {
  statement {
    actions = ["sts:AssumeRoleWithSAML"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:saml-provider/Okta"]
    }
    condition {
      test     = "StringEquals"
      variable = "SAML:aud"
      values   = ["https://signin.aws.amazon.com/saml"]
    }
  }
}

resource "aws_iam_role" "okta_readonly" {
  name                 = "okta-readonly"
  max_session_duration = 43200
  assume_role_policy   = data.aws_iam_policy_document.saml.json
}

variable "role_user_arns" {
  type        = list(string)
  description = "ARNs of the users who may assume the role"
}

data "aws_iam_policy_document" "users_with_mfa" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.role_user_arns
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
  }
}

resource "aws_iam_role" "user_role" {
  name                 = "platform-engineer"
  assume_role_policy   = data.aws_iam_policy_document.users_with_mfa.json
  max_session_duration = 28800
}
"""

MACHINE_ROLES = """\
resource "aws_iam_role" "lambda" {
  name                 = "lambda"
  max_session_duration = 43200
  assume_role_policy = jsonencode({
  Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {Service = "ec2.amazonaws.com"} }]
  })
}

resource "aws_iam_role" "cross_account" {
  name = "cross-account"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::444455556666:root" }
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role" "mixed" {
  name = "mixed"
  assume_role_policy = jsonencode({
    Statement = [
    { Effect = "Allow", Action = "sts:AssumeRole", Principal = {AWS = "arn:aws:iam::111122223333:user/ana"} },
    { Effect = "Allow", Action = "sts:AssumeRole", Principal = {Service = "ec2.amazonaws.com"} },
    ]
  })
}

resource "aws_iam_role" "unknown" {
  name               = "unknown"
  assume_role_policy = var.trust
}
"""


# a root module: no caller's provider could add owner or expiry through default_tags
ROOT_PROVIDER = 'provider "aws" {\n  region = "eu-west-1"\n}\n'


def test_roles_only_people_assume_are_not_judged_as_machine_identities(scan) -> None:
    assert _found(scan({"people.tf": PEOPLE_ROLES, "providers.tf": ROOT_PROVIDER}, LIFECYCLE)) == []


def test_roles_a_machine_can_assume_stay_machine_identities(scan) -> None:
    result = scan({"machines.tf": MACHINE_ROLES, "providers.tf": ROOT_PROVIDER}, LIFECYCLE)
    # service trust, an account without a strict MFA condition, a statement for EC2 beside a
    # person's, and a trust nhilint cannot read: all still judged
    assert {(rule, line) for rule, _, line in _found(result)} == {
        ("NHI301", 1),
        ("NHI302", 1),
        ("NHI303", 3),
        ("NHI301", 9),
        ("NHI302", 9),
        ("NHI301", 21),
        ("NHI302", 21),
        ("NHI301", 31),
        ("NHI302", 31),
    }


def test_cloudformation_sso_and_saml_roles_are_people(scan) -> None:
    template = """\
Resources:
  SupportRole:
    Type: AWS::IAM::Role
    Properties:
      MaxSessionDuration: 43200
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Federated: !Sub "arn:aws:iam::${AWS::AccountId}:saml-provider/AWSSSO_1a2b3c_DO_NOT_DELETE"
            Action: [sts:AssumeRoleWithSAML, sts:TagSession]
  AuditRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root" }
            Action: sts:AssumeRole
            Condition:
              ArnLike:
                aws:PrincipalArn: arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Audit_*
  BuildRole:
    Type: AWS::IAM::Role
    Properties:
      MaxSessionDuration: 43200
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: codebuild.amazonaws.com }
            Action: sts:AssumeRole
"""
    result = scan({"roles.yaml": template}, LIFECYCLE)
    assert _found(result) == [
        ("NHI301", "roles.yaml", 23),
        ("NHI302", "roles.yaml", 23),
        ("NHI303", "roles.yaml", 26),
    ]


# --- Kubernetes: only the core ServiceAccount, in its kustomize namespace --------------------------


def test_only_core_group_service_accounts_are_identities(scan) -> None:
    manifests = """\
apiVersion: talos.dev/v1alpha1
kind: ServiceAccount
metadata:
  name: cluster-admin-tooling
  namespace: kube-system
spec:
  roles: ["os:admin"]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: exporter
  namespace: monitoring
"""
    result = scan({"cluster/accounts.yaml": manifests}, LIFECYCLE)
    assert _found(result) == [
        ("NHI301", "cluster/accounts.yaml", 11),
        ("NHI302", "cluster/accounts.yaml", 11),
    ]


def test_rbac_kinds_of_another_api_group_are_not_rbac(scan) -> None:
    manifests = """\
apiVersion: example.io/v1
kind: ClusterRole
metadata:
  name: portal-admin
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: operator
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
"""
    result = scan({"rbac.yaml": manifests}, Config(select=("NHI206",)))
    assert [f.loc.line for f in result.active] and all(f.loc.line > 9 for f in result.active)


KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: {namespace}
resources:
  - ./serviceaccount.yaml
  - deployment.yaml
"""

SERVICE_ACCOUNT = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: worker\n"

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {team}-worker
spec:
  selector: { matchLabels: { app: worker } }
  template:
    metadata: { labels: { app: worker } }
    spec:
      serviceAccountName: worker
      containers:
        - name: worker
          image: ghcr.io/acme/worker:2.3.1
"""


def _kustomize_base(team: str) -> dict[str, str]:
    return {
        f"teams/{team}/kustomization.yaml": KUSTOMIZATION.format(namespace=team),
        f"teams/{team}/serviceaccount.yaml": SERVICE_ACCOUNT,
        f"teams/{team}/deployment.yaml": DEPLOYMENT.replace("{team}", team),
    }


def test_a_kustomization_namespace_names_the_service_accounts_it_lists(scan) -> None:
    files = {
        **_kustomize_base("billing"),
        "teams/billing/unlisted.yaml": SERVICE_ACCOUNT.replace("worker", "scratch"),
    }
    result = scan(files, Config(select=("NHI301",)))
    names = sorted(f.identity.name for f in _reported(result) if f.identity)
    assert names == ["billing/worker", "default/scratch"]


def test_two_kustomize_bases_do_not_share_a_service_account(scan) -> None:
    result = scan({**_kustomize_base("billing"), **_kustomize_base("search")}, Config(select=("NHI402",)))
    assert result.active == []  # billing/worker and search/worker, not default/worker for both


# --- rendered third-party charts --------------------------------------------------------------------

RENDERED = """\
---
# Source: cert-manager/templates/cainjector-serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: cert-manager-cainjector
  namespace: cert-manager
  labels:
    app.kubernetes.io/managed-by: Helm
    helm.sh/chart: cert-manager-v1.14.4
---
# Source: cert-manager/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: cert-manager
  namespace: cert-manager
  labels:
    app.kubernetes.io/managed-by: Helm
    helm.sh/chart: cert-manager-v1.14.4
---
# Source: cert-manager/templates/webhook-serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: cert-manager-webhook
  namespace: cert-manager
  labels:
    app.kubernetes.io/managed-by: Helm
    helm.sh/chart: cert-manager-v1.14.4
---
# Source: cert-manager/templates/rbac.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cert-manager-controller-secrets
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["*"]
"""


def test_rendered_third_party_chart_gets_one_note_per_rule(tmp_path) -> None:
    (tmp_path / "upstream").mkdir()
    (tmp_path / "upstream" / "cert-manager.yaml").write_text(RENDERED)
    done = run_cli("scan", "upstream", "--format", "json", "--no-cache", "--ignore", "NHI302", cwd=tmp_path)
    findings = json.loads(done.stdout)["findings"]
    notes = [(f["rule_id"], f["severity"], f["line"]) for f in findings if f["rule_id"].startswith("NHI30")]
    assert notes == [("NHI301", "note", 5)]  # NHI303 has nothing to say, NHI302 is ignored
    messages = [f["message"] for f in findings if f["rule_id"] == "NHI301"]
    assert "3 ServiceAccounts" in messages[0] and "cert-manager" in messages[0]
    assert any(f["rule_id"] == "NHI206" for f in findings)  # RBAC still judged on upstream output


def test_a_chart_of_the_repository_is_judged_object_by_object(scan) -> None:
    chart = "apiVersion: v2\nname: cert-manager\nversion: 1.14.4\n"
    template = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Release.Name }}\n"
    result = scan(
        {
            "charts/cert-manager/Chart.yaml": chart,
            "charts/cert-manager/templates/serviceaccount.yaml": template,
            "rendered/cert-manager.yaml": RENDERED,
        },
        Config(select=("NHI301",)),
    )
    found = [(f.loc.line, f.severity) for f in _reported(result)]
    assert found == [(5, "warning"), (15, "warning"), (25, "warning")]


# --- the classification itself, on trust documents as AWS writes them -------------------------------


def _trust_document(principal: object, condition: object = None, action: str = "sts:AssumeRole") -> list:
    statement = {"Effect": "Allow", "Action": action, "Principal": principal}
    if condition:
        statement["Condition"] = condition
    text = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    return list(
        iam_policy.statements(
            iam_policy.json_document(text, 1),
            lambda p: Loc("trust.json", p.line),
            lambda v: [str(v)] if v is not None else [],
            policy_kind="trust",
            identity="aws_iam_role.r",
        )
    )


ACCOUNT = "arn:aws:iam::111122223333:root"
USERS = ["arn:aws:iam::111122223333:user/ana", "arn:aws:iam::111122223333:user/bo"]
SSO_ROLE = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_1a2b"
GITHUB_OIDC = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
MFA_AGE = {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}
PEOPLE = {
    "iam-users": ({"AWS": USERS}, None),
    "account-with-mfa": ({"AWS": ACCOUNT}, MFA),
    "account-id-with-mfa-age": (
        {"AWS": "111122223333"},
        {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    ),
    "sso-permission-set-role": ({"AWS": SSO_ROLE}, None),
    "users-from-a-variable-with-mfa": ({"AWS": "${var.role_user_arns}"}, MFA),
}
MACHINES = {
    "service": ({"Service": "lambda.amazonaws.com"}, None),
    "account-without-mfa": ({"AWS": ACCOUNT}, None),
    "mfa-if-exists": ({"AWS": ACCOUNT}, {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}),
    "another-role": ({"AWS": "arn:aws:iam::111122223333:role/deployer"}, None),
    "anyone": ("*", MFA),
    "oidc": ({"Federated": GITHUB_OIDC}, None),
}


@pytest.mark.parametrize("case", PEOPLE.values(), ids=PEOPLE.keys())
def test_trust_admitting_only_people(case: tuple[object, object]) -> None:
    assert iam.admits_only_people(_trust_document(*case))


def test_saml_federation_admits_people() -> None:
    saml = {"Federated": "arn:aws:iam::111122223333:saml-provider/AWSSSO_5d2c_DO_NOT_DELETE"}
    assert iam.admits_only_people(_trust_document(saml, action="sts:AssumeRoleWithSAML"))


@pytest.mark.parametrize("case", MACHINES.values(), ids=MACHINES.keys())
def test_trust_admitting_a_machine(case: tuple[object, object]) -> None:
    assert not iam.admits_only_people(_trust_document(*case))


def test_no_trust_is_a_machines() -> None:
    assert not iam.admits_only_people([])
