"""NHI101 does not fire on the name of a secret, on base64 of a placeholder, or on inline Lambda
code read as a token; and redaction never shows more than a quarter of a short secret (issue 15)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from nhilint.knowledge.redaction import redact
from tests.conftest import run_cli, scan_tree


def _nhi101(root: Path, files: dict[str, str]) -> list[tuple[str, int]]:
    return [(f.loc.file, f.loc.line) for f in scan_tree(root, files).findings if f.rule_id == "NHI101"]


SECRET_NAMES_TF = """\
variable "tfc_agent_k8s_secrets" {
  description = "Name of the Kubernetes Secret holding the agent token"
  default     = "tfc-agent-k8s-secrets"
}

variable "db_password_secret_name" {
  default = "prod/orders/db-password"
}

module "app" {
  source             = "./app"
  api_key_secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-key-AbC123"
  oauth_secret_id    = "projects/orders/secrets/oauth-client-secret"
  github_secret      = "gh-app-private-key-v2"
  s3_creds           = "s3-uploader-creds"
}
"""

SECRET_NAMES_K8S = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      serviceAccountName: agent
      containers:
        - name: agent
          image: hashicorp/tfc-agent:1.15
          env:
            - name: TFC_AGENT_TOKEN_SECRET
              value: tfc-agent-k8s-secrets
            - name: EC2_CREDENTIALS
              value: ec2-readonly-v1beta1-creds
      volumes:
        - name: token
          secret:
            secretName: tfc-agent-k8s-secrets
"""


def test_a_secret_s_name_is_not_the_secret(tmp_path: Path) -> None:
    found = _nhi101(tmp_path, {"main.tf": SECRET_NAMES_TF, "agent.yaml": SECRET_NAMES_K8S})
    assert found == []


def test_a_real_secret_under_the_same_names_is_still_found(tmp_path: Path) -> None:
    text = SECRET_NAMES_TF.replace('"tfc-agent-k8s-secrets"', '"Zq8vN3kL9xW2pR7t"')
    assert _nhi101(tmp_path, {"main.tf": text}) == [("main.tf", 3)]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


PLACEHOLDERS = ["password", "changeme", "admin", "secret", "example", "", "password\n", "changeme123"]


def test_base64_of_a_placeholder_is_a_placeholder(tmp_path: Path) -> None:
    data = "\n".join(f"  db-password-{i}: {_b64(p)!r}" for i, p in enumerate(PLACEHOLDERS))
    secret = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n{data}\n"
    terraform = f"""\
resource "kubernetes_secret_v1" "db" {{
  metadata {{
    name = "db"
  }}
  binary_data = {{
    password = "{_b64("changeme")}"
    token    = "{_b64("password")}"
  }}
}}
"""
    assert _nhi101(tmp_path, {"secret.yaml": secret, "main.tf": terraform}) == []


def test_base64_of_a_real_password_is_still_found(tmp_path: Path) -> None:
    terraform = f"""\
resource "kubernetes_secret_v1" "db" {{
  metadata {{
    name = "db"
  }}
  binary_data = {{
    password = "{_b64("Xk9#mQ2!zzR7")}"
  }}
}}
"""
    assert _nhi101(tmp_path, {"main.tf": terraform}) == [("main.tf", 6)]


# The shape of AWS's own AWS Config sample: a custom-rule Lambda written inline.
INLINE_LAMBDA = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  VolumeComplianceCheck:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      Role: arn:aws:iam::123456789012:role/config-rule
      Code:
        ZipFile: |
          var aws = require('aws-sdk');
          var config = new aws.ConfigService();
          exports.handler = function(event, context) {
              var item = JSON.parse(event.invokingEvent).configurationItem;
              config.putEvaluations({
                  Evaluations: [{ComplianceResourceId: item.resourceId, ComplianceType: 'COMPLIANT'}],
                  ResultToken: event.resultToken
              }, function(err, data) { if (err) context.fail(err); else context.succeed(data); });
          };
  Authorizer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      InlineCode: |
        import os
        def handler(event, context):
            api_token = event["headers"]["authorization"]
            client_secret = os.environ["CLIENT_SECRET"]
            return {"token": api_token, "ok": client_secret is not None}
"""


def test_inline_lambda_code_is_not_a_token(tmp_path: Path) -> None:
    assert _nhi101(tmp_path, {"template.yaml": INLINE_LAMBDA}) == []


@pytest.mark.parametrize(
    "line",
    [
        '          var password = "Xk9#mQ2!zzR7";',  # a quoted literal assigned to a credential name
        "          var key = 'AKIAZ7Q3XK5RTW2PLM4N';",  # a token whose format proves it
    ],
)
def test_a_credential_written_in_inline_code_is_still_found(tmp_path: Path, line: str) -> None:
    text = INLINE_LAMBDA.replace("          var aws = require('aws-sdk');", line)
    assert _nhi101(tmp_path, {"template.yaml": text}) == [("template.yaml", 10)]


# --- redaction --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Xk9#mQ2!", "Xk****"),  # 8 characters: 2
        ("Xk9#mQ2!zzR7", "Xk9****"),  # 12: 3
        ("AKIAZ7Q3XK5RTW2PLM4N", "AKIA****"),  # 20: never more than 4
        ("hunter2", "****"),  # under 8: nothing
    ],
)
def test_redaction_shows_at_most_a_quarter(value: str, shown: str) -> None:
    assert redact(value) == shown
    assert len(shown) - 4 <= len(value) // 4


PASSWORD = "Xk9#mQ2!"  # 8 characters: the old redaction showed half of it


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_every_output_shows_a_quarter_of_a_short_password(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "main.tf").write_text(
        f'resource "aws_db_instance" "orders" {{\n  username = "orders"\n  password = "{PASSWORD}"\n}}\n',
        encoding="utf-8",
    )
    proc = run_cli("scan", ".", "--select", "NHI101", "--format", fmt, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Xk****" in proc.stdout
    assert PASSWORD[:3] not in proc.stdout + proc.stderr
    if fmt != "text":
        json.loads(proc.stdout)  # still a document


DEPLOY_TIME_PLACEHOLDERS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  selector:
    matchLabels: {app: frontend}
  template:
    metadata:
      labels: {app: frontend}
    spec:
      serviceAccountName: frontend
      containers:
        - name: server
          image: frontend:1.0
          env:
            - name: MAPS_API_KEY
              value: MAPS_API_KEY_VAL
            - name: DB_PASSWORD
              value: db-password-here
            - name: API_TOKEN
              value: API_TOKEN_Xk9mQ2zzR7
"""


def test_a_value_that_repeats_its_variable_s_name_is_a_placeholder(tmp_path: Path) -> None:
    result = scan_tree(tmp_path, {"frontend.yaml": DEPLOY_TIME_PLACEHOLDERS})
    found = sorted((f.rule_id, f.loc.line) for f in result.findings if f.rule_id in ("NHI101", "NHI106"))
    assert found == [("NHI101", 22)]  # the name plus random characters is a credential still
