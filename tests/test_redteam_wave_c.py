"""Red team of wave C (MCP, Azure Pipelines, CircleCI, Bitbucket, plans, stdin, releases): what a hostile
repository can do with the new formats must never pass silently, leave the scanned tree, or print a
secret."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli

STEP_WITH_KEYS = """\
steps:
- script: aws s3 ls
  env:
    AWS_ACCESS_KEY_ID: AKIAZ7Q4R2T6Y8U3I5O1
    AWS_SECRET_ACCESS_KEY: Zk8sQ1pL0mN9bV7cX5zA3sD2fG4hJ6kL8qW0eR1t
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def findings(target: Path, cwd: Path) -> list[tuple[str, str]]:
    proc = run_cli("scan", str(target), "--no-cache", "--format", "json", cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted((f["rule_id"], Path(f["file"]).name) for f in json.loads(proc.stdout)["findings"])


def test_an_azure_template_is_read_when_the_tree_is_scanned_from_elsewhere(tmp_path: Path) -> None:
    # an extracted archive (no .git) scanned by path from another directory: the steps template holding
    # the keys was bounded by the current directory and dropped in silence
    tree, elsewhere = tmp_path / "tree", tmp_path / "elsewhere"
    write(
        tree,
        {
            "azure-pipelines.yml": "trigger: [main]\npool: {vmImage: ubuntu-latest}\n"
            "steps:\n- template: templates/deploy.yml\n",
            "templates/deploy.yml": STEP_WITH_KEYS,
        },
    )
    elsewhere.mkdir()
    assert ("NHI103", "deploy.yml") in findings(tree, cwd=elsewhere)
    assert findings(tree, cwd=elsewhere) == findings(tree, cwd=tree)


def test_an_azure_template_never_leaves_the_scanned_tree_outside_a_repository(tmp_path: Path) -> None:
    # the current directory holds the tree, but what is above the scanned directory is not the scan's
    write(
        tmp_path,
        {
            "outside.yml": STEP_WITH_KEYS,
            "tree/azure-pipelines.yml": "trigger: [main]\npool: {vmImage: ubuntu-latest}\n"
            "steps:\n- template: ../outside.yml\n- template: /../outside.yml\n",
        },
    )
    assert findings(tmp_path / "tree", cwd=tmp_path) == []


ADMIN_POLICY_TF = """\
resource "aws_iam_policy" "deploy" {
  name   = "deploy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"""


def test_a_committed_plan_calling_every_resource_unchanged_never_silences_the_source(tmp_path: Path) -> None:
    # a hostile repository writes a plan beside its .tf files that calls the admin policy "no-op" (and
    # gives it harmless values): the .tf files still declare the admin policy, so it is reported
    narrow = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}
    )
    values = {"name": "deploy", "policy": narrow}
    resource = {
        "address": "aws_iam_policy.deploy",
        "mode": "managed",
        "type": "aws_iam_policy",
        "name": "deploy",
    }
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": [{**resource, "values": values}]}},
        "resource_changes": [
            {**resource, "change": {"actions": ["no-op"], "before": values, "after": values}}
        ],
    }
    write(tmp_path, {"main.tf": ADMIN_POLICY_TF, "tfplan.json": json.dumps(plan)})
    assert ("NHI201", "main.tf") in findings(tmp_path, cwd=tmp_path)
    assert ("NHI201", "main.tf") in findings(tmp_path / "tfplan.json", cwd=tmp_path)


def test_one_statement_with_too_many_conditionals_hides_nothing_else(tmp_path: Path) -> None:
    # seven independent conditionals (128 variants, over the cap) in one harmless statement: NHI001 there,
    # and the admin policy and the access key of the same module are still judged
    actions = ", ".join(f'var.{v} ? "s3:GetObject" : "s3:ListBucket"' for v in "abcdefg")
    main = "".join(f'variable "{v}" {{}}\n' for v in "abcdefg") + ADMIN_POLICY_TF
    main += 'resource "aws_iam_access_key" "ci" {\n  user = "ci"\n}\n'
    main += (
        'resource "aws_iam_policy" "reader" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n'
        f'    Statement = [{{ Effect = "Allow", Action = [{actions}], Resource = "arn:aws:s3:::b/*" }}]\n'
        "  })\n}\n"
    )
    write(tmp_path, {"main.tf": main})
    assert findings(tmp_path, cwd=tmp_path) == [
        ("NHI001", "main.tf"),
        ("NHI102", "main.tf"),
        ("NHI201", "main.tf"),
    ]


GITHUB_TOKEN = "ghp_R7x2Kq9LmP4vN8wZ3tY6uB1cD5eF0gH2iJ4k"


def test_a_secret_under_a_key_written_twice_is_still_reported(tmp_path: Path) -> None:
    # the parsers keep the later of two equal keys (as the tools do); the earlier value, a literal key,
    # is committed all the same: in an MCP config, a CircleCI job, a CloudFormation resource
    mcp = {"command": "npx", "env": {"GITHUB_TOKEN": GITHUB_TOKEN}}
    circleci = "version: 2.1\njobs:\n  build:\n    docker: [{image: cimg/base:stable}]\n    environment:\n"
    circleci += "      AWS_ACCESS_KEY_ID: AKIAZ7Q4R2T6Y8U3I5O1\n    steps: [checkout]\n"
    circleci += "  build:\n    docker: [{image: cimg/base:stable}]\n    steps: [checkout]\n"
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"Tags": [{"Key": "t", "Value": GITHUB_TOKEN}]}}
    write(
        tmp_path,
        {
            ".mcp.json": '{"mcpServers": {"gh": ' + json.dumps(mcp) + ', "gh": {"command": "npx"}}}',
            ".circleci/config.yml": circleci,
            "configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
            f"data:\n  token: {GITHUB_TOKEN}\ndata:\n  token: x\n",
            "template.json": '{"Resources": {"Topic": '
            + json.dumps(topic)
            + ', "Topic": {"Type": "AWS::SNS::Topic"}}}',
        },
    )
    assert findings(tmp_path, cwd=tmp_path) == [
        ("NHI101", ".mcp.json"),
        ("NHI101", "config.yml"),
        ("NHI101", "configmap.yaml"),
        ("NHI101", "template.json"),
    ]
