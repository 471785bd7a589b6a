"""Fingerprints are stable under unrelated edits and tell nothing about a secret (issue 14, item 6).

Before, the fingerprint hashed the raw line holding the secret, so anyone with the SARIF, JSON,
audit CSV or a committed baseline could test password guesses offline. Now the line is hashed with
the secret cut to the redacted prefix the message shows anyway: two passwords that share their
first four characters give the same fingerprint.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.config import Config
from nhilint.pipeline.scan import scan as scan_paths

TERRAFORM = 'resource "aws_db_instance" "db" {{\n  username = "app"\n  password = "{secret}"\n}}\n'
# The password's name is on the line above: no detector sees a credential on the value's own line.
KUBERNETES = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          env:
            - name: DB_PASSWORD
              value: "{secret}"
"""


def _fingerprints(tmp_path: Path, name: str, text: str) -> dict[str, str]:
    root = tmp_path / name
    root.mkdir()
    file = root / ("main.tf" if "resource" in text else "deploy.yaml")
    file.write_text(text, encoding="utf-8")
    result = scan_paths([root], Config(), root)
    return {f.rule_id: f.fingerprint for f in result.findings if f.rule_id in ("NHI101", "NHI106")}


@pytest.mark.parametrize("template", [TERRAFORM, KUBERNETES], ids=["terraform", "kubernetes-env"])
def test_the_fingerprint_does_not_depend_on_the_secret(tmp_path: Path, template: str) -> None:
    first = _fingerprints(tmp_path, "a", template.format(secret="Summer2024!x9Q"))
    second = _fingerprints(tmp_path, "b", template.format(secret="Summer2025!k3Z"))
    assert first and first == second


def test_the_fingerprint_survives_unrelated_edits(tmp_path: Path) -> None:
    text = TERRAFORM.format(secret="Summer2024!x9Q")
    before = _fingerprints(tmp_path, "a", text)
    after = _fingerprints(tmp_path, "b", '# a comment\n\nlocals {\n  region = "eu-west-1"\n}\n\n' + text)
    assert before and before == after


def test_the_fingerprint_still_tells_rules_and_lines_apart(tmp_path: Path) -> None:
    token = "ghp_R8x2Lq9ZbT4mW7nK3vY6pJ1sD5fH0gC8aE2u"
    text = f'locals {{\n  a_password = "Summer2024!x9Q"\n  b_token    = "{token}"\n}}\n'
    root = tmp_path / "m"
    root.mkdir()
    (root / "main.tf").write_text(text, encoding="utf-8")
    prints = [f.fingerprint for f in scan_paths([root], Config(), root).findings if f.rule_id == "NHI101"]
    assert len(prints) == 2 and len(set(prints)) == 2


# Red-team review: a password no detector recognises (plain words and digits, spaces) on a line that
# carries any finding, whatever its rule, used to be hashed as written.
UNDETECTED_PASSWORDS = ("hunter22", "letmein9", "Summer 2024!", "s3cr3t")
ONE_LINE_TEMPLATE = (
    '{{"AWSTemplateFormatVersion":"2010-09-09","Resources":{{"U":{{"Type":"AWS::IAM::User",'
    '"Properties":{{"LoginProfile":{{"Password":"{secret}"}}}}}},'
    '"K":{{"Type":"AWS::IAM::AccessKey","Properties":{{"UserName":{{"Ref":"U"}}}}}}}}}}\n'
)
BROKEN_ONE_LINE = 'resource "aws_db_instance" "db" {{ username = "admin", password = "{secret}" }}\n'
WORKFLOW_ENV = """on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    env: {{ AWS_ACCESS_KEY_ID: AKIAZ7Q3XK5RTW2PLM4N, DB_PASSWORD: {secret} }}
    steps:
      - run: ./deploy.sh
"""


def _every_fingerprint(tmp_path: Path, name: str, file: str, text: str) -> dict[str, str]:
    root = tmp_path / name
    root.mkdir()
    (root / file).parent.mkdir(parents=True, exist_ok=True)
    (root / file).write_text(text, encoding="utf-8")
    return {f.rule_id: f.fingerprint for f in scan_paths([root], Config(), root).unfolded}


@pytest.mark.parametrize(
    ("file", "template", "rules"),
    [
        ("template.json", ONE_LINE_TEMPLATE, {"NHI404", "NHI102"}),
        ("main.tf", BROKEN_ONE_LINE, {"NHI001"}),
        (".github/workflows/deploy.yml", WORKFLOW_ENV, {"NHI101"}),
    ],
    ids=["cloudformation-one-line", "broken-hcl", "workflow-flow-mapping"],
)
def test_no_fingerprint_depends_on_an_undetected_password(
    tmp_path: Path, file: str, template: str, rules: set[str]
) -> None:
    prints = [
        _every_fingerprint(tmp_path, f"p{i}", file, template.format(secret=secret))
        for i, secret in enumerate(UNDETECTED_PASSWORDS)
    ]
    assert rules <= prints[0].keys()
    assert all(p == prints[0] for p in prints[1:])


COMPATIBLE = """provider "azurerm" {
  features {}
  client_secret = var.arm_client_secret
}

resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "aws_iam_user_policy" "ci" {
  user   = aws_iam_user.ci.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
"""


def test_lines_without_a_literal_credential_keep_their_fingerprints(tmp_path: Path) -> None:
    """Committed baselines stay valid: these are the fingerprints nhilint has always given them
    (a credential-named field set from a reference is not a literal, and is hashed as written).
    NHI108 is a rule added since, so it has no earlier fingerprint to keep."""
    prints = _every_fingerprint(tmp_path, "m", "main.tf", COMPATIBLE)
    assert "NHI108" in prints
    del prints["NHI108"]
    assert prints == {
        "NHI105": "06405a785a3bd090:1",
        "NHI301": "774aa205e5d3f6f7:1",
        "NHI302": "2635c358f2b65850:1",
        "NHI102": "d0c571f18a095efe:1",
        "NHI201": "ca4a4bd162dcf2e6:1",
    }


@pytest.mark.parametrize(
    ("line", "hidden"),
    [
        ('  password = "hunter22"', '  password = "****"'),
        ('{"LoginProfile":{"Password":"Summer 2024!"}}', '{"LoginProfile":{"Password":"****"}}'),
        ('  "client_secret" : "a\\"b c"', '  "client_secret" : "****"'),
        ("  db_password: correct horse # prod", "  db_password: **** # prod"),
        ("  api_key: 'it''s'", "  api_key: '****'"),
        ("export DB_PASSWORD=s3cr3t && ./run", "export DB_PASSWORD=****"),
        ("psql --password=s3cr3t", "psql --password=****"),
        ("{ token: abc123, user: bob }", "{ token: ****, user: bob }"),
        # kept: not a literal, not credential-named, or already a redaction
        ('  password = "Summ****"', '  password = "Summ****"'),
        ("  password = var.db_password", "  password = var.db_password"),
        ('  credentials = file("keys/sa.json")', '  credentials = file("keys/sa.json")'),
        ("  token: ${{ secrets.DEPLOY_TOKEN }}", "  token: ${{ secrets.DEPLOY_TOKEN }}"),
        ("    secrets: inherit", "    secrets: inherit"),
        ('  secret_name = "prod/db"', '  secret_name = "prod/db"'),
        ("  token_ttl = 3600", "  token_ttl = 3600"),
        (
            "Resource: arn:aws:secretsmanager:eu-west-1:1:secret:db",
            "Resource: arn:aws:secretsmanager:eu-west-1:1:secret:db",
        ),
        ('  condition = var.password == ""', '  condition = var.password == ""'),
    ],
)
def test_redact_assigned_cuts_every_literal_credential(line: str, hidden: str) -> None:
    from nhilint.knowledge.redaction import redact_assigned

    assert redact_assigned(line) == hidden
