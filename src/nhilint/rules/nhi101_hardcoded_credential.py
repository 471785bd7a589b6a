"""NHI101 hardcoded-credential: A credential is written into infrastructure code, where everyone with
read access can use it."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import CiAuth, CiSecretUse, StringValue
from nhilint.findings import Finding, IdentityRef
from nhilint.knowledge import redaction, secrets
from nhilint.rules import RuleContext, rule
from nhilint.rules._shared import ci_login_cause, ci_variable_cause, provider_cause

# Cloud-key names as a CI job writes them in `env:`/`variables:` or as a login action's input.
_CLOUD_KEYS = {
    "AWS_ACCESS_KEY_ID": "aws",
    "AWS_SECRET_ACCESS_KEY": "aws",
    "AWS_SESSION_TOKEN": "aws",
    "GOOGLE_CREDENTIALS": "gcp",
    "GCLOUD_SERVICE_KEY": "gcp",
    "CREDENTIALS_JSON": "gcp",
    "ARM_CLIENT_SECRET": "azure",
    "AZURE_CLIENT_SECRET": "azure",
    "ARM_CLIENT_CERTIFICATE_PASSWORD": "azure",
    "CREDS": "azure",
}


@rule("NHI101")
def hardcoded_credential(ctx: RuleContext) -> Iterator[Finding]:
    # the same value under the same name recurs across files (a repository's repeated settings: 52,719
    # strings, 14,306 distinct, in the evaluation repositories): each is detected once
    detected: dict[tuple[str, str], secrets.Detection | None] = {}
    for value in ctx.of(StringValue):
        pair = (value.value, value.key)
        if pair not in detected:
            detected[pair] = secrets.detect(value.value, value.key)
        detection = detected[pair]
        if detection is None:
            continue
        fmt = ctx.format_of(value.loc)
        nouns = ctx.nouns if value.identity else ctx.loose_nouns
        holder = IdentityRef(nouns.get(fmt, "file"), value.identity or value.loc.file)
        yield ctx.finding(
            "NHI101",
            value.loc,
            f"{detection.kind} hardcoded in `{value.path}`{_of(holder.name, value.loc.file)} "
            f"(value {redaction.redact(value.value[detection.start : detection.end] or value.value)}): "
            "revoke it and load it at run time instead.",
            identity=holder,
            fix=fmt,
            cause=_literal_cause(ctx, value),
            clause=f"hardcoded {detection.kind}",
        )


def _of(holder: str, file: str) -> str:
    """` of aws_ssm_parameter.x`: the resource holding the value; nothing when that is only the file
    (every report already shows the finding's file)."""
    return "" if holder == file else f" of {holder}"


def _literal_cause(ctx: RuleContext, value: StringValue) -> str | None:
    """The root cause a hardcoded credential (NHI101) shares with another rule's finding, if any."""
    if value.identity and value.identity.startswith("provider."):
        return provider_cause(value.identity.removeprefix("provider.").split(".")[0])
    logins = ctx.literal_logins.get(ctx.format_of(value.loc))
    if logins == "line":  # written on the login's own line (a Bitbucket pipe's key variable)
        return next(
            (
                ci_login_cause(a.job, a.cloud)
                for a in ctx.of(CiAuth)
                if a.method == "static" and a.loc.file == value.loc.file and a.loc.line == value.loc.line
            ),
            None,
        )
    if logins != "job":
        return None
    cloud = _CLOUD_KEYS.get(value.key.upper().replace("-", "_"))
    for auth in ctx.of(CiAuth):
        if auth.method == "static" and auth.cloud == cloud and auth.loc.file == value.loc.file:
            prefixes = (f"jobs.{auth.job}.", f"{auth.job}.") if auth.job else ("env.", "variables.")
            if value.path.startswith(prefixes):
                return ci_login_cause(auth.job, auth.cloud)
    for use in ctx.of(CiSecretUse):
        where = f"variables.{use.secret}"
        if use.usage == "global-variable" and use.loc.file == value.loc.file and value.path == where:
            return ci_variable_cause(use.secret)
    return None
