"""Canary secrets planted everywhere every format allows never leave nhilint unredacted.

Each canary is pattern-valid and random per run. Every output the installed CLI offers (each
`scan --format`, `--output` files, `baseline write`, `inventory` formats, `audit` JSON/SARIF/CSV)
plus stdout and stderr is searched for the canary and for a 12-character piece of its random
part; only `redact(...)` prefixes may appear. The list of outputs grows with the product: each is
used when the CLI offers it.
"""

from __future__ import annotations

import base64
import json
import os
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest

from nhilint.report import FORMATS

RNG = random.SystemRandom()


def _rand(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(RNG.choice(alphabet) for _ in range(n))


def make_canaries() -> dict[str, str]:
    pem_body = "MIIEpAIBAAKCAQEA" + _rand(64)
    return {
        "aws": "AKIA" + _rand(16, string.ascii_uppercase + "234567"),
        "github": "ghp_" + _rand(36),
        "gitlab": "glpat-" + _rand(20),
        "slack": f"xoxb-{_rand(12, string.digits)}-{_rand(13, string.digits)}-{_rand(24)}",
        "stripe": "sk_live_" + _rand(24),
        "pem": pem_body,
        "jwt": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI" + _rand(24) + "." + _rand(43),
        "azure": _rand(86) + "==",
        "password": "Pw9-" + _rand(20),
        "db_password": "Db7!" + _rand(18),
    }


BROKEN_HEADERS = """provider aws" {{
  region     = "eu-west-1"
  access_key = "{aws}"
}}

resource "aws_db_instance "db" {{
  username = "admin"
  password = "{password}"
}}
"""


def plant(root: Path, c: dict[str, str]) -> None:
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{c['pem']}\n-----END RSA PRIVATE KEY-----"
    azure = (
        f"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={c['azure']};"
        "EndpointSuffix=core.windows.net"
    )
    files = {
        "tf/main.tf": f'''
provider "aws" {{
  region     = "eu-west-1"
  access_key = "{c["aws"]}"
  secret_key = "{c["password"]}"
}}

variable "gh_token" {{
  default = "{c["github"]}"
}}

resource "aws_db_instance" "db" {{
  password = "{c["db_password"]}"
  tags     = {{ owner = "{c["slack"]}" }}
}}

resource "aws_ssm_parameter" "key" {{
  name  = "key"
  value = <<EOT
{pem}
EOT
}}

locals {{
  storage = "{azure}"
  jwt     = "{c["jwt"]}"
  stripe  = "{c["stripe"]}"
}}
''',
        "tf/prod.tfvars": f'gitlab_token = "{c["gitlab"]}"\naws_key = "{c["aws"]}"\n',
        "tf/broken.tf": f'locals {{\n  x = {c["aws"]} {c["password"]} @@ "{c["github"]}"\n}}\n',
        # two quote typos fold the lines below into a block label (issue 14, item 5)
        "tfbroken/main.tf": BROKEN_HEADERS.format(aws=c["aws"], password=c["db_password"]),
        "tfjson/main.tf.json": json.dumps(
            {
                "resource": {"aws_db_instance": {"d": {"password": c["db_password"]}}},
                "variable": {"k": {"default": c["stripe"]}},
            }
        ),
        "cfn/template.yaml": f'''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DbPassword:
    Type: String
    Default: "{c["db_password"]}"
Resources:
  User:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: "{c["password"]}"
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          GITHUB_TOKEN: {c["github"]}
          SLACK_TOKEN: {c["slack"]}
          STORAGE: "{azure}"
''',
        "cfn/template.json": json.dumps(
            {
                "AWSTemplateFormatVersion": "2010-09-09",
                "Parameters": {"K": {"Type": "String", "Default": c["aws"]}},
                "Resources": {
                    "U": {
                        "Type": "AWS::IAM::User",
                        "Properties": {"LoginProfile": {"Password": c["password"]}},
                    }
                },
            }
        ),
        "cfn/broken.yaml": f'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  A: !!int {c["stripe"]}\n',
        "k8s/secret.yaml": f'''apiVersion: v1
kind: Secret
metadata:
  name: creds
  annotations:
    token: "{c["gitlab"]}"
data:
  aws_key: {base64.b64encode(c["aws"].encode()).decode()}
  password: {base64.b64encode(c["password"].encode()).decode()}
stringData:
  github_token: "{c["github"]}"
  tls.key: |
    {pem.replace(chr(10), chr(10) + "    ")}
---
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
    - name: app
      image: app:1
      env:
        - name: STRIPE_KEY
          value: "{c["stripe"]}"
        - name: DB_PASSWORD
          value: "{c["db_password"]}"
''',
        ".github/workflows/ci.yml": f'''on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: {c["aws"]}
      SLACK_TOKEN: {c["slack"]}
    steps:
      - uses: some/action@v1
        with:
          token: {c["github"]}
          password: "{c["password"]}"
      - run: curl -H "Authorization: Bearer {c["jwt"]}" https://example.com && echo {c["gitlab"]}
''',
        ".gitlab-ci.yml": f'''variables:
  GITLAB_TOKEN: "{c["gitlab"]}"
  DB_PASSWORD: "{c["db_password"]}"
deploy:
  variables:
    STRIPE_KEY: {c["stripe"]}
  script:
    - export AWS_ACCESS_KEY_ID={c["aws"]}
    - curl -u "admin:{c["password"]}" https://example.com
''',
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _cli(*args: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NHILINT_DEBUG"}
    proc = subprocess.run([sys.executable, "-m", "nhilint.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**env, "NO_COLOR": "1"})  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout + proc.stderr


def _commands() -> list[tuple[list[str], str | None]]:
    """Every output the CLI offers: (arguments, the file it writes or None for stdout only)."""
    help_text = {
        name: _cli(*name.split(), "--help", cwd=Path.cwd())
        for name in ("", "scan", "audit", "inventory", "baseline")
    }
    commands: list[tuple[list[str], str | None]] = []
    commands.append((["scan", "repo", "--format", "text"], None))  # stdout and stderr
    for fmt in FORMATS:
        commands.append((["scan", "repo", "--format", fmt, "--output", f"out/scan.{fmt}"], f"out/scan.{fmt}"))
    if "baseline" in help_text[""]:
        commands.append((["baseline", "write", "out/baseline.json", "repo"], "out/baseline.json"))
    if "inventory" in help_text[""]:
        for fmt in ("json", "csv", "markdown", "html"):
            if fmt in help_text["inventory"]:
                commands.append(
                    (["inventory", "repo", "--format", fmt, "--output", f"out/inv.{fmt}"], f"out/inv.{fmt}")
                )
    if "audit" in help_text[""]:
        audit = [
            "audit",
            "repo",
            "--json",
            "out/audit.json",
            "--csv",
            "out/audit.csv",
            "--sarif-dir",
            "out/sarif",
        ]
        commands.append((audit, "out"))
    return commands


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict[str, str]]:
    base = tmp_path_factory.mktemp("secrecy")
    canaries = make_canaries()
    plant(base / "repo", canaries)
    (base / "out").mkdir()
    produced: dict[str, str] = {}
    for args, written in _commands():
        produced[" ".join(args)] = _cli(*args, cwd=base)
        if written:
            target = base / written
            files = sorted(target.rglob("*")) if target.is_dir() else [target]
            for file in files:
                if file.is_file():
                    produced[f"{' '.join(args)} -> {file.name}"] = file.read_text(encoding="utf-8")
    return canaries, produced


def test_every_output_was_produced(outputs: tuple[dict[str, str], dict[str, str]]) -> None:
    _, produced = outputs
    assert any(key.endswith("-> scan.sarif") for key in produced)
    assert "AKIA****" in produced["scan repo --format text"]  # findings exist, redacted


def test_no_canary_appears_in_any_output(outputs: tuple[dict[str, str], dict[str, str]]) -> None:
    canaries, produced = outputs
    leaks = [
        (name, where)
        for name, canary in canaries.items()
        for piece in (canary, canary[-12:])
        for where, text in produced.items()
        if piece in text
    ]
    assert leaks == []


def test_a_key_folded_into_a_broken_block_header_is_reported_not_printed(tmp_path: Path) -> None:
    key = "AKIA" + _rand(16, string.ascii_uppercase + "234567")
    (tmp_path / "main.tf").write_text(BROKEN_HEADERS.format(aws=key, password="Db7!" + _rand(18)))
    report = json.loads(_cli("scan", ".", "--format", "json", cwd=tmp_path))
    found = {(f["rule_id"], f["line"]) for f in report["findings"]}
    found |= {(rule, r["line"]) for f in report["findings"] for rule in f["also"] for r in f["related"]}
    assert ("NHI001", 1) in found  # the stray quote, where it is
    assert ("NHI101", 3) in found  # the key the quote swallowed is still judged, at its own line
    assert ("NHI101", 8) in found
    for finding in report["findings"]:
        names = [finding["message"], (finding["identity"] or {}).get("name", "")]
        assert not any(key[4:] in text or "\n" in text for text in names), finding
