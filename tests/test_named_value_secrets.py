"""A credential written as the `value` of a `{name, value}` pair (Azure Pipelines' list of variables,
an ECS container's environment in Terraform or CloudFormation) is judged by the pair's name: a
password there is NHI101, as it is under its own key. NHI106 leaves detected credentials to NHI101,
so before this such a password was reported by neither rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "q8Zr2LmX7vTp4NwK9sBf"  # random-looking: a credential by its name, not by a token format

CASES = {
    "azure-pipelines.yml": (
        "trigger: [main]\n"
        "variables:\n"
        "  - name: AWS_REGION\n"
        "    value: us-east-1\n"
        "  - name: DEPLOY_DB_PASSWORD\n"
        f'    value: "{PASSWORD}"\n'
        "steps:\n"
        "  - script: ./deploy.sh\n",
        6,
    ),
    "main.tf": (
        'resource "aws_ecs_task_definition" "app" {\n'
        '  family = "app"\n'
        "  container_definitions = jsonencode([{\n"
        '    name  = "app"\n'
        '    image = "app:1"\n'
        "    environment = [\n"
        '      { name = "LOG_LEVEL", value = "debug" },\n'
        f'      {{ name = "DB_PASSWORD", value = "{PASSWORD}" }},\n'
        "    ]\n"
        "  }])\n"
        "}\n",
        8,
    ),
    "template.yaml": (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  Task:\n"
        "    Type: AWS::ECS::TaskDefinition\n"
        "    Properties:\n"
        "      ContainerDefinitions:\n"
        "        - Name: app\n"
        "          Image: app:1\n"
        "          Environment:\n"
        "            - Name: LOG_LEVEL\n"
        "              Value: debug\n"
        "            - Name: DB_PASSWORD\n"
        f"              Value: {PASSWORD}\n",
        13,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_password_in_a_name_value_pair_is_reported_once_at_its_value(tmp_path: Path, name: str) -> None:
    text, line = CASES[name]
    (tmp_path / name).write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", str(tmp_path), "--format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    secrets = [(f["rule_id"], f["line"]) for f in findings if f["rule_id"] in ("NHI101", "NHI106")]
    assert secrets == [("NHI101", line)]  # once, and the `debug` of LOG_LEVEL is nothing
    assert PASSWORD[4:] not in proc.stdout + proc.stderr
