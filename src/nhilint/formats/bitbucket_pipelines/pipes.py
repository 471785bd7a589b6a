"""What Atlassian's cloud pipes take: the cloud they reach, the variables that hold its key, and the
variable that makes them federate.

From the pipes' READMEs (bitbucket.org/atlassian/<pipe>):
* AWS pipes (`atlassian/aws-s3-deploy`, `aws-ecs-deploy`, `aws-sam-deploy`, `aws-lambda-deploy`,
  `aws-cloudformation-deploy`, `aws-ecr-push-image`, `aws-code-deploy`, `aws-elasticbeanstalk-deploy`...):
  `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, which the pipe takes from repository, workspace or
  deployment variables when the step does not pass them, or `AWS_OIDC_ROLE_ARN` in a step with
  `oidc: true` (the pipe then exchanges the step's OIDC token for a session of that role);
* Google Cloud pipes (`atlassian/google-cloud-storage-deploy`, `google-app-engine-deploy`,
  `google-gke-kubectl-run`, `google-cloud-functions-deploy`, `firebase-deploy`): `KEY_FILE`, a
  base64-encoded service-account key;
* Azure pipes (`atlassian/azure-web-apps-deploy`, `azure-functions-deploy`, `azure-cli-run`,
  `azure-aks-deploy`, `azure-arm-deploy`, `azure-storage-deploy`): `AZURE_APP_ID`, `AZURE_PASSWORD`
  (the service principal's client secret) and `AZURE_TENANT_ID`.
"""

from __future__ import annotations

import re

_OWNER_PREFIXES = (("atlassian/aws-", "aws"), ("atlassian/google-", "gcp"), ("atlassian/azure-", "azure"))
_OTHER_CLOUD_PIPES = {"atlassian/firebase-deploy": "gcp"}
KEY_VARIABLES = {
    "aws": ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
    "gcp": ("KEY_FILE",),
    "azure": ("AZURE_PASSWORD",),
}
AWS_OIDC_ROLE = "AWS_OIDC_ROLE_ARN"
# A pipe variable that sets the lifetime of the session it asks for, in seconds.
SESSION_LIFETIME = re.compile(r"(?:SESSION_DURATION|DURATION_SECONDS)(?:_SECONDS)?$", re.I)


def pipe_name(reference: str) -> str:
    """`owner/name` of a `pipe:` reference, lower-case, without its `:version` or `docker://`."""
    name = reference.strip().removeprefix("docker://").lower()
    return name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name


def pipe_cloud(name: str) -> str:
    """The cloud an Atlassian pipe reaches ("" for any other pipe)."""
    if name in _OTHER_CLOUD_PIPES:
        return _OTHER_CLOUD_PIPES[name]
    return next((cloud for prefix, cloud in _OWNER_PREFIXES if name.startswith(prefix)), "")
