"""CircleCI (issue 20): `.circleci/config.yml` read through the real CLI, orb logins with stored keys
versus OIDC, keys reached through commands, executors and parameters, shared contexts, personal
tokens, literals, the paste-able fix, SARIF and the inventory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def scan(tmp_path: Path, config: str, *args: str, name: str = "config.yml") -> dict[str, Any]:
    path = tmp_path / ".circleci" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(config)
    out = run("scan", str(tmp_path), "--format", "json", *args)
    return json.loads(out.stdout)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )
    assert done.returncode in (0, 1), done.stderr
    return done


def found(result: dict[str, Any], rule: str) -> list[tuple[int, str]]:
    return sorted((f["line"], f["message"]) for f in result["findings"] if f["rule_id"] == rule)


STATIC_ORBS = """\
version: 2.1
orbs:
  aws: circleci/aws-cli@4.1
  gcp-cli: circleci/gcp-cli@3.1
  azure-cli: circleci/azure-cli@1.2
jobs:
  deploy:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - checkout
      - aws/setup:
          profile_name: default
      - run: aws s3 sync dist/ s3://releases/
  export:
    executor: gcp-cli/default
    steps:
      - gcp-cli/setup
  aks:
    executor: azure-cli/default
    steps:
      - azure-cli/login-with-service-principal
workflows:
  release:
    jobs: [deploy, export, aks]
"""


def test_orb_logins_with_stored_keys_are_reported_with_the_circleci_oidc_fix(tmp_path: Path) -> None:
    result = scan(tmp_path, STATIC_ORBS)
    assert [line for line, _ in found(result, "NHI103")] == [12, 18, 22]
    by_line = {f["line"]: f for f in result["findings"] if f["rule_id"] == "NHI103"}
    assert "`aws/setup` without `role_arn`" in by_line[12]["message"]  # the alias is resolved
    assert by_line[12]["identity"] == {"kind": "CI job", "name": "deploy"}
    assert by_line[12]["owasp"] == "NHI7"
    assert "role_arn: arn:aws:iam::" in by_line[12]["suggestion"]["snippet"]
    assert "use_oidc: true" in by_line[18]["suggestion"]["snippet"]
    assert '--federated-token "$CIRCLE_OIDC_TOKEN_V2"' in by_line[22]["suggestion"]["snippet"]


FEDERATED = """\
version: 2.1
orbs:
  aws-cli: circleci/aws-cli@5.1
  gcp-cli: circleci/gcp-cli@3.2
jobs:
  deploy:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - aws-cli/setup:
          role_arn: arn:aws:iam::123456789012:role/circleci-deploy
      - run: aws s3 sync dist/ s3://releases/
  export:
    executor: gcp-cli/default
    steps:
      - gcp-cli/setup:
          use_oidc: true
  functions:
    docker:
      - image: cimg/python:3.12
    steps:
      - run: |
          read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<< "$(
            aws sts assume-role-with-web-identity --role-arn "$AWS_ROLE_ARN" \\
              --role-session-name "ci-$CIRCLE_BUILD_NUM" --web-identity-token "$CIRCLE_OIDC_TOKEN_V2" \\
              --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)"
          export AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
          npx serverless deploy
  aks:
    docker:
      - image: mcr.microsoft.com/azure-cli:2.61.0
    steps:
      - run: |
          az login --service-principal -u "$AZURE_CLIENT_ID" --tenant "$AZURE_TENANT_ID" \\
            --federated-token "$CIRCLE_OIDC_TOKEN_V2"
workflows:
  release:
    jobs:
      - deploy: {context: oidc}
      - export: {context: oidc}
      - functions: {context: oidc}
      - aks: {context: oidc}
"""


def test_jobs_that_federate_with_their_oidc_token_pass(tmp_path: Path) -> None:
    result = scan(tmp_path, FEDERATED)
    assert result["findings"] == []
    assert result["summary"]["files_scanned"] == 1


def test_keys_reached_through_commands_executors_and_parameters(tmp_path: Path) -> None:
    config = """\
version: 2.1
orbs:
  aws-cli: circleci/aws-cli@4.1
parameters:
  key-variable:
    type: env_var_name
    default: PROD_AWS_SECRET_ACCESS_KEY
executors:
  infra:
    docker:
      - image: hashicorp/terraform:1.7
    environment:
      ARM_CLIENT_SECRET: p7Q~vR2sT9uW4xY6zA1bC3dE5fG8hJ0kL2mN4oP
commands:
  login:
    parameters:
      role:
        type: string
        default: ""
    steps:
      - aws-cli/setup:
          role_arn: << parameters.role >>
  configure:
    parameters:
      secret:
        type: env_var_name
    steps:
      - run: aws configure set aws_secret_access_key "${<< parameters.secret >>}" --profile ci
jobs:
  plan:
    executor: infra
    steps:
      - run: terraform plan
  publish:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - login
  apply:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - login:
          role: arn:aws:iam::123456789012:role/circleci-apply
  sync:
    docker:
      - image: cimg/aws:2024.03
    steps:
      - when:
          condition: << pipeline.git.branch >>
          steps:
            - configure:
                secret: << pipeline.parameters.key-variable >>
"""
    result = scan(tmp_path, config)
    nhi103 = found(result, "NHI103")
    # the executor's literal Azure secret, for the job that uses it; `login` without a role for
    # `publish` (the command's default is empty) but not for `apply`; the key from a parameter
    messages = [message for _, message in nhi103]
    assert [line for line, _ in nhi103] == [13, 21, 28]
    assert "job `plan`" in messages[0] and "job `publish`" in messages[1] and "job `sync`" in messages[2]
    assert "p7Q~vR2sT9uW4xY6zA1bC3dE5fG8hJ0kL2mN4oP" not in json.dumps(result)


def test_a_context_whose_keys_several_jobs_log_in_with_is_one_shared_credential(tmp_path: Path) -> None:
    config = """\
version: 2.1
orbs:
  aws-cli: circleci/aws-cli@4.1
  aws-ecr: circleci/aws-ecr@9.0
jobs:
  build:
    docker: [{image: cimg/node:20.11}]
    steps:
      - run: echo "$GCLOUD_SERVICE_KEY" | gcloud auth activate-service-account --key-file=-
  deploy:
    docker: [{image: cimg/aws:2024.03}]
    steps:
      - aws-cli/setup
  lint:
    docker: [{image: cimg/node:20.11}]
    steps: [checkout]
workflows:
  main:
    jobs:
      - build: {context: cloud-keys}
      - lint: {context: cloud-keys}
  release:
    jobs:
      - deploy: {context: [org-global, cloud-keys]}
      - aws-ecr/build_and_push_image:
          name: push
          context: cloud-keys
          repo: api
          auth:
            - aws-cli/setup:
                role_arn: arn:aws:iam::123456789012:role/circleci-ecr
"""
    result = scan(tmp_path, config)
    nhi403 = [f for f in result["findings"] if f["rule_id"] == "NHI403"]
    assert len(nhi403) == 1  # `lint` reads no key, `push` federates, `org-global` is given to one job
    assert nhi403[0]["line"] == 20
    assert "context `cloud-keys`" in nhi403[0]["message"] and "2 jobs (build, deploy)" in nhi403[0]["message"]
    assert [r["line"] for r in nhi403[0]["related"]] == [24]
    assert "CIRCLE_OIDC_TOKEN" in nhi403[0]["suggestion"]["text"] + nhi403[0]["message"]


def test_personal_tokens_and_literals_in_environment(tmp_path: Path) -> None:
    token = "npm_k3Lq9Vx2Rz7Tb4Nw8Yc1Pm6Hd0Fs5Ju2Ge9A"
    config = f"""\
version: 2.1
jobs:
  release:
    docker: [{{image: cimg/node:20.11}}]
    environment:
      NPM_TOKEN: {token}
    steps:
      - run: git push "https://x-access-token:${{GITHUB_PAT}}@github.com/acme/api.git" --tags
      - run: 'curl -H "Authorization: token $CIRCLE_TOKEN" https://circleci.com/api/v2/me'
workflows:
  release:
    jobs: [release]
"""
    result = scan(tmp_path, config)
    assert [line for line, _ in found(result, "NHI101")] == [6]
    assert [line for line, _ in found(result, "NHI107")] == [8]
    assert token not in json.dumps(result)
    text = run("scan", str(tmp_path)).stdout
    assert token not in text and "npm_****" in text


def test_sarif_names_the_format_and_points_at_the_config(tmp_path: Path) -> None:
    (tmp_path / ".circleci").mkdir()
    (tmp_path / ".circleci" / "config.yml").write_text(STATIC_ORBS)
    sarif = json.loads(run("scan", ".", "--format", "sarif", cwd=tmp_path).stdout)
    results = sarif["runs"][0]["results"]
    places = sorted(
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results
    )
    assert places == [("NHI103", ".circleci/config.yml")] * 3


def test_inventory_links_the_role_a_job_assumes(tmp_path: Path) -> None:
    (tmp_path / "iam.tf").write_text(
        'resource "aws_iam_role" "circleci_deploy" {\n'
        '  name               = "circleci-deploy"\n'
        '  assume_role_policy = "{}"\n'
        '  tags = { owner = "platform", expires = "2030-01-01" }\n'
        "}\n"
    )
    (tmp_path / ".circleci").mkdir()
    (tmp_path / ".circleci" / "config.yml").write_text(FEDERATED)
    out = run("inventory", ".", "--format", "json", cwd=tmp_path).stdout
    entries = json.loads(out)["identities"]
    role = next(e for e in entries if e["name"] == "circleci-deploy")
    assert "assumed by workflow .circleci/config.yml:11" in role["links"]


@pytest.mark.parametrize("name", ["config.yml", "config.yaml", "continue_config.yml"])
def test_files_of_the_circleci_directory_are_read(tmp_path: Path, name: str) -> None:
    result = scan(tmp_path, STATIC_ORBS, name=name)
    assert len(found(result, "NHI103")) == 3


def test_commands_that_invoke_each_other_without_end_are_a_problem_not_a_hang(tmp_path: Path) -> None:
    config = """\
version: 2.1
commands:
  a:
    steps: [b, b]
  b:
    steps: [a, a]
jobs:
  build:
    docker: [{image: cimg/base:2024.02}]
    environment:
      AWS_SECRET_ACCESS_KEY: Jq2vN8sLr4Tz0Xc6Hb1Wy5Pd9Kf3Mg7Ae2Uo8Rst
    steps: [a]
"""
    result = scan(tmp_path, config)
    assert [f["rule_id"] for f in result["findings"]].count("NHI001") == 1
    assert found(result, "NHI101")  # the literal still stands


def test_the_fixtures_show_the_insecure_pipeline_and_pass_the_hardened_one() -> None:
    insecure = json.loads(run("scan", str(ROOT / "fixtures/insecure/circleci"), "--format", "json").stdout)
    rules = sorted(f["rule_id"] for f in insecure["findings"])
    assert rules == ["NHI101", "NHI103", "NHI103", "NHI103", "NHI103", "NHI107", "NHI403"]
    hardened = json.loads(run("scan", str(ROOT / "fixtures/hardened/circleci"), "--format", "json").stdout)
    assert hardened["findings"] == []


def test_job_order_invocation_parameters_and_workflow_keys(tmp_path: Path) -> None:
    """Found on CircleCI's own orb test configurations: a login after a federated session copies it,
    one before it (or after `set_aws_env_vars: false`) reads the stored keys; `role_arn_setup`
    chains a role over stored keys; a job's parameters are those each workflow entry passes; and
    `requires:` names jobs, not steps."""
    config = """\
version: 2.1
orbs:
  aws-cli: circleci/aws-cli@5.1
  aws-ecr: circleci/aws-ecr@9.0
  aws-ecs: circleci/aws-ecs@4.0
  gcp-cli: circleci/gcp-cli@3.2
jobs:
  env-then-oidc:
    docker: [{image: cimg/aws:2024.03}]
    steps:
      - aws-cli/setup: {profile_name: env}
      - aws-cli/setup: {profile_name: oidc, role_arn: "arn:aws:iam::123456789012:role/ci"}
  oidc-then-env:
    docker: [{image: cimg/aws:2024.03}]
    steps:
      - aws-cli/setup: {role_arn: "arn:aws:iam::123456789012:role/ci"}
      - aws-cli/setup: {profile_name: copy}
  chained:
    docker: [{image: cimg/aws:2024.03}]
    steps:
      - aws-cli/setup
      - aws-cli/role_arn_setup: {profile_name: admin, role_arn: "arn:aws:iam::123456789012:role/admin"}
  export:
    parameters:
      use_oidc: {type: boolean, default: false}
    executor: gcp-cli/default
    steps:
      - gcp-cli/setup: {use_oidc: << parameters.use_oidc >>}
workflows:
  main:
    jobs:
      - env-then-oidc: {context: cloud}
      - oidc-then-env: {context: cloud}
      - chained
      - export: {use_oidc: true, context: gcp}
      - aws-ecr/build_and_push_image:
          repo: api
          auth:
            - aws-cli/setup: {role_arn: "arn:aws:iam::123456789012:role/ecr"}
      - aws-ecs/deploy_service_update:
          requires: [aws-ecr/build_and_push_image]
          family: api
"""
    result = scan(tmp_path, config)
    jobs = sorted(f["identity"]["name"] for f in result["findings"] if f["rule_id"] == "NHI103")
    assert jobs == ["aws-ecs/deploy_service_update", "chained", "env-then-oidc"]
    ecs = next(f for f in result["findings"] if f["identity"]["name"] == "aws-ecs/deploy_service_update")
    assert "`aws-ecs/deploy_service_update` without `role_arn`" in ecs["message"]
    assert found(result, "NHI403") == []  # `oidc-then-env` reads no key from `cloud`
