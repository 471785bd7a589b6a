"""Text output: grouped by file, one line per finding, a summary, colour only on request."""

from __future__ import annotations

import re

import pytest
import yaml

from nhilint import catalogue
from nhilint.facts import Loc
from nhilint.findings import Finding, IdentityRef, Related, ScanResult
from nhilint.report import render

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def load_check(rule_id: str) -> catalogue.Check:
    path = catalogue.checks_dir() / f"{rule_id}.yaml"
    return catalogue._to_check(yaml.safe_load(path.read_text(encoding="utf-8")))


def finding(file: str, line: int, col: int, severity: str = "error", **extra) -> Finding:
    nhi101 = load_check("NHI101")
    defaults = {
        "rule_id": "NHI101",
        "slug": "hardcoded-credential",
        "message": "AWS access key ID in aws_ssm_parameter.deploy_key (value AKIA****)",
        "suggestion": nhi101.suggestion("terraform"),
    }
    return Finding(severity=severity, loc=Loc(file, line, col), **{**defaults, **extra})


def sample_result() -> ScanResult:
    nhi001 = load_check("NHI001")
    findings = [
        finding(
            "infra/broken.tf",
            2,
            10,
            "warning",
            rule_id="NHI001",
            slug="parse-error",
            message="could not parse: unterminated string",
            suggestion=nhi001.suggestion(),
        ),
        finding(
            "infra/main.tf",
            3,
            11,
            identity=IdentityRef("aws_iam_user", "deploy"),
            related=[Related(Loc("infra/iam.tf", 12, 3), "the key belongs to aws_iam_user.deploy")],
        ),
        finding("infra/main.tf", 114, 5, message="GitHub token in env GH_TOKEN (value ghp_****)"),
        finding("k8s/secret.yaml", 7, 3, "warning", message="Slack token in data.token (value xoxb****)"),
        finding(
            "k8s/secret.yaml",
            9,
            3,
            message="Stripe key in data.stripe (value sk_l****)",
            suppression="test fixture",
        ),
        finding(
            "terraform/app.tf", 1, 1, message="GCP key in google_service_account_key.ci (value ----****)"
        ),
    ]
    return ScanResult(
        findings=findings, rules={"NHI001": nhi001, "NHI101": load_check("NHI101")}, files_scanned=12
    )


def test_plain_output_reads_like_a_linter():
    text = render(sample_result(), "text")
    assert text == (
        "infra/broken.tf\n"
        "  2:10  warning  NHI001 parse-error  could not parse: unterminated string\n"
        "        fix: Fix the syntax error at the reported line (the tool that deploys this file would"
        " reject it too), or exclude the file in `.nhilint.yaml` (`exclude: [path/glob]`) if it is not"
        " infrastructure code.\n"
        "\n"
        "infra/main.tf\n"
        "   3:11  error    NHI101 hardcoded-credential  AWS access key ID in"
        " aws_ssm_parameter.deploy_key (value AKIA****)\n"
        "         fix: Revoke the credential, then read it from a secret manager at apply time (or drop"
        " it in favour of workload identity) instead of writing it in the configuration.\n"
        "         identity: aws_iam_user deploy\n"
        "         related: infra/iam.tf:12:3  the key belongs to aws_iam_user.deploy\n"
        "  114:5  error    NHI101 hardcoded-credential  GitHub token in env GH_TOKEN (value ghp_****)\n"
        "         fix: Revoke the credential, then read it from a secret manager at apply time (or drop"
        " it in favour of workload identity) instead of writing it in the configuration.\n"
        "\n"
        "k8s/secret.yaml\n"
        "  7:3  warning  NHI101 hardcoded-credential  Slack token in data.token (value xoxb****)\n"
        "       fix: Revoke the credential, then read it from a secret manager at apply time (or drop it"
        " in favour of workload identity) instead of writing it in the configuration.\n"
        "\n"
        "terraform/app.tf\n"
        "  1:1  error    NHI101 hardcoded-credential  GCP key in google_service_account_key.ci"
        " (value ----****)\n"
        "       fix: Revoke the credential, then read it from a secret manager at apply time (or drop it"
        " in favour of workload identity) instead of writing it in the configuration.\n"
        "\n"
        "✖ 5 findings (3 errors, 2 warnings) in 4 of 12 files scanned · 1 suppressed\n"
    )


def test_no_colour_means_no_escape_codes():
    assert "\x1b" not in render(sample_result(), "text", color=False)


def test_colour_paints_severity_and_summary_without_changing_the_text():
    plain = render(sample_result(), "text", color=False)
    coloured = render(sample_result(), "text", color=True)
    assert ANSI.sub("", coloured) == plain
    assert "\x1b[31merror  \x1b[0m" in coloured
    assert "\x1b[33mwarning\x1b[0m" in coloured
    assert "\x1b[1;31m✖ 5 findings\x1b[0m" in coloured


def test_suppressed_findings_are_counted_not_listed():
    text = render(sample_result(), "text")
    assert "sk_l****" not in text
    assert text.endswith("· 1 suppressed\n")


@pytest.mark.parametrize(
    ("findings", "files", "summary"),
    [
        ([], 12, "✓ no findings in 12 files scanned\n"),
        ([], 1, "✓ no findings in 1 file scanned\n"),
        ([finding("a.tf", 1, 1, suppression="")], 3, "✓ no findings in 3 files scanned · 1 suppressed\n"),
        ([finding("a.tf", 1, 1, "note")], 1, "✖ 1 finding (1 note) in 1 of 1 file scanned\n"),
    ],
)
def test_summary_line(findings, files, summary):
    assert render(ScanResult(findings=findings, rules={}, files_scanned=files), "text").endswith(summary)


def test_clean_scan_is_only_the_summary_and_colours_green():
    result = ScanResult(findings=[], rules={}, files_scanned=4)
    assert render(result, "text") == "✓ no findings in 4 files scanned\n"
    assert render(result, "text", color=True).startswith("\x1b[1;32m✓\x1b[0m")


def test_terminal_control_characters_from_scanned_files_are_neutralised():
    hostile = finding("evil\x1b]0;pwned\x07.tf", 1, 1, message="token in resource \x1b[2Jx (value ghp_****)")
    text = render(ScanResult(findings=[hostile], rules={}, files_scanned=1), "text")
    assert "\x1b" not in text and "\x07" not in text
    assert "evil\\x1b]0;pwned\\x07.tf" in text
    assert "token in resource \\x1b[2Jx (value ghp_****)" in text


def test_unknown_format_is_one_clear_error():
    with pytest.raises(ValueError, match="unknown output format 'xml': choose one of text, json, sarif"):
        render(sample_result(), "xml")


def test_line_breaks_and_bidi_in_names_cannot_forge_lines():
    hostile = finding(
        "::error::x.tf",
        1,
        1,
        message="token in a\n::add-mask::b\r✓ no findings in 1 file scanned\u2028c\u202ed (value ghp_****)",
        identity=IdentityRef("aws_iam_user", "u\n::stop-commands::t\t\u2066"),
        related=[Related(Loc("r\n.tf", 2, 1), "m\n::error::z")],
    )
    text = render(ScanResult(findings=[hostile], rules={}, files_scanned=1), "text")
    lines = text.split("\n")
    assert len(lines) == 8 and len(text.splitlines()) == 7  # file, finding, fix, identity, related, summary
    assert lines[0] == "\\x3a:error::x.tf"
    assert all(not line.lstrip().startswith(("::", "✓")) for line in lines)
    assert "c\\u202ed" in text and "t\\x09\\u2066" in text and "r\\x0a.tf" in text
