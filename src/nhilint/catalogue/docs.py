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
        + "".join(f"OWASP MCP: **{title}** · " for title in check.owasp_mcp_titles)
        + f"Formats: {', '.join(check.formats)}"
        + _fix(check),
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


def _fix(check: Check) -> str:
    """` · Fix: **safe** (`nhilint fix`)` for a rule `nhilint fix` can fix (docs/fixes.md), else nothing."""
    if check.fix is None:
        return ""
    command = "nhilint fix" if check.fix == "safe" else "nhilint fix --unsafe-fixes"
    return f" · Fix: **{check.fix}** (`{command}`, [fixes](../fixes.md))"


def _owasp(check: Check) -> str:
    """The OWASP NHI Top 10 item, then any OWASP MCP Top 10 items: `NHI2, MCP01:2025`."""
    return ", ".join((check.owasp, *check.owasp_mcp))


def rules_index(checks: list[Check]) -> str:
    rows = [f"| [{c.id}]({c.id}.md) | {c.slug} | {c.severity} | {_owasp(c)} | {c.summary} |" for c in checks]
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
        "Generated from `src/nhilint/catalogue/schemas/config.schema.json`; do not edit by hand.",
        "",
        "Each file is judged by the nearest `.nhilint.yaml` (or `.nhilint.yml`) or `[tool.nhilint]` table",
        "of `pyproject.toml` between its directory and the repository root, so a subdirectory can have",
        "its own, and `scan a b`, `scan b a` and the pre-commit hook (which passes files in no fixed",
        "order) judge every file the same way. Configuration never comes from outside the repository.",
        "`--config FILE` names one for every file. `--select`, `--ignore` and `--fail-on` win over the",
        "file. The same resolution serves `scan`, the pre-commit hooks, `audit`, `inventory` and the",
        "checkov bridge.",
        "",
        "A rule ID or prefix that names no rule (in `select`, `ignore`, `severity`, or on the command",
        "line) is an error with the closest valid one, never a silent no-op. So is a selection that",
        "turns every rule off (`--ignore NHI`, or `select` and `ignore` that cancel out): `scan` and",
        "`fix` exit 2 rather than pass with no rule run.",
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
fix:                      # values `nhilint fix` writes (docs/fixes.md)
  owner: team-platform
  expires-in-days: 90
```

The same in `pyproject.toml`:

```toml
[tool.nhilint]
ignore = ["NHI304"]
severity = { NHI301 = "error" }
max-identity-lifetime-days = 180
```

## What is not scanned, and why

Every file under the scanned paths with a suffix nhilint reads (`.tf`, `.tf.json`, `.tofu`,
`.tofu.json`, `.tfvars`, `.tfvars.json`, `.yaml`, `.yml`, `.json`, `.template`) is either scanned
or counted, by reason, in a line before the summary (`--verbose` lists each one on standard error):

* `excluded (exclude)`: matched by an `exclude` glob;
* `skipped directory (skip-directories)`: inside a directory listed in `skip-directories`
  (listed once per directory);
* `not a format nhilint reads`: YAML or JSON that is neither a Kubernetes object (a mapping with
  `apiVersion` and `kind`), a CloudFormation template (`AWSTemplateFormatVersion`, or `Resources`
  of `AWS::` types), a GitHub workflow or action, nor a GitLab CI file. A GitHub workflow is
  recognised by its content wherever it lives (`workflow-templates/`, starter-workflow
  repositories, nested folders): a mapping with `on:` and `jobs:` whose jobs have `runs-on`,
  `steps` or `uses`; a composite action by its name `action.yml` with `runs:`. A GitLab CI file is
  `.gitlab-ci.yml` (or `*.gitlab-ci.yml`), a file under `.gitlab/ci/`, a file a pipeline pulls in
  with `include: local`, or any YAML with a top-level job that has both `stage:` and `script:`
  (a fragment whose parent defines the stages). An Azure Pipelines file is `azure-pipelines.yml`
  (or `azure-pipelines-*.yml`, `*.azure-pipelines.yml`), a file under `.azure-pipelines/`, a local
  template a pipeline references, or any YAML with a top-level `trigger:` or `pr:` and `stages:`,
  `jobs:`, `steps:` or `extends:` ([Azure Pipelines](ci/azure-pipelines.md)). A CircleCI file is
  a YAML file directly under `.circleci/` (`config.yml`, `continue_config.yml`;
  [CircleCI](ci/circleci.md)). A Bitbucket Pipelines file is `bitbucket-pipelines.yml`, the one
  name Bitbucket reads ([Bitbucket Pipelines](ci/bitbucket-pipelines.md)). A file named on the
  command line also gets a line of its own on standard error;
* `unrendered template`: a file under a Helm chart's `templates/` (beside a `Chart.yaml`), or YAML
  that only parses once its `{{ }}` actions are rendered. Its literal `key: value` lines still go
  through the credential detectors (NHI101); render it (`helm template`) and scan the output to
  judge the rest;
* `includes not read: ...`, `reusable workflows not read: ...`, `templates not read: ...`: a CI
  file that pulls in what nhilint cannot read (a GitLab `include:` of another project, a remote URL,
  a GitLab template or a component; a job that calls another repository's reusable workflow,
  `uses: owner/repo/.github/workflows/x.yml@ref`; an Azure template `x.yml@repository`). The file
  itself is judged; what it pulls in is not, so the file is counted here too;
* `unreadable, and not a known format by name`, `symbolic link (not followed)`, `not a regular file`.

What the scanned code uses is read wherever it lives, even in a skipped directory or outside the
scanned paths, but never outside its repository (the scan root outside a repository) or through a
symbolic link: the local modules a Terraform module calls (`source = "./..."` or `"../..."`,
relative to the calling module's directory, transitively), and the files a GitLab pipeline names
with `include: local` (relative to the pipeline's repository root, or to the directory of the root
`.gitlab-ci.yml` outside a repository; a glob matches only files the walk found). `exclude` still
applies to them.

A scan whose configuration excludes every candidate file under the given paths is an error
(exit 2), not a green result.

Kubernetes objects are read by API group as well as kind: a `ServiceAccount`, `Secret` or `Pod`
only with `apiVersion: v1`, RBAC kinds only in `rbac.authorization.k8s.io`, workloads only in
`apps`/`extensions`/`batch` (a `talos.dev/v1alpha1` ServiceAccount or a CRD reusing a kind name is
not one). A manifest listed in the `resources:` of the `kustomization.yaml` beside it takes that
kustomization's `namespace:`, as `kustomize build` would give it (identity names, NHI402 sharing).

## Tests, fixtures, examples and docs

Code under a directory named in `non-production-paths` (by default `test`, `tests`, `testdata`,
`test-data`, `e2e`, `fixtures`, `examples`, `example`, `samples`, `sample`, `docs`) is not what is
deployed: its findings are reported as notes that never fail the scan, whatever `fail-on` says, and
the summary counts them (`non_production` in [JSON](json-output.md)). Hardcoded credentials are the
exception: NHI101 keeps its level, because a real key committed to a test file is leaked all the
same (a provider block with literal keys therefore still fails, through its NHI101). A key resource
(NHI102) or a provider reading keys from a variable (NHI105) leaks nothing until someone applies
that test configuration, so they are notes there like the rest.
What production deploys is production wherever it lives: a Terraform local module a production
module calls (`source = "./examples/admin"`), a GitLab file a production pipeline includes, the
`resources:` of a production kustomization (each transitively), and a finding with a related
location in production (a module judged for a production caller) keep their level. The reverse
holds too: a finding a reusable module gets for one call (the role it declares, judged with the tags
or policy that call passes) takes that caller's status, not the module file's: the module's finding
for a call under `examples/` is a note, the one for a root module's call keeps its level.

A name matches a whole directory name, case-insensitively (`contests/` is not `tests/`), and only
*below the path you scan*: `nhilint scan .` treats a repository's `tests/` as test data, while
`nhilint scan tests/` or `nhilint scan tests/main.tf` judges what you named as production. Set
`non-production-paths: []` to treat every path as production, or list your own names.

## Configuration in pull requests

Configuration is code that decides what the check reports, and it lives in the repository the
check judges: a pull request that adds `exclude: ["**"]`, `ignore: [NHI1]` or
`severity: {NHI101: note}`, anywhere in the tree since configuration resolves per directory, would
pass its own check. The GitHub Action therefore fails the step when a pull request changes any
`.nhilint.yaml`/`.nhilint.yml`, the `[tool.nhilint]` table of any `pyproject.toml`, or the `config`
and `baseline` files it was given, unless `allow-config-changes: true`; see
[GitHub Actions](github-actions.md#a-pull-request-cannot-turn-the-check-off). In other CI systems,
do the same, or scan with `--config` pointing at a copy taken from the target branch (it then
applies to every file). nhilint never reads configuration from outside the repository, and the
pre-commit hook trusts the working tree: it is the developer's own.
"""
    return "\n".join(lines) + "\n" + example
