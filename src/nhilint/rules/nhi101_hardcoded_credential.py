"""NHI101 hardcoded-credential: A credential is written into infrastructure code, where everyone with
read access can use it."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import StringValue
from nhilint.findings import Finding, IdentityRef
from nhilint.fold import literal_cause
from nhilint.knowledge import redaction, secrets
from nhilint.rules import RuleContext, rule

HOLDER_KIND = {
    "terraform": "terraform resource",
    "cloudformation": "cloudformation resource",
    "kubernetes": "kubernetes object",
    "github-actions": "workflow",
    "gitlab-ci": "pipeline",
    "helm-template": "template",
    "mcp": "mcp-server",  # a value outside every server (a Continue model's apiKey) is the file's
}


@rule("NHI101")
def hardcoded_credential(ctx: RuleContext) -> Iterator[Finding]:
    for value in ctx.of(StringValue):
        detection = secrets.detect(value.value, value.key)
        if detection is None:
            continue
        fmt = ctx.format_of(value.loc)
        kind = HOLDER_KIND.get(fmt, "file") if value.identity or fmt != "mcp" else "file"
        holder = IdentityRef(kind, value.identity or value.loc.file)
        yield ctx.finding(
            "NHI101",
            value.loc,
            f"{detection.kind} hardcoded in `{value.path}`{_of(holder.name, value.loc.file)} "
            f"(value {redaction.redact(value.value[detection.start : detection.end] or value.value)}): "
            "revoke it and load it at run time instead.",
            identity=holder,
            fix=fmt,
            cause=literal_cause(ctx, value),
            clause=f"hardcoded {detection.kind}",
        )


def _of(holder: str, file: str) -> str:
    """` of aws_ssm_parameter.x`: the resource holding the value; nothing when that is only the file
    (every report already shows the finding's file)."""
    return "" if holder == file else f" of {holder}"
