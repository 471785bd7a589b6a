"""Which CI inputs and variables carry a cloud's long-lived key, and which cloud.

Shared by the GitHub Actions and GitLab CI extractors and the CI rules. `CLOUD_ENV` names the
environment variables that hand a job a cloud key, `is_pat_name` a secret named for a person's
token. Three kinds of knowledge besides:

* `key_cloud(name)`: a name (action input, env variable, secret, CI/CD variable) that says it holds
  a cloud key: access key / secret key / key id (AWS), service-account key or JSON, `credentials_json`
  (Google Cloud), Azure credentials or client secret. Names about a key but not the key itself
  (`aws-region`, `role-to-assume`, `service_account` (an e-mail), `kms_key_id`) never match.
* `DEPLOY_ACTIONS`: popular third-party deploy actions, the cloud they reach and the inputs or env
  variables that hold its key, so the finding names the cloud even when the input's name does not.
* `cloud_commands(line)`: shell lines that run a cloud CLI or an infrastructure tool (GitLab jobs
  without `id_tokens` that run them take keys from CI/CD variables).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nhilint.knowledge.credential_names import lazy

# Environment variables that hand a job a cloud's long-lived key.
CLOUD_ENV = {
    "AWS_ACCESS_KEY_ID": "aws", "AWS_SECRET_ACCESS_KEY": "aws",
    "GOOGLE_CREDENTIALS": "gcp", "GOOGLE_APPLICATION_CREDENTIALS": "gcp", "GCLOUD_SERVICE_KEY": "gcp",
    "ARM_CLIENT_SECRET": "azure", "AZURE_CLIENT_SECRET": "azure", "ARM_CLIENT_CERTIFICATE_PASSWORD": "azure",
}  # fmt: skip
# A secret named for a person's token: GH_PAT, RELEASE_PAT, PAT_TOKEN, PERSONAL_ACCESS_TOKEN...
_PAT_NAME = lazy(r"(?:^|[_-])(?:GH|GITHUB|GL|GITLAB)?PATS?(?:$|[_-])|PERSONAL\w*TOKEN", re.I)


def is_pat_name(name: str) -> bool:
    """`GH_PAT`, `PERSONAL_ACCESS_TOKEN`, and camelCase names (`githubPat`, `AzureDevOpsPAT`)."""
    return _PAT_NAME().search(name) is not None or bool({"pat", "pats"} & set(words(name)))


# Words of a name: camelCase and separators split, lower-cased (`firebaseServiceAccount` ->
# firebase service account, `AWS_SECRET_ACCESS_KEY` -> aws secret access key).
_WORD = lazy(r"[A-Z]+\d*(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+")
_AWS_WORDS = frozenset({"aws", "s3", "amazon", "eb", "beanstalk", "lambda", "ecr"})
_GCP_WORDS = frozenset({"gcp", "gcloud", "google", "gke", "gcs", "firebase", "gae", "bigquery"})
_AZURE_WORDS = frozenset({"azure", "arm", "az", "entra", "aad"})
# Key names in AWS's words that other vendors use too: no cloud named.
_OTHER_VENDORS = frozenset(
    {"alibaba", "alibabacloud", "aliyun", "tencent", "tencentcloud", "oss", "do", "spaces", "minio", "r2",
     "b2", "wasabi", "linode", "cos", "qiniu", "huawei", "obs", "ibm", "oci", "scaleway", "scw"}
)  # fmt: skip
# Names that are about a key without being one.
_NOT_KEY_WORDS = frozenset({"kms", "region", "role", "arn", "file", "path", "name", "url", "endpoint", "ttl"})


def words(name: str) -> list[str]:
    return [w.lower() for w in _WORD().findall(name)]


def _has(seq: list[str], *run: str) -> bool:
    """`run` appears as consecutive words of `seq`."""
    n = len(run)
    return any(tuple(seq[i : i + n]) == run for i in range(len(seq) - n + 1))


def key_cloud(name: str, action_cloud: str = "", vendor: str = "") -> str | None:
    """The cloud whose long-lived key a name says it holds ("" when the name says a key but not the
    cloud), or None when the name does not say a cloud key. `action_cloud` is the cloud of the
    action the input is given to, when known (it names the cloud and admits a bare client secret);
    `vendor` is the action's name, whose words may name another vendor (`aliyun/acr-login`)."""
    w = words(name)
    if not w or _NOT_KEY_WORDS & set(w):
        return None
    cloud = _cloud_of(w) or action_cloud
    # AWS: access key id, secret access key, aws access key / secret key / key id.
    if _has(w, "secret", "access", "key") or _has(w, "access", "key", "id"):
        if cloud:
            return cloud
        other = _OTHER_VENDORS & {*w, *words(vendor)} or _named_owner(w)
        return "" if other else "aws"
    if cloud == "aws" and (_has(w, "access", "key") or _has(w, "secret", "key") or _has(w, "key", "id")):
        return "aws"
    if _OTHER_VENDORS & {*w, *words(vendor)} and any(
        _has(w, *pair) for pair in (("access", "key"), ("secret", "key"), ("secret", "id"), ("key", "secret"))
    ):
        return ""  # Alibaba AccessKey, Tencent SecretId/SecretKey...: a cloud key, not AWS's
    # Google Cloud: service-account key / JSON, SA key, credentials JSON, service key, credentials.
    if (
        _has(w, "service", "account", "key")
        or _has(w, "service", "account", "json")
        or _has(w, "service", "account", "credentials")
        or _has(w, "sa", "key")
        or _has(w, "sa", "json")
        or _has(w, "credentials", "json")
        or _has(w, "application", "credentials")
    ):
        return cloud or "gcp"
    if cloud == "gcp" and (
        _has(w, "service", "key") or w[-1] == "credentials" or _has(w, "firebase", "service", "account")
    ):
        return "gcp"  # `GCLOUD_SERVICE_KEY`, `GOOGLE_CREDENTIALS`, `firebaseServiceAccount`
    # Azure: credentials / creds, client secret, certificate password.
    if cloud == "azure" and (
        w[-1] in ("credentials", "creds")
        or _has(w, "client", "secret")
        or _has(w, "certificate", "password")
        or _has(w, "publish", "profile")
    ):
        return "azure"
    if cloud == "aws" and w[-1:] in (["credentials"], ["creds"]):
        return "aws"
    return None


# Words that qualify a key (its environment, its user, the tool that passes it) without naming whose
# key it is: `PROD_ACCESS_KEY_ID`, `CI_DEPLOY_SECRET_ACCESS_KEY` stay AWS's.
_QUALIFIERS = frozenset(
    {"prod", "production", "prd", "staging", "stage", "stg", "dev", "develop", "development", "test",
     "testing",
     "qa", "uat", "preview", "sandbox", "live", "release", "ci", "cd", "deploy", "deployer", "deployment",
     "github", "gh", "gitlab", "actions", "action", "input", "inputs", "my", "the", "default", "main", "app",
     "iam", "user", "bot", "admin", "root", "build", "infra", "ops", "tf", "terraform", "var", "env",
     "secret", "secrets", "access", "key", "id", "new", "old", "primary", "backup", "upload", "publish"}
)  # fmt: skip


def _named_owner(w: list[str]) -> bool:
    """Whether a word before the key words names whose key it is (`SENTRY_ACCESS_KEY_ID`,
    `cloudflare_secret_access_key`): another vendor's or an application's key in AWS's words, so the
    name says a key but not that it is AWS's. Environment and role words are no owner."""
    start = next(i for i in range(len(w)) if w[i : i + 2] in (["secret", "access"], ["access", "key"]))
    return any(word not in _QUALIFIERS and not word.isdigit() and len(word) > 1 for word in w[:start])


def _cloud_of(w: list[str]) -> str:
    found = {
        c for c, vocabulary in (("aws", _AWS_WORDS), ("gcp", _GCP_WORDS), ("azure", _AZURE_WORDS))
        if vocabulary & set(w)
    }  # fmt: skip
    return found.pop() if len(found) == 1 else ""


# Deploy actions (owner/name, lower-case) whose inputs or env carry a cloud key: the cloud and the
# names that hold it. Input names were checked against each action's own action.yml / README:
#   einaregilsson/beanstalk-deploy: `aws_access_key`, `aws_secret_key` (README, inputs);
#   shallwefootball/s3-upload-action, shallwefootball/upload-s3-action: `aws_key_id`,
#     `aws_secret_access_key` (index.js `core.getInput`);
#   jakejarvis/s3-sync-action: env `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (README);
#   firebaseextended/action-hosting-deploy: `firebaseServiceAccount`, "a service account JSON key" (README);
#   w9jds/firebase-action: env `GCP_SA_KEY`, "a service account key (json format)" (README);
#   google-github-actions/deploy-cloudrun, get-gke-credentials, deploy-appengine, upload-cloud-storage
#     (v0): `credentials`, a service-account key;
#   azure/webapps-deploy, azure/functions-action: `publish-profile`, the app's deployment password;
#   azure/aks-set-context (v1), azure/k8s-actions/aks-set-context: `creds`;
#   azure/static-web-apps-deploy: `azure_static_web_apps_api_token`, the app's deployment token
#     (the action takes `github_id_token` for OIDC instead).
# Actions that take SSH keys or registry passwords (appleboy/ssh-action, docker/login-action) reach
# no cloud and are not listed.
DEPLOY_ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "einaregilsson/beanstalk-deploy": ("aws", frozenset({"aws_access_key", "aws_secret_key"})),
    "shallwefootball/s3-upload-action": ("aws", frozenset({"aws_key_id", "aws_secret_access_key"})),
    "shallwefootball/upload-s3-action": ("aws", frozenset({"aws_key_id", "aws_secret_access_key"})),
    "jakejarvis/s3-sync-action": ("aws", frozenset({"aws_access_key_id", "aws_secret_access_key"})),
    "firebaseextended/action-hosting-deploy": ("gcp", frozenset({"firebaseserviceaccount"})),
    "w9jds/firebase-action": ("gcp", frozenset({"gcp_sa_key"})),
    "google-github-actions/deploy-cloudrun": ("gcp", frozenset({"credentials"})),
    "google-github-actions/get-gke-credentials": ("gcp", frozenset({"credentials"})),
    "google-github-actions/deploy-appengine": ("gcp", frozenset({"credentials"})),
    "google-github-actions/upload-cloud-storage": ("gcp", frozenset({"credentials"})),
    "azure/webapps-deploy": ("azure", frozenset({"publish-profile"})),
    "azure/functions-action": ("azure", frozenset({"publish-profile"})),
    "azure/aks-set-context": ("azure", frozenset({"creds"})),
    "azure/static-web-apps-deploy": ("azure", frozenset({"azure_static_web_apps_api_token"})),
    "azure/k8s-actions/aks-set-context": ("azure", frozenset({"creds"})),
}


_CLOUD_OWNERS = {"azure": "azure", "aws-actions": "aws", "google-github-actions": "gcp"}


def action_name(uses: str) -> str:
    """`owner/name[/path]` of a `uses:` reference, lower-case, without `@ref`."""
    return uses.split("@", 1)[0].strip().lower()


def deploy_action(uses: str) -> tuple[str, frozenset[str]]:
    """(cloud, key input names) of a known deploy action; ("", {}) otherwise. Owners that are
    clouds (`azure/...`) name the cloud of their actions."""
    name = action_name(uses)
    if name in DEPLOY_ACTIONS:
        return DEPLOY_ACTIONS[name]
    return _CLOUD_OWNERS.get(name.split("/", 1)[0], ""), frozenset()


def input_key_cloud(uses: str, name: str) -> str | None:
    """The cloud whose key input (or step env) `name` of the action `uses` carries, or None."""
    cloud, names = deploy_action(uses)
    if name.lower() in names:
        return cloud
    return key_cloud(name, cloud, action_name(uses))


# Shell commands that reach a cloud with whatever credentials the job's environment holds.
_AT_COMMAND = r"(?:^\s*|[;&|(`]\s*|\bsudo\s+|\bexec\s+|\$\(\s*)"
_CLOUD_COMMANDS: tuple[tuple[str, Callable[[], re.Pattern[str]]], ...] = (
    ("aws", lazy(_AT_COMMAND + r"(?:aws|eksctl)\s+[a-z][\w-]*|\b(?:cdk|sam)\s+deploy\b")),
    ("gcp", lazy(_AT_COMMAND + r"(?:gcloud|gsutil)\s+[a-z][\w-]*")),
    ("azure", lazy(_AT_COMMAND + r"(?:az|azd)\s+[a-z][\w-]*")),
    ("", lazy(_AT_COMMAND + r"(?:(?:gitlab-)?terraform|tofu|terragrunt|pulumi|serverless|sls)\s+"
               r"(?:-\S+\s+)*(?:apply|plan|destroy|import|refresh|up|deploy|run-all|preview)\b")),
)  # fmt: skip


def cloud_commands(line: str) -> list[tuple[str, str]]:
    """(cloud, command) for each cloud a shell line reaches with ambient credentials (cloud "" for a
    multi-cloud tool such as Terraform); the command is its first words (`aws s3`, `terraform apply`)."""
    if line.lstrip().startswith("#"):
        return []
    found = []
    for cloud, pattern in _CLOUD_COMMANDS:
        match = pattern().search(line)
        if match:
            words = match.group(0).strip(" \t;&|(`$").split()
            found.append((cloud, " ".join(w for w in words if w not in ("sudo", "exec"))[:60]))
    return found
