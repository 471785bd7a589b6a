"""SARIF output: structure GitHub code scanning relies on, validated by Microsoft's SARIF Multitool."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import msgspec
import pytest
import yaml

from nhilint import __version__, catalogue
from nhilint.facts import Loc
from nhilint.findings import Finding, IdentityRef, Related, ScanResult
from nhilint.report import render
from nhilint.report.sarif import pascal_case

from .conftest import missing_tool

REPO = Path(__file__).resolve().parents[1]


def load_check(rule_id: str) -> catalogue.Check:
    path = catalogue.checks_dir() / f"{rule_id}.yaml"
    return catalogue._to_check(yaml.safe_load(path.read_text(encoding="utf-8")))


def sample_result() -> ScanResult:
    nhi001, nhi101 = load_check("NHI001"), load_check("NHI101")
    findings = [
        Finding(
            rule_id="NHI001",
            slug="parse-error",
            severity="warning",
            message='main.tf could not be parsed: unterminated string "deploy',
            loc=Loc("infra/broken/main.tf", 2, 10),
            suggestion=nhi001.suggestion(),
            fingerprint="3c1f0a9e52d7b6a4:1",
        ),
        Finding(
            rule_id="NHI101",
            slug="hardcoded-credential",
            severity="error",
            message="AWS access key ID in aws_ssm_parameter.deploy_key (value AKIA****)",
            loc=Loc("infra/main.tf", 3, 11),
            identity=IdentityRef("aws_iam_user", "deploy"),
            suggestion=nhi101.suggestion("terraform"),
            related=[Related(Loc("infra/iam.tf", 12, 3), "the key belongs to aws_iam_user.deploy")],
            fingerprint="9b2e47d1c0a85f36:1",
        ),
        Finding(
            rule_id="NHI101",
            slug="hardcoded-credential",
            severity="error",
            message="Slack bot token in Secret app/slack data.token (value xoxb****)",
            loc=Loc("k8s/slack secret.yaml", 7, 3, end_line=8),
            suggestion=nhi101.suggestion("kubernetes"),
            fingerprint="",
            suppression="test fixture for the alerting integration, revoked",
        ),
    ]
    return ScanResult(findings=findings, rules={"NHI101": nhi101, "NHI001": nhi001}, files_scanned=12)


def sarif(result: ScanResult) -> dict:
    return json.loads(render(result, "sarif"))


def test_log_header_and_run_shape():
    log = sarif(sample_result())
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["semanticVersion"]) == ("nhilint", __version__)
    assert run["automationDetails"] == {"id": "nhilint/"}
    assert run["columnKind"] == "utf16CodeUnits"
    assert "%SRCROOT%" in run["originalUriBaseIds"]


def test_rules_come_from_the_catalogue_sorted_by_id():
    rules = sarif(sample_result())["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["NHI001", "NHI101"]
    rule = rules[1]
    nhi101 = load_check("NHI101")
    assert rule["name"] == "HardcodedCredential"
    assert rule["shortDescription"]["text"] == nhi101.summary
    assert rule["fullDescription"]["text"].startswith("A key, token or password committed")
    assert len(rule["fullDescription"]["text"]) <= 1024
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"] == {
        "tags": ["security", "OWASP-NHI2", "OWASP-MCP01:2025", "static-credentials"],
        "security-severity": "8.0",
        "precision": "high",
    }
    assert rules[0]["properties"]["security-severity"] == "5.0"  # NHI001 is a warning: medium


def test_rule_help_has_rationale_fix_snippets_and_owasp():
    markdown = sarif(sample_result())["runs"][0]["tool"]["driver"]["rules"][1]["help"]["markdown"]
    assert "## Fix" in markdown
    assert "### Terraform" in markdown and "### GitLab CI" in markdown
    assert '```hcl\ndata "aws_secretsmanager_secret_version" "db" {' in markdown
    assert markdown.count("```") % 2 == 0
    assert markdown.endswith(
        "OWASP Non-Human Identities Top 10: **NHI2:2025 Secret Leakage**\n\n"
        "OWASP MCP Top 10: **MCP01:2025 Token Mismanagement & Secret Exposure**"
    )
    text = sarif(sample_result())["runs"][0]["tool"]["driver"]["rules"][0]["help"]["text"]
    assert 'exclude:\n  - "test-data/broken/**"' in text


def test_owasp_mcp_items_are_tags_and_help_of_the_rules_that_have_them():
    nhi107, nhi001 = load_check("NHI107"), load_check("NHI001")
    rules = sarif(ScanResult(findings=[], rules={"NHI107": nhi107, "NHI001": nhi001}))["runs"][0]["tool"]
    by_id = {r["id"]: r for r in rules["driver"]["rules"]}
    assert by_id["NHI107"]["properties"]["tags"] == [
        "security", "OWASP-NHI10", "OWASP-MCP02:2025", "OWASP-MCP07:2025", "static-credentials"
    ]  # fmt: skip
    assert by_id["NHI107"]["help"]["text"].endswith(
        "OWASP MCP Top 10: MCP02:2025 Privilege Escalation via Scope Creep, "
        "MCP07:2025 Insufficient Authentication & Authorization"
    )
    assert not any("MCP" in tag for tag in by_id["NHI001"]["properties"]["tags"])
    assert "OWASP MCP" not in by_id["NHI001"]["help"]["markdown"]


def test_result_location_level_message_and_fingerprint():
    result = sarif(sample_result())["runs"][0]["results"][1]
    assert (result["ruleId"], result["ruleIndex"], result["level"]) == ("NHI101", 1, "error")
    assert result["message"]["text"].startswith(
        "AWS access key ID in aws_ssm_parameter.deploy_key (value AKIA****). Fix: Revoke the credential,"
    )
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 11, "endLine": 3},
            }
        }
    ]
    assert result["partialFingerprints"] == {"primaryLocationLineHash": "9b2e47d1c0a85f36:1"}
    assert "suppressions" not in result


def test_related_locations_have_ids_messages_and_links_in_the_message():
    result = sarif(sample_result())["runs"][0]["results"][1]
    assert result["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "infra/iam.tf", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 12, "startColumn": 3, "endLine": 12},
            },
            "message": {"text": "the key belongs to aws_iam_user.deploy"},
        }
    ]
    assert result["message"]["text"].endswith("Related: [the key belongs to aws_iam_user.deploy](1).")


def test_suppressed_finding_is_kept_with_an_in_source_suppression():
    result = sarif(sample_result())["runs"][0]["results"][2]
    assert result["suppressions"] == [
        {"kind": "inSource", "justification": "test fixture for the alerting integration, revoked"}
    ]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["endLine"] == 8
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k8s/slack%20secret.yaml"


def test_missing_fingerprint_falls_back_to_a_stable_hash_of_rule_file_and_message():
    first = sarif(sample_result())["runs"][0]["results"][2]["partialFingerprints"]["primaryLocationLineHash"]
    moved = sample_result()
    moved.findings[2].loc = Loc("k8s/slack secret.yaml", 40, 3)
    second = sarif(moved)["runs"][0]["results"][2]["partialFingerprints"]["primaryLocationLineHash"]
    assert first and first == second
    renamed = sample_result()
    renamed.findings[2].loc = Loc("k8s/other.yaml", 7, 3)
    assert sarif(renamed)["runs"][0]["results"][2]["partialFingerprints"]["primaryLocationLineHash"] != first


def test_messages_are_copied_verbatim_so_only_the_redacted_secret_appears():
    text = render(sample_result(), "sarif")
    assert "AKIA****" in text and "xoxb****" in text
    assert "AKIAZ7VRSQ4IEXFDJ2QM" not in text  # the catalogue example's key never reaches the log


def test_literal_brackets_in_messages_are_escaped_for_sarif_embedded_links():
    result = sample_result()
    result.findings[1].message = 'policy allows Action ["*"] on Resource ["*"]'
    text = sarif(result)["runs"][0]["results"][1]["message"]["text"]
    assert text.startswith('policy allows Action \\["*"\\] on Resource \\["*"\\]. Fix:')


def test_output_is_deterministic():
    assert render(sample_result(), "sarif") == render(sample_result(), "sarif")
    assert render(sample_result(), "sarif").endswith("}\n")


def test_pascal_case_of_slugs():
    assert pascal_case("static-ci-cloud-credentials") == "StaticCiCloudCredentials"
    assert pascal_case("parse-error") == "ParseError"


# --- SARIF Multitool ------------------------------------------------------------------------------


def multitool() -> list[str] | None:
    """The command that runs the Multitool, or None when it is not installed. SARIF_MULTITOOL, when set,
    is the only place looked at."""
    if "SARIF_MULTITOOL" in os.environ:
        candidates = [os.environ["SARIF_MULTITOOL"]]
    else:
        candidates = [shutil.which("sarif-multitool"), str(REPO / ".ci/node_modules/.bin/sarif-multitool")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return [candidate]
    return None


def validate(tmp_path: Path, sarif_text: str) -> list[dict]:
    """Run `sarif-multitool validate` (SARIF schema + spec rules + GitHub ingestion rules) and return
    its error and warning results as {rule, level, where} dicts."""
    command = multitool()
    if command is None:
        missing_tool("SARIF Multitool not installed: npm install --prefix .ci @microsoft/sarif-multitool")
    log, out = tmp_path / "nhilint.sarif", tmp_path / "validation.sarif"
    log.write_text(sarif_text, encoding="utf-8")
    args = ["validate", str(log), "--rule-kind", "Sarif;Gh", "--output", str(out), "--log", "ForceOverwrite"]
    if Path(command[0]).resolve().suffix == ".js":
        args = [shlex.quote(a) for a in args]  # the npm wrapper re-parses its arguments with a shell
    proc = subprocess.run(command + args, capture_output=True, text=True, check=False)
    assert out.is_file(), (
        f"sarif-multitool wrote no log (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"
    )
    run = json.loads(out.read_text(encoding="utf-8"))["runs"][0]
    names = {r["id"]: r.get("name", "") for r in run["tool"]["driver"].get("rules", [])}
    return [
        {
            "rule": f"{r['ruleId']} {names.get(r['ruleId'], '')}",
            "level": r.get("level", "warning"),
            "where": r["message"].get("arguments", []),
        }
        for r in run.get("results", [])
        if r.get("level", "warning") in ("error", "warning")
    ]


@pytest.mark.slow
def test_multitool_finds_no_errors_or_warnings(tmp_path):
    problems = validate(tmp_path, render(sample_result(), "sarif"))
    assert problems == [], json.dumps(problems, indent=2)


@pytest.mark.slow
def test_multitool_accepts_a_clean_scan(tmp_path):
    problems = validate(tmp_path, render(ScanResult(findings=[], rules={}, files_scanned=3), "sarif"))
    assert problems == [], json.dumps(problems, indent=2)


@pytest.mark.slow
def test_multitool_does_flag_a_rule_without_help(tmp_path):
    """Guards the two tests above: the validator really runs GitHub's ingestion rules."""
    log = sarif(sample_result())
    del log["runs"][0]["tool"]["driver"]["rules"][0]["help"]
    problems = validate(tmp_path, json.dumps(log))
    assert any(p["level"] == "error" and p["rule"].startswith("GH") for p in problems), problems


def test_long_descriptions_are_cut_at_a_word_within_githubs_limit():
    nhi101 = msgspec.structs.replace(load_check("NHI101"), rationale="credential " * 200)
    result = ScanResult(findings=[], rules={"NHI101": nhi101})
    full = sarif(result)["runs"][0]["tool"]["driver"]["rules"][0]["fullDescription"]["text"]
    assert len(full) <= 1024 and full.endswith("credential…")
