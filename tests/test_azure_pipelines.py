"""Azure Pipelines: files, local templates, static cloud keys (NHI103), personal tokens (NHI107),
credentials shared by several pipelines (NHI403) and literals (NHI101), through the real CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import run_cli


def write(root: Path, files: dict[str, str]) -> None:
    (root / ".git").mkdir(parents=True, exist_ok=True)  # a repository: templates resolve against its root
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def scan(root: Path, files: dict[str, str], *args: str, target: str = ".") -> dict:
    write(root, files)
    done = run_cli("scan", target, "--format", "json", "--no-cache", *args, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def found(report: dict, rule_id: str | None = None) -> list[tuple[str, str, int]]:
    return sorted(
        (f["rule_id"], f["file"], f["line"]) for f in report["findings"] if rule_id in (None, f["rule_id"])
    )


PIPELINE = """\
trigger: [main]
pool:
  vmImage: ubuntu-latest
steps:
  - script: aws s3 sync dist/ s3://site
    env:
      AWS_ACCESS_KEY_ID: $(awsKeyId)
      AWS_SECRET_ACCESS_KEY: $(awsSecret)
"""


def test_every_documented_file_name_is_read(tmp_path: Path) -> None:
    names = [
        "azure-pipelines.yml",
        "azure-pipelines-release.yaml",
        "deploy.azure-pipelines.yml",
        ".azure-pipelines/nightly.yml",
        "build/ci.yml",  # no conventional name: recognised by its shape (trigger + steps)
    ]
    files = dict.fromkeys(names, PIPELINE)
    files["build/manual.yml"] = PIPELINE.replace("trigger: [main]\n", "")  # run by hand: a pool + steps
    files["circleci/config.yml"] = "version: 2.1\nparameters: {}\nsteps:" + PIPELINE.split("steps:")[1]
    report = scan(tmp_path, files, "--select", "NHI103")
    assert sorted(f for _, f, _ in found(report)) == sorted([*names, "build/manual.yml"])


def test_a_yaml_file_without_a_trigger_elsewhere_is_not_a_pipeline(tmp_path: Path) -> None:
    steps_only = PIPELINE.replace("trigger: [main]\n", "").replace("pool:\n  vmImage: ubuntu-latest\n", "")
    files = {"config/app.yml": steps_only, "azure-pipelines.yml": PIPELINE}
    report = scan(tmp_path, files, "--select", "NHI103")
    assert found(report) == [("NHI103", "azure-pipelines.yml", 7)]


def test_keys_in_variables_env_and_scripts_of_stages_jobs_and_deployments(tmp_path: Path) -> None:
    pipeline = """\
trigger: [main]
variables:
  AWS_ACCESS_KEY_ID: $(prodKeyId)
  buildConfiguration: Release
stages:
  - stage: Deploy
    jobs:
      - job: azure
        steps:
          - script: az login --service-principal -u $(clientId) -p $(clientSecret) --tenant $(tenantId)
      - deployment: gcp
        environment: production
        strategy:
          runOnce:
            deploy:
              steps:
                - task: DownloadSecureFile@1
                  name: saKey
                  inputs:
                    secureFile: deployer.json
                - bash: gcloud auth activate-service-account --key-file $(saKey.secureFilePath)
      - job: aws
        variables:
          - name: AWS.SecretAccessKey
            value: $(awsSecret)
        steps:
          - ${{ if eq(variables['Build.SourceBranchName'], 'main') }}:
            - pwsh: aws configure set aws_secret_access_key $(awsSecret)
"""
    report = scan(tmp_path, {"azure-pipelines.yml": pipeline}, "--select", "NHI103")
    lines = [line for _, _, line in found(report)]
    # every job (pipeline variables), azure, gcp (the key file from secure files), aws (its variable)
    assert lines == [3, 10, 21, 24], report["findings"]


def test_service_connections_and_federation_are_clean(tmp_path: Path) -> None:
    pipeline = """\
trigger: [main]
steps:
  - task: AzureCLI@2
    inputs:
      azureSubscription: prod-connection
      scriptType: bash
      scriptLocation: inlineScript
      inlineScript: az group list
  - task: AzurePowerShell@5
    inputs:
      azureSubscription: prod-connection
      ScriptType: InlineScript
      Inline: Get-AzResourceGroup
      azurePowerShellVersion: LatestVersion
  - task: AzureResourceManagerTemplateDeployment@3
    inputs:
      deploymentScope: Resource Group
      azureResourceManagerConnection: prod-connection
      resourceGroupName: rg-prod
      location: westeurope
      csmFile: main.json
  - task: AWSShellScript@1
    inputs:
      awsCredentials: aws-prod
      regionName: eu-west-1
      scriptType: inline
      inlineScript: aws s3 ls
  - task: AzureCLI@2
    inputs:
      azureSubscription: prod-wif
      addSpnToEnvironment: true
      scriptType: bash
      scriptLocation: inlineScript
      inlineScript: |
        export ARM_USE_OIDC=true ARM_OIDC_TOKEN=$idToken ARM_CLIENT_ID=$servicePrincipalId
        terraform apply -auto-approve
  - script: az devops configure --defaults organization=https://dev.azure.com/contoso
    env:
      AZURE_DEVOPS_EXT_PAT: $(System.AccessToken)
  - task: AzureCLI@2
    inputs:
      azureSubscription: prod-connection
      addSpnToEnvironment: true
      scriptType: bash
      scriptLocation: inlineScript
      inlineScript: az login --service-principal -u $servicePrincipalId -p $servicePrincipalKey -t $tenantId
"""
    report = scan(tmp_path, {"azure-pipelines.yml": pipeline})
    assert found(report) == [("NHI103", "azure-pipelines.yml", 43)]  # only the step that reads the secret


def test_add_spn_to_environment_with_the_secret_in_the_script(tmp_path: Path) -> None:
    pipeline = """\
trigger: [main]
jobs:
  - job: infra
    steps:
      - task: AzureCLI@2
        inputs:
          azureSubscription: prod-connection
          scriptType: pscore
          scriptLocation: inlineScript
          addSpnToEnvironment: true
          inlineScript: |
            $env:ARM_CLIENT_SECRET = $env:servicePrincipalKey
            terraform apply -auto-approve
"""
    report = scan(tmp_path, {"azure-pipelines.yml": pipeline}, "--select", "NHI103")
    assert found(report) == [("NHI103", "azure-pipelines.yml", 10)]
    finding = report["findings"][0]
    assert "job `infra`" in finding["message"] and "servicePrincipalKey" in finding["message"]
    assert "AzureCLI@2" in finding["suggestion"]["snippet"]  # the Azure Pipelines rewrite, not GitHub's
    assert "prod-wif" in finding["suggestion"]["snippet"]
    assert finding["owasp"] == "NHI7"


def test_each_cloud_gets_its_azure_pipelines_oidc_rewrite(tmp_path: Path) -> None:
    report = scan(tmp_path, {"azure-pipelines.yml": PIPELINE}, "--select", "NHI103")
    (finding,) = report["findings"]
    snippet = finding["suggestion"]["snippet"]
    assert "assume-role-with-web-identity" in snippet and "$idToken" in snippet


def test_templates_are_read_and_their_key_parameters_judged(tmp_path: Path) -> None:
    files = {
        "pipelines/azure-pipelines.yml": """\
trigger: [main]
extends:
  template: ../templates/stages.yml
  parameters:
    gcpServiceAccountKey: $(GCP_SA_KEY)
""",
        "templates/stages.yml": """\
parameters:
  - name: gcpServiceAccountKey
    type: string
stages:
  - stage: Build
    jobs:
      - template: /templates/jobs.yml
      - template: jobs.yml@shared-templates
""",
        "templates/jobs.yml": """\
jobs:
  - job: upload
    steps:
      - script: aws s3 cp out s3://bucket
        env:
          AWS_SECRET_ACCESS_KEY: $(awsSecret)
""",
    }
    # only the pipeline is named: the templates it references (by relative and by root path) come with it
    report = scan(tmp_path, files, "--select", "NHI103", target="pipelines")
    assert found(report) == [
        ("NHI103", "pipelines/azure-pipelines.yml", 5),
        ("NHI103", "templates/jobs.yml", 6),
    ]


def test_template_references_never_leave_the_repository_nor_follow_links(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    outside = tmp_path / "outside.yml"
    outside.write_text("steps:\n  - script: echo\n    env:\n      AWS_SECRET_ACCESS_KEY: $(k)\n")
    repo.mkdir()
    write(repo, {"templates/real.yml": outside.read_text()})
    if hasattr(os, "symlink"):
        try:
            (repo / "templates" / "link.yml").symlink_to(outside)
        except OSError:
            pytest.skip("no symbolic links here")
    pipeline = """\
trigger: [main]
steps:
  - template: ../outside.yml
  - template: templates/link.yml
  - template: azure-pipelines.yml
  - template: templates/real.yml
"""
    report = scan(repo, {"azure-pipelines.yml": pipeline}, "--select", "NHI103", target="azure-pipelines.yml")
    # a cycle to itself ends; nothing outside the repository, no link; the real template is read
    assert found(report) == [("NHI103", "templates/real.yml", 4)]


def test_personal_tokens_but_not_the_job_token(tmp_path: Path) -> None:
    pipeline = """\
trigger: [main]
jobs:
  - job: release
    steps:
      - script: git push https://$(githubPat)@github.com/contoso/site.git HEAD:gh-pages
      - script: echo "$AZURE_DEVOPS_EXT_PAT" | az devops login
        env:
          AZURE_DEVOPS_EXT_PAT: $(AzureDevOpsToken)
      - script: git push https://$(System.AccessToken)@dev.azure.com/contoso/site/_git/site
"""
    report = scan(tmp_path, {"azure-pipelines.yml": pipeline}, "--select", "NHI107")
    assert found(report) == [("NHI107", "azure-pipelines.yml", 5)]
    assert "System.AccessToken" in report["findings"][0]["suggestion"]["snippet"]


def test_a_credential_group_or_secret_shared_by_several_pipelines(tmp_path: Path) -> None:
    def pipeline(script: str) -> str:
        return f"""\
trigger: [main]
variables:
  - group: aws-release-credentials
  - group: common-settings
steps:
  - script: {script}
    env:
      NPM_TOKEN: $(NPM_TOKEN)
"""

    files = {
        "web.azure-pipelines.yml": pipeline("npm publish"),
        "api.azure-pipelines.yml": pipeline("npm publish --workspace api"),
    }
    report = scan(tmp_path, files, "--select", "NHI403")
    messages = sorted(f["message"] for f in report["findings"])
    assert len(messages) == 2, messages
    assert messages[0].startswith("secret variable `NPM_TOKEN` is used by 2 pipelines")
    assert messages[1].startswith("variable group `aws-release-credentials` is used by 2 pipelines")
    # one pipeline alone shares nothing
    alone = scan(tmp_path / "one", {"azure-pipelines.yml": pipeline("npm publish")}, "--select", "NHI403")
    assert found(alone) == []


def test_literal_key_is_reported_redacted(tmp_path: Path) -> None:
    key = "AKIA" + "QWERTYUIOPASDFGH"
    secret = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzEXAMPLEKEY9"
    pipeline = f"""\
trigger: [main]
variables:
  AWS_ACCESS_KEY_ID: {key}
  AWS_SECRET_ACCESS_KEY: {secret}
steps:
  - script: aws s3 ls
"""
    write(tmp_path, {"azure-pipelines.yml": pipeline})
    done = run_cli("scan", ".", "--no-cache", cwd=tmp_path)
    assert done.returncode == 1
    assert "NHI101" in done.stdout and "NHI103" in done.stdout
    assert key not in done.stdout + done.stderr and secret not in done.stdout + done.stderr


def test_literal_keys_of_a_file_wide_login_are_one_finding_with_it(tmp_path: Path) -> None:
    """Keys written in the pipeline's own `variables:` are the stored-key login's own, folded into its
    NHI103 as in GitHub Actions, GitLab CI and CircleCI (`Format.literal_logins`); a literal that no
    login reads stays its own NHI101."""
    key = "AKIA" + "QYLPMN5HHHFPZAM2"
    secret = "tfZ8r2kQ9vXy7LmN3pB6" + "wE1sD4gH0jK5uC8aR2tY"
    token = "ghp_" + "k7Lm2Pq9Rs4Tv6Wx8Yz1Ab3Cd5Ef7Gh9Ij0K"
    pipeline = f"""\
trigger: [main]
variables:
  AWS_ACCESS_KEY_ID: {key}
  AWS_SECRET_ACCESS_KEY: {secret}
  RELEASE_TOKEN: {token}
steps:
  - script: aws s3 sync build/ s3://releases/
"""
    report = scan(tmp_path, {"azure-pipelines.yml": pipeline})
    assert found(report, "NHI101") == [("NHI101", "azure-pipelines.yml", 5)]
    [login] = [f for f in report["findings"] if f["rule_id"] == "NHI103"]
    assert login["also"] == ["NHI101"]
    assert {r["line"] for r in login["related"]} == {3, 4}


def test_sarif_and_a_broken_pipeline(tmp_path: Path) -> None:
    write(tmp_path, {"azure-pipelines.yml": PIPELINE, ".azure-pipelines/broken.yml": "steps: [\n"})
    done = run_cli("scan", ".", "--no-cache", "--format", "sarif", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    results = json.loads(done.stdout)["runs"][0]["results"]
    where = sorted(
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results
    )
    assert where == [("NHI001", ".azure-pipelines/broken.yml"), ("NHI103", "azure-pipelines.yml")]


def test_jobs_of_the_same_name_in_two_stages_and_a_gcloud_runner_task(tmp_path: Path) -> None:
    pipeline = """\
trigger: [main]
stages:
  - stage: secure_file
    jobs:
      - job: auth
        steps:
          - task: DownloadSecureFile@1
            name: deployer
            inputs:
              secureFile: deployments.json
          - task: GcloudRunner@0
            inputs:
              command: auth activate-service-account
              arguments: --key-file $(deployer.secureFilePath)
  - stage: variable_group
    jobs:
      - job: auth
        steps:
          - bash: echo $(ServiceAccountKey) | base64 -d > key.json
"""
    report = scan(tmp_path, {"azure-pipelines.yml": pipeline}, "--select", "NHI103")
    assert found(report) == [("NHI103", "azure-pipelines.yml", 11), ("NHI103", "azure-pipelines.yml", 19)]
    messages = sorted(f["message"] for f in report["findings"])
    assert "job `secure_file.auth`" in messages[0] and "job `variable_group.auth`" in messages[1]


def test_a_starter_template_with_placeholders_is_skipped_not_an_error(tmp_path: Path) -> None:
    starter = "trigger:\n- {{ branch }}\n\npool:\n  {{ pool }}\n\nsteps:\n- script: echo hello\n"
    write(tmp_path, {"azure-pipelines.yml": starter})
    done = run_cli("scan", ".", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "unrendered template" in done.stdout and "internal error" not in done.stderr


def test_the_inventory_links_a_role_to_the_pipeline_that_assumes_it(tmp_path: Path) -> None:
    files = {
        "infra/main.tf": """\
resource "aws_iam_role" "deploy" {
  name               = "azure-pipelines-deploy"
  assume_role_policy = "{}"
}
""",
        "azure-pipelines.yml": """\
trigger: [main]
steps:
  - task: AzureCLI@2
    inputs:
      azureSubscription: aws-deploy-wif
      addSpnToEnvironment: true
      scriptType: bash
      scriptLocation: inlineScript
      inlineScript: |
        aws sts assume-role-with-web-identity --role-session-name ado \\
          --role-arn arn:aws:iam::123456789012:role/azure-pipelines-deploy --web-identity-token "$idToken"
""",
    }
    write(tmp_path, files)
    done = run_cli(
        "inventory", ".", "-f", "json", cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "cache")}
    )
    assert done.returncode in (0, 1), done.stderr
    (role,) = [e for e in json.loads(done.stdout)["identities"] if e["name"] == "azure-pipelines-deploy"]
    assert role["links"] == ["assumed by workflow azure-pipelines.yml:10"]
