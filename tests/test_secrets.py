"""Credential detectors, placeholders and redaction (NHI101), on realistic values from IaC and CI files.

Every token below is built at run time from a seeded generator, so that no pattern-valid secret is
written in this file (GitHub push protection and secret scanners stay quiet) and each run is the same.
"""

from __future__ import annotations

import base64
import json
import random
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nhilint.knowledge.credential_names import is_credential_name, is_reference_or_placeholder
from nhilint.knowledge.redaction import redact, redact_secrets
from nhilint.knowledge.secrets import Detection, detect, entropy

_RNG = random.Random(101)
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
BASE32 = string.ascii_uppercase + "234567"


def rnd(n: int, alphabet: str = ALNUM) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def b64url(data: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def pem(label: str) -> str:
    body = base64.b64encode(_RNG.randbytes(600)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n"


AKIA = "AKIA" + rnd(16, BASE32)
AWS_SECRET = rnd(40, B64)
GHP = "ghp" + "_" + rnd(36)
GLPAT = "glpat" + "-" + rnd(20, URLSAFE)
JWT_HEADER = b64url({"alg": "RS256", "kid": "k1", "typ": "JWT"})
JWT = ".".join(
    [
        JWT_HEADER,
        b64url({"iss": "kubernetes/serviceaccount", "sub": "system:serviceaccount:ci:deployer"}),
        rnd(86, URLSAFE),
    ]
)
SA_KEY_JSON = json.dumps(
    {
        "type": "service_account",
        "project_id": "acme-prod",
        "private_key_id": rnd(40, "0123456789abcdef"),
        "private_key": pem("PRIVATE KEY"),
        "client_email": "deployer@acme-prod.iam.gserviceaccount.com",
        "client_id": "1" + rnd(20, string.digits),
    },
    indent=2,
)

# (value, key, expected kind, expected confidence)
POSITIVES = [
    pytest.param(AKIA, "access_key", "AWS access key ID", "high", id="tf-provider-access-key"),
    pytest.param(AKIA, "", "AWS access key ID", "high", id="aws-key-id-anywhere"),
    pytest.param(
        f"export AWS_ACCESS_KEY_ID={AKIA}\naws s3 ls\n",
        "run",
        "AWS access key ID",
        "high",
        id="aws-key-id-in-script",
    ),
    pytest.param(
        "ASIA" + rnd(16, BASE32),
        "AWS_ACCESS_KEY_ID",
        "AWS temporary access key ID",
        "high",
        id="aws-sts-key-id",
    ),
    pytest.param(
        f"[default]\naws_access_key_id = {AKIA}\naws_secret_access_key = {AWS_SECRET}\n",
        "content",
        "AWS access key ID and secret access key",
        "high",
        id="aws-credentials-file",
    ),
    pytest.param(AWS_SECRET, "aws_secret_access_key", "AWS secret access key", "high", id="aws-secret-tf"),
    pytest.param(AWS_SECRET, "SecretAccessKey", "AWS secret access key", "high", id="aws-secret-cfn"),
    pytest.param(AWS_SECRET, "secret_key", "AWS secret access key", "high", id="aws-secret-provider"),
    pytest.param(SA_KEY_JSON, "credentials", "GCP service-account key", "high", id="gcp-sa-key-json"),
    pytest.param(SA_KEY_JSON, "key.json", "GCP service-account key", "high", id="gcp-sa-key-k8s-secret"),
    pytest.param(pem("RSA PRIVATE KEY"), "private_key", "PEM private key", "high", id="pem-rsa"),
    pytest.param(pem("OPENSSH PRIVATE KEY"), "", "PEM private key", "high", id="pem-openssh"),
    pytest.param(pem("EC PRIVATE KEY"), "client_key", "PEM private key", "high", id="pem-ec"),
    pytest.param(pem("ENCRYPTED PRIVATE KEY"), "tls.key", "PEM private key", "high", id="pem-encrypted"),
    pytest.param(pem("PGP PRIVATE KEY BLOCK"), "GPG_KEY", "PEM private key", "high", id="pgp-private-key"),
    pytest.param(GHP, "GH_TOKEN", "GitHub personal access token", "high", id="github-pat-env"),
    pytest.param(
        f"gh auth login --with-token <<< {GHP}",
        "run",
        "GitHub personal access token",
        "high",
        id="github-pat-in-script",
    ),
    pytest.param(
        f"https://x-access-token:{GHP}@github.com/acme/infra.git",
        "repository",
        "GitHub personal access token",
        "high",
        id="github-pat-in-clone-url-wins-over-url-password",
    ),
    pytest.param("ghs" + "_" + rnd(36), "token", "GitHub app installation token", "high", id="github-ghs"),
    pytest.param("gho" + "_" + rnd(36), "", "GitHub OAuth access token", "high", id="github-gho"),
    pytest.param(
        "github" + "_pat_" + rnd(22) + "_" + rnd(59),
        "github_token",
        "GitHub fine-grained personal access token",
        "high",
        id="github-fine-grained",
    ),
    pytest.param(
        f'curl --header "PRIVATE-TOKEN: {GLPAT}" https://gitlab.example.com/api/v4/projects',
        "script",
        "GitLab personal/project access token",
        "high",
        id="gitlab-pat-in-script",
    ),
    pytest.param(
        "gldt" + "-" + rnd(20, URLSAFE), "DEPLOY_TOKEN", "GitLab deploy token", "high", id="gitlab-deploy"
    ),
    pytest.param(
        "GR1348941" + rnd(20, URLSAFE),
        "registration_token",
        "GitLab runner registration token",
        "high",
        id="gitlab-runner-registration",
    ),
    pytest.param(
        "xoxb" + "-" + rnd(12, string.digits) + "-" + rnd(13, string.digits) + "-" + rnd(24),
        "SLACK_BOT_TOKEN",
        "Slack token",
        "high",
        id="slack-bot-token",
    ),
    pytest.param(
        "https://hooks.slack.com/services/T" + rnd(10, BASE32) + "/B" + rnd(10, BASE32) + "/" + rnd(24),
        "SLACK_WEBHOOK_URL",
        "Slack webhook URL",
        "high",
        id="slack-webhook",
    ),
    pytest.param(
        "sk" + "_live_" + rnd(24), "STRIPE_API_KEY", "Stripe live secret key", "high", id="stripe-live"
    ),
    pytest.param("rk" + "_live_" + rnd(32), "", "Stripe live restricted key", "high", id="stripe-restricted"),
    pytest.param(
        f"DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey={rnd(86, B64)}==;"
        "EndpointSuffix=core.windows.net",
        "AzureWebJobsStorage",
        "Azure storage account key",
        "high",
        id="azure-storage-connection-string",
    ),
    pytest.param(
        f"Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
        f"SharedAccessKey={rnd(43, B64)}=",
        "connection",
        "Azure shared access key",
        "high",
        id="azure-service-bus",
    ),
    pytest.param(
        f"https://acme.blob.core.windows.net/logs?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z"
        f"&sig={rnd(43, ALNUM)}%3D",
        "sas_url",
        "Azure SAS token",
        "high",
        id="azure-sas-url",
    ),
    pytest.param(
        rnd(3, ALNUM) + "8Q~" + rnd(34, ALNUM + "_~.-"),
        "ARM_CLIENT_SECRET",
        "Azure AD client secret",
        "high",
        id="azure-ad-client-secret",
    ),
    pytest.param("AIza" + rnd(35, URLSAFE), "", "Google API key", "high", id="google-api-key"),
    pytest.param(
        "GOCSPX" + "-" + rnd(28, URLSAFE),
        "oauth_client_secret",
        "Google OAuth client secret",
        "high",
        id="google-oauth-client-secret",
    ),
    pytest.param("hvs." + rnd(90, URLSAFE), "VAULT_TOKEN", "HashiCorp Vault token", "high", id="vault-token"),
    pytest.param(
        rnd(14) + ".atlasv1." + rnd(67, URLSAFE),
        "TFE_TOKEN",
        "Terraform Cloud API token",
        "high",
        id="terraform-cloud-token",
    ),
    pytest.param("npm" + "_" + rnd(36), "NPM_TOKEN", "npm access token", "high", id="npm-token"),
    pytest.param(
        "dckr" + "_pat_" + rnd(27, URLSAFE),
        "DOCKERHUB_TOKEN",
        "Docker Hub access token",
        "high",
        id="docker-hub-pat",
    ),
    pytest.param(JWT, "token", "JSON Web Token", "high", id="jwt-sa-token"),
    pytest.param(
        f"Authorization: Bearer {JWT}", "header", "JSON Web Token", "high", id="jwt-wins-over-bearer"
    ),
    pytest.param(
        f'curl -H "Authorization: Bearer {rnd(40)}" https://api.acme.io/deploy',
        "run",
        "bearer token",
        "high",
        id="opaque-bearer-in-curl",
    ),
    pytest.param(
        "Authorization: Basic " + base64.b64encode(f"deploy:{rnd(16)}".encode()).decode(),
        "",
        "HTTP basic-auth credentials",
        "high",
        id="basic-auth-header",
    ),
    pytest.param(
        f"mongodb+srv://app:{rnd(18)}@cluster0.abcde.mongodb.net/prod",
        "MONGO_URI",
        "password in URL",
        "high",
        id="mongodb-url",
    ),
    pytest.param(
        f"postgresql://deployer:{rnd(16)}@prod-db.internal:5432/app",
        "",
        "password in URL",
        "high",
        id="postgres-url-no-key",
    ),
    pytest.param(
        f"Server=tcp:acme.database.windows.net,1433;Database=app;User ID=app;Password={rnd(16)};",
        "connection_string",
        "password",
        "medium",
        id="ado-net-connection-string",
    ),
    pytest.param(
        f"jdbc:mysql://db.internal:3306/app?user=app&password={rnd(14)}",
        "url",
        "password",
        "medium",
        id="jdbc-query-password",
    ),
    pytest.param(
        f"export API_TOKEN={rnd(32)}\n./deploy.sh\n", "script", "token", "medium", id="export-token-in-script"
    ),
    pytest.param(
        json.dumps({"username": "app", "password": rnd(20)}),
        "secret_string",
        "password",
        "medium",
        id="secretsmanager-secret-string-json",
    ),
    pytest.param("Xk9#mP2$vL5qW8", "master_password", "password", "medium", id="rds-master-password"),
    pytest.param("hunter2hunter2", "DB_PASSWORD", "password", "medium", id="weak-literal-password"),
    pytest.param("Passw0rd!", "admin_password", "password", "medium", id="weak-password-with-classes"),
    pytest.param(rnd(32, "0123456789abcdef"), "api_key", "API key", "medium", id="hex-api-key"),
    pytest.param(rnd(40, URLSAFE), "clientSecret", "secret", "medium", id="camel-client-secret"),
    pytest.param(
        "3f2b8c1e-9a4d-4e6f-b7a2-1c5d8e9f0a3b", "HEROKU_API_KEY", "API key", "medium", id="uuid-api-key"
    ),
    pytest.param(rnd(24, B64), "password_wo", "password", "medium", id="terraform-write-only-password"),
    pytest.param(rnd(24), "spring.datasource.password", "password", "medium", id="dotted-key"),
]


@pytest.mark.parametrize(("value", "key", "kind", "confidence"), POSITIVES)
def test_detects_credentials(value: str, key: str, kind: str, confidence: str) -> None:
    found = detect(value, key)
    assert found is not None
    assert (found.kind, found.confidence) == (kind, confidence)


# (value, key): never a credential
NEGATIVES = [
    # a Terraform type constraint in blueprint metadata (found in terraform-google-kubernetes-engine)
    pytest.param(
        "object({\n  service_account_signing_keys = optional(list(string))\n"
        "  cluster_ca = optional(string)\n})",
        "varType",
        id="terraform-type-constraint",
    ),
    # references, of every syntax
    pytest.param("${var.db_password}", "password", id="terraform-var"),
    pytest.param(
        "${aws_secretsmanager_secret_version.db.secret_string}", "secret_string", id="terraform-ref"
    ),
    pytest.param("${{ secrets.GITHUB_TOKEN }}", "token", id="gha-secret"),
    pytest.param("${{ steps.app-token.outputs.token }}", "github-token", id="gha-step-output"),
    pytest.param("$DB_PASSWORD", "password", id="shell-var"),
    pytest.param("$(cat /run/secrets/db_password)", "DB_PASSWORD", id="shell-command"),
    pytest.param("$(System.AccessToken)", "SYSTEM_ACCESSTOKEN", id="azure-devops-macro"),
    pytest.param("{{ .Values.postgresql.auth.password }}", "password", id="helm"),
    pytest.param(
        "{{resolve:secretsmanager:prod/db:SecretString:password}}",
        "MasterUserPassword",
        id="cfn-dynamic-reference",
    ),
    pytest.param("<your-api-key>", "api_key", id="angle-placeholder"),
    pytest.param("%(db_password)s", "password", id="python-format"),
    pytest.param("((concourse-db-password))", "password", id="concourse"),
    pytest.param("#{DatabasePassword}", "password", id="octopus"),
    pytest.param("__DB_PASSWORD__", "password", id="token-replacement"),
    pytest.param(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
        "password",
        id="secretsmanager-arn",
    ),
    pytest.param("vault:secret/data/prod/db#password", "password", id="vault-ref"),
    pytest.param("ssm:/prod/db/password", "DB_PASSWORD", id="ssm-ref"),
    pytest.param("projects/acme-prod/secrets/db-password/versions/latest", "secret", id="gcp-secret-manager"),
    pytest.param(
        "ENC[AES256_GCM,data:" + rnd(24, B64) + ",iv:" + rnd(22, B64) + ",type:str]",
        "password",
        id="sops-encrypted",
    ),
    pytest.param(
        "@Microsoft.KeyVault(SecretUri=https://acme.vault.azure.net/secrets/db/)",
        "DB_PASSWORD",
        id="azure-key-vault-reference",
    ),
    pytest.param("postgres://app:${DB_PASSWORD}@db.internal:5432/app", "DATABASE_URL", id="url-with-ref"),
    pytest.param(
        "https://oauth2:${CI_JOB_TOKEN}@gitlab.example.com/acme/infra.git", "", id="url-ci-job-token"
    ),
    pytest.param('curl -H "Authorization: Bearer ${TOKEN}" https://api.acme.io', "run", id="bearer-ref"),
    pytest.param("export API_TOKEN=$(vault kv get -field=token secret/ci)", "script", id="export-from-vault"),
    # placeholders
    pytest.param("changeme", "password", id="changeme"),
    pytest.param("change-me-please", "password", id="change-me"),
    pytest.param("xxxxxxxxxxxxxxxx", "api_key", id="xxx"),
    pytest.param("****************", "token", id="stars"),
    pytest.param("REPLACE_ME", "client_secret", id="replace-me"),
    pytest.param("TODO", "password", id="todo"),
    pytest.param("dummy-password-123", "password", id="dummy"),
    pytest.param("your-token-here", "GITHUB_TOKEN", id="your-token-here"),
    pytest.param("YOUR_API_KEY_HERE", "api_key", id="your-api-key-screaming"),
    pytest.param("MySecretPassword", "password", id="placeholder-words"),
    pytest.param("password", "password", id="password-itself"),
    pytest.param("null", "token", id="null"),
    pytest.param("", "password", id="empty"),
    pytest.param("AKIAIOSFODNN7EXAMPLE", "aws_access_key_id", id="aws-doc-key-id"),
    pytest.param("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key", id="aws-doc-secret"),
    pytest.param("AKIA" + "X" * 16, "access_key", id="aws-key-id-of-x"),
    pytest.param("AKIA1234567890ABCDEF", "access_key", id="aws-key-id-sequence"),
    pytest.param("ghp" + "_" + "x" * 36, "GH_TOKEN", id="github-xxx"),
    pytest.param("sk" + "_live_...", "STRIPE_KEY", id="stripe-ellipsis"),
    pytest.param(
        "https://hooks.slack.com/services/T00000000/B00000000/" + "X" * 24, "webhook", id="slack-doc"
    ),
    pytest.param("1234567890", "password", id="digit-sequence"),
    pytest.param("abcdefghijklmnop", "secret", id="letter-sequence"),
    pytest.param("aaaaaaaaaaaa", "token", id="repeated"),
    pytest.param("postgres://postgres:postgres@localhost:5432/test", "DATABASE_URL", id="local-ci-database"),
    pytest.param("postgres://app:" + rnd(16) + "@127.0.0.1:5432/app", "DATABASE_URL", id="loopback-database"),
    pytest.param("https://user:password@registry.example.com", "registry", id="url-placeholder-password"),
    # identifiers that look random but are not secrets
    pytest.param(rnd(40, "0123456789abcdef"), "ref", id="git-sha"),
    pytest.param(rnd(40, "0123456789abcdef"), "", id="git-sha-no-key"),
    pytest.param("3f2b8c1e-9a4d-4e6f-b7a2-1c5d8e9f0a3b", "client_id", id="uuid-client-id"),
    pytest.param("3f2b8c1e-9a4d-4e6f-b7a2-1c5d8e9f0a3b", "tenant_id", id="uuid-tenant-id"),
    pytest.param("AIDA" + rnd(17, BASE32), "unique_id", id="aws-user-unique-id"),
    pytest.param("AROA" + rnd(17, BASE32), "", id="aws-role-unique-id"),
    pytest.param("arn:aws:iam::123456789012:role/github-deployer", "role-to-assume", id="role-arn"),
    pytest.param(
        "arn:aws:kms:eu-west-1:123456789012:key/" + rnd(8, "0123456789abcdef"), "kms_key_id", id="kms"
    ),
    pytest.param(
        base64.b64encode(b"#!/bin/bash\nyum install -y nginx\nsystemctl start nginx\n").decode(),
        "user_data",
        id="base64-user-data",
    ),
    pytest.param(rnd(64, B64), "checksum", id="random-base64-in-plain-field"),
    pytest.param("sha256:" + rnd(64, "0123456789abcdef"), "digest", id="image-digest"),
    pytest.param("ghcr.io/acme/api@sha256:" + rnd(64, "0123456789abcdef"), "image", id="pinned-image"),
    pytest.param("sha512-" + rnd(86, B64) + "==", "integrity", id="lockfile-integrity"),
    pytest.param("h1:" + rnd(43, B64) + "=", "hash", id="go-sum-hash"),
    pytest.param("nginx:1.25.3-alpine", "image", id="image-tag"),
    pytest.param(
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + rnd(300, B64) + " ci@acme",
        "public_key",
        id="ssh-public-key",
    ),
    pytest.param(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rnd(43, B64) + " deploy",
        "ssh_public_key",
        id="ssh-ed25519-public-key",
    ),
    pytest.param(pem("PUBLIC KEY"), "public_key_pem", id="pem-public-key"),
    pytest.param(pem("CERTIFICATE"), "ca_certificate", id="certificate"),
    pytest.param(pem("CERTIFICATE"), "certificate", id="certificate-no-cred-key"),
    pytest.param(
        "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
        "private_key",
        id="pem-header-without-key",
    ),
    pytest.param('{"type": "service_account", "private_key": ""}', "credentials", id="sa-json-without-key"),
    pytest.param("eyJub3QganNvbg.eyJub3QganNvbg." + rnd(43, URLSAFE), "", id="jwt-shaped-not-json"),
    pytest.param("sk" + "_test_" + rnd(24), "STRIPE_SECRET_KEY", id="stripe-test-key"),
    pytest.param("pk" + "_live_" + rnd(24), "STRIPE_PUBLISHABLE_KEY", id="stripe-publishable"),
    # names, paths, URLs, values that are not secrets in credential-named fields
    pytest.param("my-app-secret", "secret", id="k8s-secret-name"),
    pytest.param("prod-db-credentials-v2", "credentials", id="secret-name-with-version"),
    pytest.param("DB_PASSWORD_PROD", "password", id="env-var-name"),
    pytest.param("DbAdminPassword", "password", id="cfn-parameter-name"),
    pytest.param("/var/run/secrets/kubernetes.io/serviceaccount/token", "token", id="token-path"),
    pytest.param("./secrets/deployer-key.json", "credentials", id="relative-key-path"),
    pytest.param("~/.ssh/id_ed25519", "private_key", id="home-key-path"),
    pytest.param("secrets/prod.pem", "private_key", id="key-file"),
    pytest.param("https://vault.acme.internal:8200", "token", id="url-without-credentials"),
    pytest.param("deployer@acme-prod.iam.gserviceaccount.com", "credentials", id="service-account-email"),
    pytest.param("true", "password", id="boolean"),
    pytest.param("86400000", "token", id="number"),
    pytest.param("Password for the admin user of the reporting database", "password", id="prose"),
    pytest.param("Bearer token required for every call", "description", id="bearer-in-prose"),
    pytest.param('Basic realm="acme"', "WWW-Authenticate", id="basic-realm"),
    pytest.param("prod/db/credentials", "secret_name", id="secret-name"),
    pytest.param(rnd(24), "secret_name", id="random-in-name-field"),
    pytest.param(rnd(24), "token_ttl", id="random-in-ttl-field"),
    pytest.param("token_ttl=3600\ntoken_max_ttl=7200", "config", id="ttl-assignments"),
    pytest.param("password_length=32 password_min_upper=2", "args", id="length-assignments"),
    pytest.param("arn:aws:secretsmanager:*:*:secret:AmazonLookoutMetrics-*", "Resource", id="arn-pattern"),
    pytest.param(f'gcloud identity groups search --page-token="{rnd(24)}"', "run", id="page-token-flag"),
    pytest.param(rnd(48, B64), "NextToken", id="pagination-token"),
    pytest.param("3f2b8c1e-9a4d-4e6f-b7a2-1c5d8e9f0a3b", "ClientRequestToken", id="idempotency-token"),
    pytest.param("read:org", "auth", id="oauth-scope"),
    pytest.param(
        "--shared-key='secret_version=projects/p/secrets/s/versions/1'", "help", id="nested-assignment"
    ),
    pytest.param("us-east-1", "region", id="plain-value"),
]


@pytest.mark.parametrize(("value", "key"), NEGATIVES)
def test_ignores_non_credentials(value: str, key: str) -> None:
    assert detect(value, key) is None


@pytest.mark.parametrize(
    ("value", "secret"),
    [
        (f"export TOKEN={GHP}", GHP),
        (f"https://x-access-token:{GHP}@github.com/acme/infra.git", GHP),
        (f"postgresql://app:S3cr3t-{AKIA[4:12]}x@db.internal/app", f"S3cr3t-{AKIA[4:12]}x"),
        (f"Server=db;Password={AWS_SECRET[:20]};Encrypt=true", AWS_SECRET[:20]),
        (SA_KEY_JSON, '"type": "service_account"'),
    ],
    ids=["export", "clone-url", "url-password", "connection-string", "sa-json"],
)
def test_detection_points_at_the_secret(value: str, secret: str) -> None:
    found = detect(value, "value")
    assert found is not None
    assert value[found.start : found.end] == secret


def test_whole_value_span_for_a_credential_named_field() -> None:
    password = rnd(16)
    assert detect(f"  {password}\n", "password") == Detection("password", "medium", 2, 18)


def test_placeholder_token_does_not_hide_a_real_one() -> None:
    value = f"# example: ghp_{'x' * 36}\nexport GH_TOKEN={GHP}\n"
    found = detect(value)
    assert found is not None and value[found.start : found.end] == GHP


def test_high_confidence_needs_no_key_but_generic_needs_one() -> None:
    password = rnd(20, B64)
    assert detect(password, "db_password") is not None
    assert detect(password) is None
    assert detect(password, "db_host") is None


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "passwd",
        "db-password",
        "DB_PASSWORD",
        "MYSQL_ROOT_PASSWORD",
        "masterUserPassword",
        "MasterUserPassword",
        "admin_pass",
        "passphrase",
        "secret",
        "client_secret",
        "clientSecret",
        "ARM_CLIENT_SECRET",
        "token",
        "GITHUB_TOKEN",
        "auth_token",
        "x-auth-token",
        "refreshToken",
        "api_key",
        "apiKey",
        "APIKey",
        "x-api-key",
        "apikey",
        "AWS_SECRET_ACCESS_KEY",
        "SecretAccessKey",
        "secret_key",
        "access_key",
        "private_key",
        "privateKey",
        "private_key_pem",
        "client_key",
        "storage_account_key",
        "primary_access_key",
        "credentials",
        "credentials_json",
        "creds",
        "auth",
        "Authorization",
        "bearer",
        "connection_string",
        "connectionString",
        "conn_str",
        "secret_string",
        "SecretString",
        "password_wo",
        "spring.datasource.password",
        "data.password",
        "password2",
        "sas_token",
        "deploy_key",
    ],
)
def test_credential_names(key: str) -> None:
    assert is_credential_name(key)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "name",
        "key",
        "token_ttl",
        "token_max_ttl",
        "password_length",
        "min_password_length",
        "max_token_age",
        "secret_name",
        "secretName",
        "secret_arn",
        "secret_id",
        "key_id",
        "access_key_id",
        "kms_key",
        "kms_key_id",
        "KmsKeyId",
        "public_key",
        "ssh_public_key",
        "publicKey",
        "password_file",
        "PASSWORD_FILE",
        "token_path",
        "passwordSecretRef",
        "secretKeyRef",
        "password_policy",
        "password_reset_required",
        "auth_type",
        "auth_url",
        "token_endpoint",
        "secret_version",
        "generate_secret",
        "is_secret",
        "rotate_token",
        "secret_hash",
        "private_key_id",
        "role_arn",
        "monkey",
        "passenger_count",
        "description",
        "GOOGLE_APPLICATION_CREDENTIALS_PATH",
    ],
)
def test_not_credential_names(key: str) -> None:
    assert not is_credential_name(key)


@pytest.mark.parametrize(
    "value",
    [
        "${var.x}",
        "${{ secrets.X }}",
        "${{ vars.X }}",
        "$VAR",
        "$(cmd)",
        "{{ .Values.x }}",
        "<your-key>",
        "%(x)s",
        "((var))",
        "#{x}",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x",
        "vault:secret/x",
        "ssm:/x",
        "projects/p/secrets/s",
        "changeme",
        "change-me",
        "xxxxxxxx",
        "****",
        "REPLACE_ME",
        "TODO",
        "dummy",
        "example",
        "test",
        "password",
        "null",
        "none",
        "",
        "   ",
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aaaaaaaaaa",
        "1234567890",
        "abcdefgh",
        "9876543210",
    ],
)
def test_references_and_placeholders(value: str) -> None:
    assert is_reference_or_placeholder(value)


@pytest.mark.parametrize("value", [GHP, AKIA, AWS_SECRET, "hunter2hunter2", "Xk9#mP2$vL5qW8", "s3cr3t-v4lu3"])
def test_real_looking_values_are_not_placeholders(value: str) -> None:
    assert not is_reference_or_placeholder(value)


def test_redact_keeps_four_characters() -> None:
    assert redact(AKIA) == "AKIA****"
    assert redact(GHP) == "ghp_****"
    assert redact("hunter2") == "****"
    assert redact("") == "****"


@given(st.text())
def test_redact_never_reveals_more_than_four_characters(value: str) -> None:
    shown = redact(value)
    assert shown.endswith("****")
    revealed = shown[: -len("****")]
    assert len(revealed) <= 4 and value.startswith(revealed)
    assert revealed == "" or len(value) >= 8


@given(st.text(), st.text(max_size=30))
def test_detect_never_fails_and_spans_stay_inside(value: str, key: str) -> None:
    found = detect(value, key)
    assert found is None or 0 <= found.start < found.end <= len(value)


def test_redact_secrets_cuts_every_secret_wherever_it_lies() -> None:
    """A lower-priority token before a higher-priority one was printed whole: each hit used to cut
    only the text after the previous one, from the first detector in priority order."""
    glpat = "glpat" + "-" + rnd(20, URLSAFE)
    text = f"user {GHP} deploys with {glpat} and key {AKIA}; password in postgres://app:Zq8#vLx2Pm4w@db/x"
    shown = redact_secrets(text)
    for secret in (GHP, glpat, AKIA, "Zq8#vLx2Pm4w"):
        assert secret not in shown
    assert shown.startswith("user ghp_**** deploys with glpa**** and key AKIA****")


def test_redact_secrets_reads_many_secrets_in_one_pass() -> None:
    """Thousands of tokens in one name (a hostile file's label): all cut, no rescan per token."""
    keys = [key for key in ("AKIA" + rnd(16, BASE32) for _ in range(3000)) if detect(key)]
    shown = redact_secrets(" ".join(keys))
    assert shown == " ".join(["AKIA****"] * len(keys)) and len(keys) > 2900


@given(st.text(max_size=200))
def test_redact_secrets_never_fails_and_leaves_clean_text_alone(text: str) -> None:
    shown = redact_secrets(text)
    assert shown == text or "****" in shown


def test_entropy() -> None:
    assert entropy("") == 0.0
    assert entropy("aaaa") == 0.0
    assert entropy("abcd") == 2.0
    assert entropy(rnd(64, B64)) > 4.5


def test_long_runs_before_a_secret_are_read_to_the_end() -> None:
    """Values are never cut before the detectors: a secret at the end of a long script is found
    (the patterns are linear instead; benchmarks/hostile.py `regex-values` measures them)."""
    run = " ".join(["key" * 3000, "eyJ-" * 3000, "a." * 3000, "{{" * 3000, "#{" * 3000])
    url = detect(run + " postgres://app:Zq8#vLx2Pm4w@db.example.com/app")
    assert url is not None and url.kind == "password in URL"
    jwt = (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
        ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    )
    found = detect(run + " Authorization=" + jwt)
    assert found is not None and found.kind == "JSON Web Token"
    found = detect(run + " export DB_PASSWORD=Zq8vLx2Pm4wT")
    assert found is not None and found.kind == "password"
