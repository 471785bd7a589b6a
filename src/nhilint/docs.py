"""Rule documentation rendered from the catalogue (used by `nhilint explain`, docs/rules/, SARIF)."""

from __future__ import annotations

from nhilint.catalogue import Check

FENCE = {"hcl": "hcl", "yaml": "yaml", "json": "json", "shell": "shell"}


def _fence(code: str, language: str) -> str:
    return f"```{FENCE.get(language, '')}\n{code.rstrip()}\n```"


def _language(filename: str) -> str:
    if filename.endswith((".tf", ".tfvars")):
        return "hcl"
    if filename.endswith(".json"):
        return "json"
    return "yaml"


def rule_markdown(check: Check) -> str:
    """The four parts every rule page has: what it does, why it is bad, example, use instead."""
    parts = [
        f"# {check.id} {check.slug}",
        f"Severity: **{check.severity}** · OWASP: **{check.owasp_title}** · Formats: {', '.join(check.formats)}",
        "## What it does",
        check.summary,
        "## Why is this bad?",
        check.rationale,
    ]
    fail = next((e for e in check.examples if e.expect == "fail"), None)
    if fail:
        parts += ["## Example", f"`{fail.filename}`:", _fence(fail.code, _language(fail.filename))]
    parts.append("## Use instead")
    for key, suggestion in check.remediation.items():
        heading = "" if key == "default" else f"**{key}**: "
        parts.append(heading + suggestion.text)
        if suggestion.snippet:
            parts.append(_fence(suggestion.snippet, suggestion.language))
    return "\n\n".join(parts) + "\n"
