"""NHI106 plaintext-secret-env: A workload receives a credential-named environment variable as a plain
literal."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import EnvVar
from nhilint.findings import Finding, IdentityRef
from nhilint.knowledge import credential_names, redaction, secrets
from nhilint.rules import RuleContext, rule


@rule("NHI106")
def plaintext_secret_env(ctx: RuleContext) -> Iterator[Finding]:
    for env in ctx.of(EnvVar):
        if not env.value or not credential_names.is_credential_name(env.name):
            continue
        if credential_names.is_reference_or_placeholder(env.value, env.name) or secrets.detect(
            env.value, env.name
        ):
            continue  # a reference is fine; a detected credential is already NHI101
        yield ctx.finding(
            "NHI106",
            env.loc,
            f"{env.workload} receives `{env.name}` as a plain literal ({redaction.redact(env.value)}): "
            "reference a secret store instead.",
            identity=IdentityRef("workload", env.workload),
        )
