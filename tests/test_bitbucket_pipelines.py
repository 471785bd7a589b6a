"""Bitbucket Pipelines: pipes given keys, pipes and scripts without `oidc: true`, shared repository
variables, lifetimes and literals, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nhilint.pipeline.discover import classify

from .conftest import ROOT, run_cli

BB = "bitbucket-pipelines.yml"


def scan(tmp_path: Path, text: str, *args: str, name: str = BB) -> list[dict[str, Any]]:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text)
    out = run_cli("scan", "--format", "json", *args, str(tmp_path), cwd=tmp_path)
    assert out.returncode in (0, 1), out.stderr
    findings: list[dict[str, Any]] = json.loads(out.stdout)["findings"]
    return findings


def lines(findings: list[dict[str, Any]], rule: str) -> list[int]:
    return sorted(f["line"] for f in findings if f["rule_id"] == rule)


ANCHORED = """\
image: atlassian/default-image:4
definitions:
  caches:
    pip: ~/.cache/pip
  services:
    docker:
      memory: 2048
  steps:
    - step: &deploy
        name: Deploy
        script:
          - pipe: atlassian/aws-s3-deploy:1.6.0
            variables:
              AWS_ACCESS_KEY_ID: $AWS_ACCESS_KEY_ID
              AWS_SECRET_ACCESS_KEY: $AWS_SECRET_ACCESS_KEY
              S3_BUCKET: my-site
              LOCAL_PATH: build
pipelines:
  default:
    - step: *deploy
  branches:
    main:
      - step: *deploy
  pull-requests:
    '**':
      - step: *deploy
"""


def test_an_aliased_step_is_one_step_located_at_its_anchor(tmp_path: Path) -> None:
    found = scan(tmp_path, ANCHORED)
    assert lines(found, "NHI103") == [14]  # once, at the key of the anchored definition
    assert "step `Deploy`" in found[0]["message"]


def test_merged_steps_with_their_own_deployments(tmp_path: Path) -> None:
    text = """\
definitions:
  steps:
    - step: &deploy
        name: Deploy
        script:
          - pipe: atlassian/aws-lambda-deploy:1.11.0
            variables:
              AWS_DEFAULT_REGION: eu-west-1
              FUNCTION_NAME: orders
              COMMAND: update
              ZIP_FILE: function.zip
pipelines:
  branches:
    develop:
      - step:
          <<: *deploy
          name: Deploy staging
          deployment: staging
    main:
      - step:
          <<: *deploy
          name: Deploy production
          deployment: production
"""
    found = scan(tmp_path, text)
    messages = [f["message"] for f in found if f["rule_id"] == "NHI103"]
    assert len(messages) == 2 and all("without `oidc: true`" in m for m in messages), messages
    assert {f["line"] for f in found if f["rule_id"] == "NHI103"} == {6}
    assert lines(found, "NHI403") == []  # each deployment reads its own deployment variables


def test_parallel_and_stage_steps_are_read(tmp_path: Path) -> None:
    text = """\
pipelines:
  branches:
    main:
      - parallel:
          fail-fast: true
          steps:
            - step:
                name: Upload
                script:
                  - pipe: atlassian/google-cloud-storage-deploy:2.1.0
                    variables:
                      KEY_FILE: $GCLOUD_KEY
                      BUCKET: gs://assets
                      SOURCE: dist
      - stage:
          name: Production
          deployment: production
          steps:
            - step:
                name: Web app
                script:
                  - pipe: atlassian/azure-web-apps-deploy:1.2.0
                    variables:
                      AZURE_APP_ID: $AZURE_APP_ID
                      AZURE_PASSWORD: $AZURE_PASSWORD
                      AZURE_TENANT_ID: $AZURE_TENANT_ID
                      AZURE_RESOURCE_GROUP: shop
                      AZURE_APP_NAME: web
                      ZIP_FILE: app.zip
"""
    found = scan(tmp_path, text)
    assert lines(found, "NHI103") == [12, 25]
    assert [f["message"].split(" logs in to ")[1].split(" with")[0] for f in found] == [
        "Google Cloud",
        "Azure",
    ]


def test_oidc_steps_pass_and_a_role_without_oidc_does_not(tmp_path: Path) -> None:
    text = """\
pipelines:
  custom:
    deploy:
      - step:
          name: Federated
          oidc: true
          script:
            - pipe: atlassian/aws-ecs-deploy:1.12.0
              variables:
                AWS_OIDC_ROLE_ARN: arn:aws:iam::123456789012:role/bitbucket-ecs
                AWS_DEFAULT_REGION: eu-west-1
                CLUSTER_NAME: shop
                SERVICE_NAME: api
            - aws sts assume-role-with-web-identity --role-arn "$ROLE" --role-session-name ci
              --web-identity-token "$BITBUCKET_STEP_OIDC_TOKEN" --duration-seconds 900
            - aws ecs list-services --cluster shop
      - step:
          name: Forgot oidc
          script:
            - pipe: atlassian/aws-cloudformation-deploy:0.20.0
              variables:
                AWS_OIDC_ROLE_ARN: arn:aws:iam::123456789012:role/bitbucket-cfn
                STACK_NAME: shop
                TEMPLATE: template.yaml
"""
    found = scan(tmp_path, text)
    assert lines(found, "NHI103") == [20], found
    assert "gets no OIDC token" in found[0]["message"]
    assert lines(found, "NHI303") == []


def test_scripts_that_export_keys_or_run_a_cli_on_stored_keys(tmp_path: Path) -> None:
    text = """\
# Repository variables: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
pipelines:
  default:
    - step:
        name: Terraform
        script:
          - export ARM_CLIENT_SECRET=$AZURE_SP_SECRET
          - terraform apply -auto-approve
    - step:
        name: Sync
        runs-on: [self.hosted, linux]
        script:
          - aws s3 sync build/ s3://site/
    - step:
        name: Federated sync
        oidc: true
        script:
          - export AWS_ROLE_ARN=arn:aws:iam::123456789012:role/bitbucket
          - export AWS_WEB_IDENTITY_TOKEN_FILE=$(pwd)/web-identity-token
          - echo $BITBUCKET_STEP_OIDC_TOKEN > $AWS_WEB_IDENTITY_TOKEN_FILE
          - aws s3 sync build/ s3://site/
"""
    found = scan(tmp_path, text)
    by_line = {f["line"]: f for f in found if f["rule_id"] == "NHI103"}
    assert sorted(by_line) == [7, 13]
    assert by_line[7]["severity"] == "error"
    # a self-hosted runner may hold an instance role: a warning, on the evidence of the comment
    assert by_line[13]["severity"] == "warning" and "no `oidc: true`" in by_line[13]["message"]


def test_the_aws_cli_on_atlassian_runners_without_oidc(tmp_path: Path) -> None:
    text = """\
pipelines:
  branches:
    main:
      - step:
          name: Publish site
          deployment: production
          image: amazon/aws-cli
          script:
            - aws s3 ls s3://public-datasets --no-sign-request
            - aws configure set default.region eu-west-1
            - aws s3 sync build/ s3://site/ --delete
            - aws cloudfront create-invalidation --distribution-id E1 --paths "/*"
"""
    found = scan(tmp_path, text)
    assert lines(found, "NHI103") == [11]  # the first call that needs credentials, once per step
    assert "can only read `AWS_ACCESS_KEY_ID`" in found[0]["message"] and found[0]["severity"] == "error"


def test_a_cli_with_no_key_named_anywhere_is_not_judged(tmp_path: Path) -> None:
    text = """\
pipelines:
  default:
    - step:
        name: Sync
        runs-on: [self.hosted, aws-instance-profile]
        script:
          - aws s3 sync build/ s3://site/
"""
    assert scan(tmp_path, text) == []


def test_session_lifetimes(tmp_path: Path) -> None:
    text = """\
pipelines:
  default:
    - step:
        name: Deploy
        oidc: true
        script:
          - pipe: atlassian/aws-sam-deploy:2.3.0
            variables:
              AWS_OIDC_ROLE_ARN: arn:aws:iam::123456789012:role/bitbucket-sam
              AWS_ROLE_SESSION_DURATION: 43200
              STACK_NAME: shop
          - aws sts assume-role-with-web-identity --role-arn "$ROLE" --role-session-name ci
            --web-identity-token "$BITBUCKET_STEP_OIDC_TOKEN" --duration-seconds 7200
"""
    found = scan(tmp_path, text)
    assert lines(found, "NHI303") == [10, 12]
    assert lines(found, "NHI103") == []


def test_a_literal_key_is_reported_once_and_redacted(tmp_path: Path) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ9ct2uLq1"
    key_id = "AKIAZ7VRSQ4IEXFDJ2QM"
    text = ANCHORED.replace("$AWS_SECRET_ACCESS_KEY", secret).replace("$AWS_ACCESS_KEY_ID", key_id)
    (tmp_path / BB).write_text(text)
    out = run_cli("scan", str(tmp_path), cwd=tmp_path)
    assert out.returncode == 1
    assert secret not in out.stdout + out.stderr and key_id not in out.stdout + out.stderr
    found = scan(tmp_path, text)
    # one finding for the login and its two literal keys, though three pipelines alias the step
    assert [(f["rule_id"], f["line"]) for f in found] == [("NHI103", 14)]
    assert "(NHI101, lines 14, 15)" in found[0]["message"]


def test_one_repository_key_read_by_several_steps(tmp_path: Path) -> None:
    text = """\
pipelines:
  default:
    - step:
        name: Tests
        script:
          - export AWS_SECRET_ACCESS_KEY=$CI_AWS_SECRET
          - pytest
  branches:
    main:
      - step:
          name: Deploy
          script:
            - pipe: atlassian/aws-s3-deploy:1.6.0
              variables:
                AWS_ACCESS_KEY_ID: $CI_AWS_KEY_ID
                AWS_SECRET_ACCESS_KEY: $CI_AWS_SECRET
                S3_BUCKET: site
                LOCAL_PATH: build
"""
    found = scan(tmp_path, text)
    shared = [f for f in found if f["rule_id"] == "NHI403"]
    assert [f["line"] for f in shared] == [6]
    assert "`CI_AWS_SECRET`" in shared[0]["message"] and "2 steps" in shared[0]["message"]


def test_sarif_carries_the_bitbucket_oidc_rewrite(tmp_path: Path) -> None:
    (tmp_path / BB).write_text(ANCHORED)
    out = run_cli("scan", "--format", "sarif", str(tmp_path), cwd=tmp_path)
    sarif = json.loads(out.stdout)
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "NHI103"]
    assert len(results) == 1
    assert "AWS_OIDC_ROLE_ARN" in json.dumps(sarif)  # the paste-able rewrite for Bitbucket and AWS
    explain = run_cli("explain", "NHI103", cwd=tmp_path)
    assert "oidc: true" in explain.stdout


def test_inventory_links_the_role_a_pipe_assumes(tmp_path: Path) -> None:
    (tmp_path / BB).write_text((ROOT / "fixtures" / "hardened" / "bitbucket" / BB).read_text())
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "cdn" {\n'
        '  name               = "bitbucket-shop-site"\n'
        '  assume_role_policy = file("trust.json")\n'
        "}\n"
    )
    out = run_cli("inventory", "--format", "json", str(tmp_path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    role = next(e for e in json.loads(out.stdout)["identities"] if e["name"] == "bitbucket-shop-site")
    assert role["links"] == [f"assumed by workflow {BB}:23"]  # once, though the step is aliased


def test_fixtures_insecure_and_hardened(tmp_path: Path) -> None:
    insecure = run_cli("scan", "--format", "json", "fixtures/insecure/bitbucket", cwd=ROOT)
    findings = json.loads(insecure.stdout)["findings"]
    assert sorted({f["rule_id"] for f in findings}) == ["NHI103", "NHI303", "NHI403"]
    assert any("(NHI101, line 69)" in f["message"] for f in findings)  # the literal, folded into its login
    hardened = run_cli("scan", "fixtures/hardened/bitbucket", cwd=ROOT)
    assert hardened.returncode == 0, hardened.stdout


def test_discovery_by_its_one_name() -> None:
    pipeline = "pipelines:\n  default:\n    - step:\n        script: [make]\n"
    assert classify("bitbucket-pipelines.yml", pipeline) == "bitbucket-pipelines"
    assert classify("shared/bitbucket-pipelines.yml", pipeline) == "bitbucket-pipelines"
    assert classify("values.yaml", "pipelines:\n  default: {}\nimage: {default: x}\n") is None


def test_an_unreadable_pipeline_is_reported_not_dropped(tmp_path: Path) -> None:
    found = scan(tmp_path, "pipelines:\n  default:\n    - step: [unclosed\n")
    assert [f["rule_id"] for f in found] == ["NHI001"]
