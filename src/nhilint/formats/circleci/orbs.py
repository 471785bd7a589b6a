"""What CircleCI's cloud orbs do with credentials, read from each orb's own `src/commands/*.yml`.

* `circleci/aws-cli` `setup` (v4+: `aws_access_key_id`, `aws_secret_access_key`, `role_arn`,
  `session_duration`; v1-v3: the same names in kebab case) assumes `role_arn` with the job's
  `$CIRCLE_OIDC_TOKEN` when it is given, else configures a profile from `$AWS_ACCESS_KEY_ID` /
  `$AWS_SECRET_ACCESS_KEY` (its defaults): without `role_arn` it is a stored key.
* `circleci/gcp-cli` `setup` (`initialize` before v3) reads the key JSON in `$GCLOUD_SERVICE_KEY`
  (`gcloud_service_key`, an env var name) unless `use_oidc: true`.
* `circleci/azure-cli` `login-with-service-principal` (`$AZURE_SP_PASSWORD`), `login-with-user` and
  `login-with-user-or-service-principal` (a person's `$AZURE_PASSWORD`): the orb has no OIDC login.
* The other `circleci/aws-*`, `circleci/gcp-*` and `circleci/azure-*` orbs (ECR, S3, ECS, EKS,
  CodeDeploy, GCR, GKE, Cloud Run, ACR, AKS) take the same defaults or run after the CLI orb's
  setup: a job of theirs with no federation in sight reaches the cloud with stored keys.
"""

from __future__ import annotations

import re

_CLOUD_ORB = re.compile(r"^circleci/(aws|gcp|azure)-[\w-]+$")
# Parameters that federate: AWS role ARN (OIDC), Google `use_oidc`.
ROLE_PARAMS = frozenset({"role_arn", "role-arn"})
OIDC_FLAGS = frozenset({"use_oidc", "use-oidc"})
# Key parameters whose names do not say a cloud key by themselves (an Azure password).
AZURE_KEY_PARAMS = frozenset({"azure-sp-password", "azure_sp_password", "azure-password", "azure_password"})
# Commands that log in with the orb's default (stored) keys when not federated.
_LOGINS = {
    "circleci/aws-cli": frozenset({"setup", "role_arn_setup", "role-arn-setup"}),
    "circleci/gcp-cli": frozenset({"setup", "initialize"}),
    "circleci/azure-cli": frozenset(
        {"login-with-service-principal", "login-with-user", "login-with-user-or-service-principal"}
    ),
}
_WEB_IDENTITY = frozenset({"assume_role_with_web_identity", "assume-role-with-web-identity"})


def orb_cloud(orb: str) -> str:
    """The cloud an official CircleCI orb (`circleci/aws-ecr`) reaches, or ""."""
    match = _CLOUD_ORB.match(orb.lower())
    return {"aws": "aws", "gcp": "gcp", "azure": "azure"}[match.group(1)] if match else ""


def logs_in(orb: str, command: str) -> bool:
    """Whether `orb/command` (a command or a job of the orb) logs in to its cloud, stored keys by
    default: the CLI orbs' login commands, and anything but `install` of the other cloud orbs."""
    orb, command = orb.lower(), command.lower()
    if orb in _LOGINS:
        return command in _LOGINS[orb]
    return bool(orb_cloud(orb)) and not command.startswith("install")


def web_identity(orb: str, command: str) -> bool:
    return orb.lower() == "circleci/aws-cli" and command.lower() in _WEB_IDENTITY


def cli_login(orb: str, command: str) -> bool:
    """One of the CLI orbs' own login commands (`aws-cli/setup`), which read the keys in the job's
    environment when they run."""
    return command.lower() in _LOGINS.get(orb.lower(), frozenset())
