"""NHI1xx: static and long-lived credentials."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import Credential, EnvVar, ProviderCredentials, StringValue
from nhilint.findings import Finding, IdentityRef, Related
from nhilint.fold import literal_cause, provider_cause
from nhilint.knowledge import secrets
from nhilint.rules import RuleContext, rule

HOLDER_KIND = {
    "terraform": "terraform resource",
    "cloudformation": "cloudformation resource",
    "kubernetes": "kubernetes object",
    "github-actions": "workflow",
    "gitlab-ci": "pipeline",
    "helm-template": "template",
}


@rule("NHI101")
def hardcoded_credential(ctx: RuleContext) -> Iterator[Finding]:
    for value in ctx.of(StringValue):
        detection = secrets.detect(value.value, value.key)
        if detection is None:
            continue
        fmt = ctx.format_of(value.loc)
        holder = IdentityRef(HOLDER_KIND.get(fmt, "file"), value.identity or value.loc.file)
        yield ctx.finding(
            "NHI101",
            value.loc,
            f"{detection.kind} hardcoded in `{value.path}`{_of(holder.name, value.loc.file)} "
            f"(value {secrets.redact(value.value[detection.start : detection.end] or value.value)}): "
            "revoke it and load it at run time instead.",
            identity=holder,
            fix=fmt,
            cause=literal_cause(ctx, value),
            clause=f"hardcoded {detection.kind}",
        )


# kind -> (what is minted, how long it lives, remediation key). Azure secrets do expire (their
# `end_date`, two years by default), which NHI303 judges: the message must not say they never do.
_UNTIL_REVOKED = "that lives until someone revokes it"
_UNTIL_END_DATE = "that stays valid until its end date (two years unless set)"
LONG_LIVED_KEYS = {
    "aws_access_key": ("an IAM access key", _UNTIL_REVOKED, "terraform-aws"),
    "gcp_service_account_key": ("a service-account key", _UNTIL_REVOKED, "terraform-gcp"),
    "azure_application_password": ("an application client secret", _UNTIL_END_DATE, "terraform-azure"),
    "azure_service_principal_password": (
        "a service-principal client secret",
        _UNTIL_END_DATE,
        "terraform-azure",
    ),
}


def _of(holder: str, file: str) -> str:
    """` of aws_ssm_parameter.x`: the resource holding the value; nothing when that is only the file
    (every report already shows the finding's file)."""
    return "" if holder == file else f" of {holder}"


@rule("NHI102")
def long_lived_key_resource(ctx: RuleContext) -> Iterator[Finding]:
    for cred in ctx.of(Credential):
        if cred.kind not in LONG_LIVED_KEYS:
            continue
        what, lifetime, fix = LONG_LIVED_KEYS[cred.kind]
        owner = ctx.identity(cred.identity)
        name = owner.name if owner else (cred.identity or "an unnamed identity")
        yield ctx.finding(
            "NHI102",
            cred.loc,
            f"`{cred.resource_type}` {cred.name} mints {what} for {name} {lifetime}: federate the workload "
            "instead.",
            identity=owner or IdentityRef("identity", name),
            fix=(fix, ctx.format_of(cred.loc)),
        )


@rule("NHI104")
def legacy_service_account_token(ctx: RuleContext) -> Iterator[Finding]:
    for cred in ctx.of(Credential):
        if cred.kind == "k8s_service_account_token":
            owner = ctx.identity(cred.identity)
            sa = owner.name if owner else (cred.identity or "?").removeprefix("ServiceAccount/")
            yield ctx.finding(
                "NHI104",
                cred.loc,
                f"Secret {cred.name} holds a never-expiring token for ServiceAccount {sa}: use a projected "
                "token with expirationSeconds or the TokenRequest API.",
                identity=IdentityRef("k8s_service_account", sa),
                fix=f"{ctx.format_of(cred.loc)}-kubernetes",
            )


@rule("NHI404")
def human_machine_mixed(ctx: RuleContext) -> Iterator[Finding]:
    by_identity: dict[str, dict[str, Credential]] = {}
    for cred in ctx.of(Credential):
        if cred.identity and cred.kind in ("aws_login_profile", "aws_access_key"):
            by_identity.setdefault(cred.identity, {}).setdefault(cred.kind, cred)
    for address, kinds in by_identity.items():
        if len(kinds) == 2:
            login, key = kinds["aws_login_profile"], kinds["aws_access_key"]
            user = ctx.identity(address)
            name = user.name if user else address
            yield ctx.finding(
                "NHI404",
                login.loc,
                f"IAM user {name} has both a console password (people) and access keys (automation): "
                "split it into an SSO user for people and a role for the automation.",
                identity=user or IdentityRef("aws_iam_user", name),
                related=[Related(key.loc, f"access key of {name}")],
            )


# Terraform provider name -> platform of its remediation key (`terraform-gcp`)
PROVIDER_PLATFORMS = {
    "google": "gcp",
    "google-beta": "gcp",
    "azurerm": "azure",
    "azuread": "azure",
    "helm": "kubernetes",
}


def _names(attributes: str) -> str:
    """`access_key and secret_key` -> "`access_key` and `secret_key`"."""
    return " and ".join(f"`{name}`" for name in attributes.split(" and "))


@rule("NHI105")
def provider_static_credentials(ctx: RuleContext) -> Iterator[Finding]:
    for cfg in ctx.of(ProviderCredentials):
        how = "a literal value" if cfg.literal else "a variable (the secret still lives outside any TTL)"
        yield ctx.finding(
            "NHI105",
            cfg.loc,
            f'provider "{cfg.provider}" authenticates with static {_names(cfg.attribute)} from {how}: '
            "let it use the runner's federated (OIDC) identity instead.",
            identity=IdentityRef("terraform provider", cfg.provider),
            fix=f"terraform-{PROVIDER_PLATFORMS.get(cfg.provider, cfg.provider)}",
            severity="error" if cfg.literal else "warning",
            cause=provider_cause(cfg.provider),
            clause=f'provider "{cfg.provider}" configured with static credentials',
        )


@rule("NHI106")
def plaintext_secret_env(ctx: RuleContext) -> Iterator[Finding]:
    for env in ctx.of(EnvVar):
        if not env.value or not secrets.is_credential_name(env.name):
            continue
        if secrets.is_reference_or_placeholder(env.value, env.name) or secrets.detect(env.value, env.name):
            continue  # a reference is fine; a detected credential is already NHI101
        yield ctx.finding(
            "NHI106",
            env.loc,
            f"{env.workload} receives `{env.name}` as a plain literal ({secrets.redact(env.value)}): "
            "reference a secret store instead.",
            identity=IdentityRef("workload", env.workload),
        )
