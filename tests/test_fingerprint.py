"""Fingerprints are stable under unrelated edits and tell nothing about a secret (issue 14, item 6).

Before, the fingerprint hashed the raw line holding the secret, so anyone with the SARIF, JSON,
audit CSV or a committed baseline could test password guesses offline. Now the line is hashed with
the secret cut to the redacted prefix the message shows anyway: two passwords that share their
first four characters give the same fingerprint.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint import engine
from nhilint.config import Config

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
    result = engine.scan([root], Config(), root)
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
    prints = [f.fingerprint for f in engine.scan([root], Config(), root).findings if f.rule_id == "NHI101"]
    assert len(prints) == 2 and len(set(prints)) == 2
