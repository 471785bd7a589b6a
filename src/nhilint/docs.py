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
        f"Severity: **{check.severity}** · OWASP: **{check.owasp_title}** · "
        f"Formats: {', '.join(check.formats)}",
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


def rules_index(checks: list[Check]) -> str:
    rows = [f"| [{c.id}]({c.id}.md) | {c.slug} | {c.severity} | {c.owasp} | {c.summary} |" for c in checks]
    return (
        "\n".join(
            [
                "# Rules",
                "",
                "Generated from `checks/` by `scripts/generate_docs.py`; do not edit by hand.",
                "",
                "| ID | slug | severity | OWASP | what it finds |",
                "|---|---|---|---|---|",
                *rows,
            ]
        )
        + "\n"
    )


def config_reference(schema: dict) -> str:  # type: ignore[type-arg]
    lines = [
        "# Configuration reference",
        "",
        "Generated from `src/nhilint/schemas/config.schema.json`; do not edit by hand.",
        "",
        "nhilint reads the nearest `.nhilint.yaml` (or `.nhilint.yml`) or the `[tool.nhilint]` table of",
        "`pyproject.toml`, searching from the first scanned path upwards to the repository root.",
        "`--config FILE` names one explicitly. Command-line options win over the file.",
        "",
        "| key | type | meaning |",
        "|---|---|---|",
    ]
    for key, spec in schema["properties"].items():
        kind = spec.get("type") or " \\| ".join(f"`{v}`" for v in spec.get("enum", []))
        if kind == "array":
            kind = "list of strings"
        lines.append(f"| `{key}` | {kind} | {spec.get('description', '')} |")
    example = """
## Example

```yaml
# .nhilint.yaml
ignore: [NHI304]
severity:
  NHI301: error
exclude:
  - "examples/**"
fail-on: warning
owner-keys: [owner, team]
expiry-keys: [expires, review-by]
max-identity-lifetime-days: 180
max-credential-ttl-seconds: 3600
```

The same in `pyproject.toml`:

```toml
[tool.nhilint]
ignore = ["NHI304"]
severity = { NHI301 = "error" }
max-identity-lifetime-days = 180
```
"""
    return "\n".join(lines) + "\n" + example
