"""JSON output: the documented, versioned schema (src/nhilint/catalogue/schemas/report.schema.json)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from nhilint import __version__, catalogue
from nhilint.facts import Loc
from nhilint.findings import Finding, IdentityRef, Related, ScanResult
from nhilint.report import render


def load_check(rule_id: str) -> catalogue.Check:
    path = catalogue.checks_dir() / f"{rule_id}.yaml"
    return catalogue._to_check(yaml.safe_load(path.read_text(encoding="utf-8")))


def sample_result() -> ScanResult:
    nhi001, nhi101 = load_check("NHI001"), load_check("NHI101")
    findings = [
        Finding(
            rule_id="NHI101",
            slug="hardcoded-credential",
            severity="error",
            message="GitHub token in env GH_TOKEN of job release (value ghp_****)",
            loc=Loc(".github/workflows/release.yml", 18, 19),
            suggestion=nhi101.suggestion("github-actions"),
            related=[Related(Loc(".github/workflows/nightly.yml", 9, 19), "the same token is used here")],
            fingerprint="5d0c2b7e91f4a3e8:1",
        ),
        Finding(
            rule_id="NHI001",
            slug="parse-error",
            severity="warning",
            message="could not parse: mapping values are not allowed here",
            loc=Loc("k8s/broken.yaml", 4, 9, end_line=5),
            fingerprint="b6a1e0f2c3d48597:1",
        ),
        Finding(
            rule_id="NHI101",
            slug="hardcoded-credential",
            severity="error",
            message="AWS secret access key in provider aws (value wJal****)",
            loc=Loc("infra/providers.tf", 3, 16),
            identity=IdentityRef("aws_iam_user", "terraform"),
            suggestion=nhi101.suggestion("terraform"),
            fingerprint="0e9f8a7b6c5d4e3f:1",
            suppression="sandbox account, key revoked 2025-01-10",
        ),
    ]
    return ScanResult(findings=findings, rules={"NHI001": nhi001, "NHI101": nhi101}, files_scanned=7)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((resources.files("nhilint.catalogue") / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(validator: jsonschema.Draft202012Validator, document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_output_matches_the_schema(validator):
    assert errors(validator, json.loads(render(sample_result(), "json"))) == []


def test_empty_scan_matches_the_schema(validator):
    document = json.loads(render(ScanResult(findings=[], rules={}, files_scanned=0), "json"))
    assert errors(validator, document) == []
    assert document["findings"] == []


def test_schema_rejects_what_it_should(validator):
    document = json.loads(render(sample_result(), "json"))
    document["findings"][0]["severity"] = "critical"
    document["findings"][1]["suppression_reason"] = "suppressed: false needs a null reason"
    del document["summary"]["suppressed"]
    assert len(errors(validator, document)) == 3


def test_header_and_summary():
    document = json.loads(render(sample_result(), "json"))
    assert document["version"] == "1"
    assert document["tool"] == {"name": "nhilint", "version": __version__}
    assert document["summary"] == {
        "total": 2,
        "errors": 1,
        "warnings": 1,
        "notes": 0,
        "files_scanned": 7,
        "files_with_findings": 2,
        "suppressed": 1,
        "non_production": 0,
        "baseline_stale": 0,
        "files_skipped": 0,
        "internal_errors": 0,
    }
    assert (document["skipped"], document["internal_errors"]) == ({}, [])


def test_finding_fields_in_a_fixed_order():
    finding = json.loads(render(sample_result(), "json"))["findings"][0]
    assert finding == {
        "rule_id": "NHI101",
        "slug": "hardcoded-credential",
        "severity": "error",
        "message": "GitHub token in env GH_TOKEN of job release (value ghp_****)",
        "file": ".github/workflows/release.yml",
        "line": 18,
        "column": 19,
        "end_line": 18,
        "identity": None,
        "suggestion": {
            "text": load_check("NHI101").remediation["github-actions"].text,
            "snippet": "env:\n  API_TOKEN: ${{ secrets.API_TOKEN }}\n",
            "language": "yaml",
        },
        "related": [
            {
                "file": ".github/workflows/nightly.yml",
                "line": 9,
                "column": 19,
                "message": "the same token is used here",
            }
        ],
        "fingerprint": "5d0c2b7e91f4a3e8:1",
        "also": [],
        "non_production": False,
        "owasp": "NHI2",
        "suppressed": False,
        "suppression_reason": None,
        "fix": None,
    }
    assert list(finding) == list(json.loads(render(sample_result(), "json"))["findings"][2])


def test_finding_without_suggestion_and_with_end_line():
    finding = json.loads(render(sample_result(), "json"))["findings"][1]
    assert (finding["suggestion"], finding["end_line"], finding["owasp"]) == (None, 5, "NHI6")


def test_suppressed_finding_is_listed_and_flagged():
    finding = json.loads(render(sample_result(), "json"))["findings"][2]
    assert finding["suppressed"] is True
    assert finding["suppression_reason"] == "sandbox account, key revoked 2025-01-10"
    assert finding["identity"] == {"kind": "aws_iam_user", "name": "terraform"}


def test_deterministic_indented_with_trailing_newline():
    text = render(sample_result(), "json")
    assert text == render(sample_result(), "json")
    assert text.startswith('{\n  "version": "1",\n  "tool": {')
    assert text.endswith("}\n") and not text.endswith("\n\n")


def test_the_documented_example_matches_the_schema(validator):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "json-output.md").read_text(encoding="utf-8")
    example = json.loads(doc.split("```json\n", 1)[1].split("\n```", 1)[0])
    assert errors(validator, example) == []
    assert list(example["findings"][0]) == list(json.loads(render(sample_result(), "json"))["findings"][0])
