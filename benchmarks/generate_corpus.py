"""Write a deterministic synthetic corpus of infrastructure code for the benchmark.

The corpus looks like an organisation's repositories: each `repo-NNNN/` holds Terraform modules
(IAM roles, policies, users and access keys, GCP service accounts), CloudFormation templates,
Kubernetes manifests, GitHub workflows and one `.gitlab-ci.yml`. About a third of the objects are
risky (static keys, wildcard policies, long sessions, hardcoded tokens), the rest are clean.

    python benchmarks/generate_corpus.py --files 1000 --out /tmp/corpus-1000 [--seed 7]

The same seed and size always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from collections.abc import Callable
from pathlib import Path

FILES_PER_REPO = 50
TEAMS = ("payments", "platform", "data", "search", "identity", "billing", "growth", "infra")
SERVICES = ("api", "worker", "ingest", "exporter", "scheduler", "gateway", "indexer", "reporter")
MANAGED_POLICIES = ("AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess")
ALNUM_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
ACTIONS = (
    "s3:GetObject",
    "s3:PutObject",
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "kms:Decrypt",
    "logs:PutLogEvents",
    "secretsmanager:GetSecretValue",
)


def _key(rng: random.Random, prefix: str, length: int, alphabet: str) -> str:
    return prefix + "".join(rng.choice(alphabet) for _ in range(length))


def _aws_key_id(rng: random.Random) -> str:
    return _key(rng, "AKIA", 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _secret(rng: random.Random) -> str:
    return _key(rng, "", 40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _tags(rng: random.Random, team: str, indent: str = "  ") -> str:
    if rng.random() < 0.3:
        return f'{indent}tags = {{\n{indent}  team = "{team}"\n{indent}}}\n'
    expires = f"20{rng.randint(24, 34)}-{rng.randint(1, 12):02d}-28"
    owner = f'{indent}  owner   = "{team}@example.com"\n'
    return f'{indent}tags = {{\n{owner}{indent}  expires = "{expires}"\n{indent}}}\n'


def tf_iam(rng: random.Random, team: str, service: str) -> str:
    name = f"{team}-{service}"
    risky = rng.random() < 0.35
    actions = rng.sample(ACTIONS, 3)
    action_text = '"*"' if risky else "[" + ", ".join(f'"{a}"' for a in actions) + "]"
    resource = '"*"' if risky else f'"arn:aws:s3:::{name}-data/*"'
    session = 43200 if risky else 3600
    return f"""# IAM for the {name} service.
resource "aws_iam_role" "{service}" {{
  name                 = "{name}"
  max_session_duration = {session}
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "lambda.amazonaws.com" }}
    }}]
  }})
{_tags(rng, team)}}}

resource "aws_iam_role_policy" "{service}" {{
  name = "{name}-access"
  role = aws_iam_role.{service}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = {action_text}
      Resource = {resource}
    }}]
  }})
}}

data "aws_iam_policy_document" "{service}_extra" {{
  statement {{
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:aws:logs:eu-west-1:123456789012:log-group:/{team}/{service}:*"]
  }}
}}

resource "aws_iam_policy" "{service}_extra" {{
  name   = "{name}-logs"
  policy = data.aws_iam_policy_document.{service}_extra.json
}}

resource "aws_iam_role_policy_attachment" "{service}_extra" {{
  role       = aws_iam_role.{service}.name
  policy_arn = aws_iam_policy.{service}_extra.arn
}}
"""


def tf_user(rng: random.Random, team: str, service: str) -> str:
    name = f"{team}-{service}-ci"
    text = f"""resource "aws_iam_user" "{service}_ci" {{
  name = "{name}"
  path = "/automation/"
{_tags(rng, team)}}}
"""
    if rng.random() < 0.4:
        text += f"""
resource "aws_iam_access_key" "{service}_ci" {{
  user = aws_iam_user.{service}_ci.name
}}

resource "aws_iam_user_policy_attachment" "{service}_ci" {{
  user       = aws_iam_user.{service}_ci.name
  policy_arn = "arn:aws:iam::aws:policy/{rng.choice(MANAGED_POLICIES)}"
}}
"""
    return text


def tf_gcp(rng: random.Random, team: str, service: str) -> str:
    role = "roles/owner" if rng.random() < 0.3 else "roles/storage.objectViewer"
    text = f"""resource "google_service_account" "{service}" {{
  account_id   = "{team}-{service}"
  display_name = "{team} {service}"
  description  = "owner={team}@example.com"
}}

resource "google_project_iam_member" "{service}" {{
  project = var.project_id
  role    = "{role}"
  member  = "serviceAccount:${{google_service_account.{service}.email}}"
}}
"""
    if rng.random() < 0.3:
        text += f"""
resource "google_service_account_key" "{service}" {{
  service_account_id = google_service_account.{service}.name
}}
"""
    return text


def tf_variables(rng: random.Random, team: str, service: str) -> str:
    text = f"""variable "project_id" {{
  type        = string
  description = "GCP project of the {team} team"
  default     = "{team}-prod-{rng.randint(100, 999)}"
}}

variable "region" {{
  type    = string
  default = "eu-west-1"
}}
"""
    if rng.random() < 0.2:
        text += f"""
variable "datadog_api_key" {{
  type    = string
  default = "{_key(rng, "", 32, "0123456789abcdef")}"
}}
"""
    return text


def tf_provider(rng: random.Random, team: str, service: str) -> str:
    if rng.random() < 0.15:
        creds = f'  access_key = "{_aws_key_id(rng)}"\n  secret_key = "{_secret(rng)}"\n'
    else:
        creds = f'  assume_role {{\n    role_arn = "arn:aws:iam::123456789012:role/{team}-terraform"\n  }}\n'
    return f"""terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }}
  }}
}}

provider "aws" {{
  region = var.region
{creds}}}
"""


def cloudformation(rng: random.Random, team: str, service: str) -> str:
    risky = rng.random() < 0.35
    action = '"*"' if risky else '["sqs:SendMessage", "sqs:ReceiveMessage"]'
    user = ""
    if risky:
        user = f"""  CiUser:
    Type: AWS::IAM::User
    Properties:
      UserName: {team}-{service}-deployer
  CiUserKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref CiUser
"""
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Description: {service} for the {team} team
Parameters:
  Stage:
    Type: String
    Default: prod
Resources:
  {service.capitalize()}Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "{team}-{service}-${{Stage}}"
      MaxSessionDuration: {43200 if risky else 3600}
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: ecs-tasks.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: queue-access
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: {action}
                Resource: !GetAtt Queue.Arn
      Tags:
        - Key: owner
          Value: {team}@example.com
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "{team}-{service}-${{Stage}}"
{user}Outputs:
  RoleArn:
    Value: !GetAtt {service.capitalize()}Role.Arn
"""


def kubernetes(rng: random.Random, team: str, service: str) -> str:
    risky = rng.random() < 0.35
    sa = "default" if risky else service
    env = (
        f'            - name: API_TOKEN\n              value: "{_key(rng, "ghp_", 36, ALNUM_LOWER)}"\n'
        if risky
        else ""
    )
    verbs = '["*"]' if risky else '["get", "list", "watch"]'
    return f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {service}
  namespace: {team}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/{team}-{service}
  labels:
    owner: {team}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {service}-reader
  namespace: {team}
rules:
  - apiGroups: [""]
    resources: ["configmaps", "pods"]
    verbs: {verbs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {service}-reader
  namespace: {team}
subjects:
  - kind: ServiceAccount
    name: {service}
    namespace: {team}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {service}-reader
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {service}
  namespace: {team}
spec:
  replicas: {rng.randint(1, 4)}
  selector:
    matchLabels: {{app: {service}}}
  template:
    metadata:
      labels: {{app: {service}}}
    spec:
      serviceAccountName: {sa}
      containers:
        - name: {service}
          image: registry.example.com/{team}/{service}:1.{rng.randint(0, 30)}.{rng.randint(0, 9)}
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
{env}"""


def github_workflow(rng: random.Random, team: str, service: str) -> str:
    if rng.random() < 0.35:
        auth = """          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
"""
        permissions = ""
    else:
        auth = f"          role-to-assume: arn:aws:iam::123456789012:role/{team}-{service}\n"
        permissions = "permissions:\n  contents: read\n  id-token: write\n\n"
    return f"""name: deploy-{service}

on:
  push:
    branches: [main]

{permissions}jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
{auth}          aws-region: eu-west-1
      - name: Deploy
        run: ./scripts/deploy.sh {service}
"""


def gitlab_ci(rng: random.Random, team: str, service: str) -> str:
    variables = f'  AWS_ACCESS_KEY_ID: "{_aws_key_id(rng)}"\n' if rng.random() < 0.3 else ""
    return f"""stages: [test, deploy]

variables:
  SERVICE: {service}
{variables}
test:
  stage: test
  image: python:3.12
  script:
    - pip install -r requirements.txt
    - pytest -q

deploy:
  stage: deploy
  image: registry.example.com/{team}/deployer:2
  id_tokens:
    AWS_TOKEN:
      aud: https://gitlab.example.com
  script:
    - ./deploy.sh
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
"""


Template = Callable[[random.Random, str, str], str]
# One repository's files, in order: (relative path pattern, template). `{s}` is a service name.
TERRAFORM: list[tuple[str, Template]] = [
    ("terraform/{s}/main.tf", tf_provider),
    ("terraform/{s}/iam.tf", tf_iam),
    ("terraform/{s}/users.tf", tf_user),
    ("terraform/{s}/gcp.tf", tf_gcp),
    ("terraform/{s}/variables.tf", tf_variables),
]
OTHERS: list[tuple[str, Template]] = [
    ("cloudformation/{s}.yaml", cloudformation),
    ("k8s/{s}.yaml", kubernetes),
    ("k8s/{s}-canary.yaml", kubernetes),
    (".github/workflows/deploy-{s}.yml", github_workflow),
]


def repo_files(rng: random.Random, count: int) -> dict[str, str]:
    """`count` files of one repository: one .gitlab-ci.yml, then units of 9 files per service."""
    team = rng.choice(TEAMS)
    files = {".gitlab-ci.yml": gitlab_ci(rng, team, rng.choice(SERVICES))}
    unit = 0
    while len(files) < count:
        service = f"{rng.choice(SERVICES)}{unit}"
        for pattern, template in TERRAFORM + OTHERS:
            if len(files) >= count:
                break
            files[pattern.format(s=service)] = template(rng, team, service)
        unit += 1
    return files


def generate(out: Path, total: int, seed: int = 7) -> int:
    """Write `total` files under `out` (emptied first); returns the number written."""
    if out.exists():
        shutil.rmtree(out)
    rng = random.Random(seed)
    written = 0
    index = 0
    while written < total:
        files = repo_files(rng, min(FILES_PER_REPO, total - written))
        for rel, text in files.items():
            path = out / f"repo-{index:04d}" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        written += len(files)
        index += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, required=True, help="number of files to write")
    parser.add_argument("--out", type=Path, required=True, help="directory (replaced)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"wrote {generate(args.out, args.files, args.seed)} files under {args.out}")


if __name__ == "__main__":
    main()
