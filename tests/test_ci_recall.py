"""CI that logs in any way: deploy actions given keys, reusable and local actions, CLIs given keys on the
command line, GitLab jobs whose keys come from CI/CD variables, workflows and pipeline fragments
recognised by content wherever they live, and broad workflow-level token scopes. Through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli

WF = ".github/workflows/"


def scan(tmp_path: Path, files: dict[str, str], *select: str) -> list[dict]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    args = [a for rule in select for a in ("--select", rule)]
    proc = run_cli("scan", ".", "--format", "json", "--no-cache", *args, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def at(findings: list[dict], rule: str) -> dict[tuple[str, int], dict]:
    return {(f["file"], f["line"]): f for f in findings if f["rule_id"] == rule}


DEPLOY = """\
name: Deploy
on:
  push:
    branches: [main]
permissions:
  contents: read
env:
  EB_KEY: ${{ secrets.PROD_DEPLOY_SECRET }}
jobs:
  beanstalk:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: einaregilsson/beanstalk-deploy@v22
        with:
          aws_access_key: ${{ secrets.DEPLOY_ID }}
          aws_secret_key: ${{ env.EB_KEY }}
          application_name: shop
          environment_name: shop-prod
          region: eu-west-1
          version_label: ${{ github.sha }}
  upload:
    runs-on: ubuntu-latest
    steps:
      - uses: shallwefootball/s3-upload-action@master
        with:
          aws_key_id: ${{ secrets.UPLOAD_ID }}
          aws_secret_access_key: ${{ secrets.UPLOAD_SECRET }}
          aws_bucket: shop-assets
          source_dir: dist
  hosting:
    runs-on: ubuntu-latest
    steps:
      - uses: FirebaseExtended/action-hosting-deploy@v0
        with:
          repoToken: ${{ secrets.GITHUB_TOKEN }}
          firebaseServiceAccount: ${{ secrets.FIREBASE_SERVICE_ACCOUNT_SHOP }}
          channelId: live
  functions:
    runs-on: ubuntu-latest
    steps:
      - uses: w9jds/firebase-action@v13.0.0
        with:
          args: deploy --only functions
        env:
          GCP_SA_KEY: ${{ secrets.FIREBASE_DEPLOY }}
  webapp:
    runs-on: ubuntu-latest
    steps:
      - uses: azure/webapps-deploy@v3
        with:
          app-name: shop
          publish-profile: ${{ secrets.SHOP_PUBLISH }}
  registry:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/login-action@v3
        with:
          registry: 123456789012.dkr.ecr.eu-west-1.amazonaws.com
          username: ${{ secrets.ECR_USER }}
          password: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
"""


def test_deploy_actions_given_keys_are_reported_with_the_cloud_they_reach(tmp_path: Path) -> None:
    found = at(scan(tmp_path, {WF + "deploy.yml": DEPLOY}, "NHI103"), "NHI103")
    clouds = {
        line: f["message"].split(" logs in to ")[1].split(" with ")[0] for (_, line), f in found.items()
    }
    assert clouds == {16: "AWS", 27: "AWS", 37: "Google Cloud", 46: "Google Cloud", 53: "Azure", 61: "AWS"}
    beanstalk = found[(WF + "deploy.yml", 16)]
    assert "`with.aws_access_key` of `einaregilsson/beanstalk-deploy@v22`" in beanstalk["message"]
    # the secret key arrives through the workflow's env, itself set from a secret
    assert [r["line"] for r in beanstalk["related"]] == [17]


def test_inputs_about_a_cloud_that_are_not_keys_are_not_reported(tmp_path: Path) -> None:
    workflow = """\
on: push
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: read
    steps:
      - uses: actions/checkout@v4
        with:
          token: ${{ secrets.GITHUB_TOKEN }}
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${{ secrets.AWS_ROLE_ARN }}
          aws-region: ${{ secrets.AWS_REGION }}
      - uses: google-github-actions/auth@v2
        with:
          workload_identity_provider: ${{ secrets.WIF_PROVIDER }}
          service_account: ${{ secrets.GCP_SERVICE_ACCOUNT }}
      - uses: actions/github-script@v7
        with:
          github-token: ${{ secrets.RELEASE_BOT_TOKEN }}
          script: console.log("ok")
      - uses: appleboy/ssh-action@v1
        with:
          host: ${{ secrets.HOST }}
          key: ${{ secrets.SSH_KEY }}
      - uses: mnao305/chrome-extension-upload@v5
        with:
          client-secret: ${{ secrets.CHROME_CLIENT_SECRET }}
          refresh-token: ${{ secrets.CHROME_REFRESH_TOKEN }}
      - uses: hashicorp/setup-terraform@v3
        with:
          cli_config_credentials_token: ${{ secrets.TF_API_TOKEN }}
      - uses: some-org/kms-sign@v1
        with:
          kms_key_id: ${{ secrets.KMS_KEY_ID }}
"""
    assert at(scan(tmp_path, {WF + "deploy.yml": workflow}, "NHI103"), "NHI103") == {}


def test_local_actions_and_reusable_workflows_given_keys(tmp_path: Path) -> None:
    workflow = """\
on: push
permissions: {}
jobs:
  local:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/deploy
        with:
          credentials_json: ${{ secrets.GCP_CREDENTIALS }}
          environment: prod
  root:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: ./
        with:
          service_account_key: ${{ secrets.DEPLOYER }}
  platform:
    permissions:
      contents: read
    uses: acme/platform/.github/workflows/deploy.yml@v1
    with:
      environment: prod
    secrets:
      azure_credentials: ${{ secrets.AZURE_CREDENTIALS }}
  clean:
    permissions:
      contents: read
    uses: acme/platform/.github/workflows/deploy.yml@v1
    with:
      environment: prod
      aws-region: eu-west-1
"""
    found = at(scan(tmp_path, {WF + "deploy.yml": workflow}, "NHI103"), "NHI103")
    assert sorted(line for _, line in found) == [12, 21, 29]
    assert "Azure" in found[(WF + "deploy.yml", 29)]["message"]


def test_clis_given_keys_on_the_command_line(tmp_path: Path) -> None:
    workflow = """\
on: push
permissions:
  contents: read
jobs:
  serverless:
    runs-on: ubuntu-latest
    steps:
      - run: |
          npm ci
          npx serverless config credentials --provider aws \\
            --key ${{ secrets.SLS_KEY }} --secret ${{ secrets.SLS_SECRET }}
          npx serverless deploy --stage prod
  azd:
    runs-on: ubuntu-latest
    steps:
      - run: azd auth login --client-id "$CLIENT" --client-secret "$SECRET" --tenant-id "$TENANT"
        env:
          SECRET: ${{ secrets.AZD_SECRET }}
  az:
    runs-on: ubuntu-latest
    steps:
      - run: |
          az login --service-principal \\
            --username "$APP_ID" \\
            --password "$APP_PASSWORD" \\
            --tenant "$TENANT"
  federated:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - run: azd auth login --client-id "$CLIENT" --federated-credential-provider github --tenant-id "$T"
"""
    pipeline = """\
deploy:
  stage: deploy
  script:
    - sls config credentials --provider aws --key $AWS_KEY --secret $AWS_SECRET --overwrite
    - sls deploy
"""
    findings = scan(tmp_path, {WF + "deploy.yml": workflow, ".gitlab-ci.yml": pipeline}, "NHI103")
    found = at(findings, "NHI103")
    assert set(found) == {(WF + "deploy.yml", 10), (WF + "deploy.yml", 16), (WF + "deploy.yml", 23),
                          (".gitlab-ci.yml", 4)}  # fmt: skip
    assert found[(".gitlab-ci.yml", 4)]["severity"] == "error"


def test_workflow_templates_are_workflows_wherever_they_live(tmp_path: Path) -> None:
    template = """\
name: Deploy to Amazon ECS
on:
  push:
    branches: [$default-branch]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: us-east-1
"""
    others = {
        "docker-compose.yml": "services:\n  web:\n    image: nginx\n    command: [run]\n",
        ".circleci/config.yml": "version: 2.1\njobs:\n  build:\n    docker: [{image: cimg/base:current}]\n"
        "    steps: [checkout]\nworkflows:\n  main:\n    jobs: [build]\n",
        "azure-pipelines.yml": "trigger: [main]\njobs:\n- job: build\n  steps:\n  - script: make\n",
        "deploy/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: jobs}\ndata:\n  on: push\n",
    }
    files = {"workflow-templates/aws.yml": template, "starters/ci/deployments/aws.yml": template, **others}
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    proc = run_cli("scan", ".", "--format", "json", "--no-cache", "--select", "NHI103", "-v", cwd=tmp_path)
    found = at(json.loads(proc.stdout)["findings"], "NHI103")
    assert set(found) == {("workflow-templates/aws.yml", 11), ("starters/ci/deployments/aws.yml", 11)}
    assert "docker-compose.yml" in proc.stderr  # listed as skipped: not a format nhilint reads
    # other CI systems' files are read as their own formats, never as GitHub workflows
    for rel in (".circleci/config.yml", "azure-pipelines.yml"):
        assert rel not in proc.stderr


GITLAB = """\
# Deploys the site and the infrastructure.
# Needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in Settings > CI/CD > Variables.
stages: [plan, deploy]
include:
  - local: ci/deploy.yml
plan:
  stage: plan
  image: hashicorp/terraform:1.9
  script:
    - cd infra
    - terraform init
    - terraform plan -out plan.tfplan
lint:
  stage: plan
  script:
    - echo "aws s3 sync runs in deploy"
oidc:
  stage: deploy
  id_tokens:
    AWS_ID_TOKEN:
      aud: https://gitlab.com
  script:
    - aws sts get-caller-identity
"""
FRAGMENT = """\
deploy:
  stage: deploy
  image: amazon/aws-cli
  script:
    - aws s3 sync public/ s3://site/ --delete
"""


def test_gitlab_jobs_whose_keys_come_from_ci_cd_variables(tmp_path: Path) -> None:
    findings = scan(tmp_path, {".gitlab-ci.yml": GITLAB, "ci/deploy.yml": FRAGMENT}, "NHI103")
    found = at(findings, "NHI103")
    assert set(found) == {(".gitlab-ci.yml", 12), ("ci/deploy.yml", 5)}
    for finding in found.values():
        assert finding["severity"] == "warning"
        assert "keys come from CI/CD variables" in finding["message"]
        assert finding["related"][0]["line"] == 2  # where the project names the key variable
    assert "`aws s3`" in found[("ci/deploy.yml", 5)]["message"]


def test_gitlab_jobs_running_a_cli_without_key_variables_in_sight_are_not_reported(tmp_path: Path) -> None:
    pipeline = GITLAB.replace("# Needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", "# Runs on")
    federated = """\
deploy:
  stage: deploy
  id_tokens:
    AWS_ID_TOKEN:
      aud: https://gitlab.com
  script:
    - >
      export $(printf "AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s"
      $(aws sts assume-role-with-web-identity --role-arn "$ROLE" --role-session-name ci
      --web-identity-token "$AWS_ID_TOKEN" --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]'
      --output text))
    - aws s3 sync public/ s3://site/
"""
    findings = scan(tmp_path, {".gitlab-ci.yml": pipeline, "ci/deploy.yml": federated}, "NHI103")
    assert at(findings, "NHI103") == {}


def test_gitlab_fragments_are_read_when_their_parent_is_not_scanned(tmp_path: Path) -> None:
    fragment = FRAGMENT.replace(
        "  image: amazon/aws-cli\n", "  variables:\n    AWS_SECRET_ACCESS_KEY: $PROD_KEY\n"
    )
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "deploy.yml").write_text(fragment, encoding="utf-8")
    proc = run_cli("scan", "pipelines", "--format", "json", "--no-cache", "--select", "NHI103", cwd=tmp_path)
    found = at(json.loads(proc.stdout)["findings"], "NHI103")
    assert set(found) == {("pipelines/deploy.yml", 4)}


def test_broad_scopes_at_the_top_of_a_workflow_with_several_jobs(tmp_path: Path) -> None:
    shared = """\
on: push
permissions:
  contents: write
  pull-requests: write
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
  release:
    runs-on: ubuntu-latest
    steps:
      - run: make release
"""
    read_all = "on: push\npermissions: read-all\njobs:\n  test:\n    runs-on: linux\n    steps: [run: make]\n"
    single = shared.split("  release:")[0]
    overridden = shared.replace(
        "    runs-on", "    permissions:\n      contents: read\n    runs-on"
    )  # every job sets its own scopes: the top grants nothing
    files = {
        WF + "shared.yml": shared,
        WF + "read-all.yml": read_all,
        WF + "single.yml": single,
        WF + "overridden.yml": overridden,
        WF + "overridden-read-all.yml": overridden.replace(
            "permissions:\n  contents: write\n  pull-requests: write\n", "permissions: read-all\n"
        ),
    }
    found = at(scan(tmp_path, files, "NHI208"), "NHI208")
    assert set(found) == {(WF + "shared.yml", 3), (WF + "read-all.yml", 2)}
    assert "`contents: write`, `pull-requests: write`" in found[(WF + "shared.yml", 3)]["message"]
    assert "`read-all`" in found[(WF + "read-all.yml", 2)]["message"]


def test_gitlab_keys_passed_to_terraform_or_written_to_a_credentials_file(tmp_path: Path) -> None:
    pipeline = """\
stages: [plan, apply]
variables:
  TF_VAR_aws_access_key: ${AWS_ACCESS_KEY_ID}
  TF_VAR_aws_secret_key: ${AWS_SECRET_ACCESS_KEY}
  TF_VAR_aws_region: ${AWS_DEFAULT_REGION}
plan:
  stage: plan
  script:
    - terraform init
    - terraform plan
apply:
  stage: apply
  before_script:
    - mkdir -p ~/.aws
    - echo $AWS_CREDS | base64 -d > ~/.aws/credentials
  script:
    - terraform apply -auto-approve
"""
    found = at(scan(tmp_path, {".gitlab-ci.yml": pipeline}, "NHI103"), "NHI103")
    assert set(found) == {(".gitlab-ci.yml", 3), (".gitlab-ci.yml", 15)}
    assert {f["severity"] for f in found.values()} == {"error"}


def test_keys_of_another_vendor_in_aws_words_are_not_called_aws(tmp_path: Path) -> None:
    workflow = """\
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: aliyun/acr-login@v1
        with:
          login-server: https://registry.cn-hangzhou.aliyuncs.com
          region-id: cn-hangzhou
          access-key-id: ${{ secrets.ACCESS_KEY_ID }}
          access-key-secret: ${{ secrets.ACCESS_KEY_SECRET }}
"""
    (finding,) = at(scan(tmp_path, {WF + "build.yml": workflow}, "NHI103"), "NHI103").values()
    assert finding["line"] == 12 and " logs in to a cloud " in finding["message"]


def test_gitlab_jobs_extending_a_template_of_another_file_are_not_warned(tmp_path: Path) -> None:
    """The template (here in the included common.yml) may give the job `id_tokens`; the scan reads one
    file at a time, so the low-confidence warning stays silent rather than guess."""
    common = ".aws_assume_role:\n  id_tokens:\n    MY_OIDC_TOKEN:\n      aud: https://gitlab.example.com\n"
    pipeline = """\
# AWS_ACCESS_KEY_ID is never stored: jobs assume a role.
include: common.yml
plan:
  stage: plan
  extends: [.aws_assume_role]
  script:
    - gitlab-terraform plan
apply:
  stage: deploy
  script:
    - gitlab-terraform apply
"""
    found = at(scan(tmp_path, {".gitlab-ci.yml": pipeline, "common.yml": common}, "NHI103"), "NHI103")
    assert set(found) == {(".gitlab-ci.yml", 11)}
