"""What a careless user does with the CLI (wave C red team): each case through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def _scan(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", "--no-cache", *args],
        input=stdin,
        cwd=cwd,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "piped",
    [
        pytest.param(b"", id="empty: terraform show failed before the pipe"),
        pytest.param(
            b"Error: Failed to read the given file as a state or plan file\n", id="an error message"
        ),
        pytest.param(b"replicaCount: 2\nimage: nginx\n", id="YAML of no format"),
    ],
)
def test_scan_stdin_that_holds_no_document_is_never_a_pass(tmp_path: Path, piped: bytes) -> None:
    """`terraform show -json tfplan | nhilint scan -` in a CI step without pipefail: when terraform
    fails, the gate must not pass on an empty (or foreign) stream."""
    result = _scan(tmp_path, "-f", "sarif", "-", stdin=piped)
    assert result.returncode == 1, result.stderr
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results
    ] == [("NHI001", "-")]
    assert "standard input" in results[0]["message"]["text"]


@pytest.mark.parametrize(
    ("written", "meant"), [("scan_plans: true", "scan-plans"), ("failOn: error", "fail-on")]
)
def test_a_misspelt_configuration_key_names_the_key_meant(tmp_path: Path, written: str, meant: str) -> None:
    (tmp_path / ".nhilint.yaml").write_text(written + "\n")
    result = _scan(tmp_path, ".")
    assert result.returncode == 2
    assert f"did you mean '{meant}'?" in result.stderr.decode()


def test_scan_stdin_when_it_is_closed_says_so(tmp_path: Path) -> None:
    """`nhilint scan - <&-` (a CI step with no input at all): refused, naming what standard input is."""
    import os

    result = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", "--no-cache", "-"],
        preexec_fn=lambda: os.close(0),  # the child's stdin alone, before exec
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "standard input, closed here" in result.stderr.decode()


AZURE_PIPELINE = "trigger: [main]\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - template: {ref}\n"
AZURE_DEPLOY_TEMPLATE = """\
steps:
  - script: aws s3 sync build s3://releases
    env:
      AWS_ACCESS_KEY_ID: $(awsKeyId)
      AWS_SECRET_ACCESS_KEY: $(awsSecretKey)
"""


def test_an_azure_template_named_at_self_is_read_from_the_repository_root(tmp_path: Path) -> None:
    """`x.yml@self` is this repository's template (Azure's alias), not another repository's."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "ci" / "templates").mkdir(parents=True)
    (tmp_path / "ci" / "templates" / "deploy.yml").write_text(AZURE_DEPLOY_TEMPLATE)
    (tmp_path / "ci" / "azure-pipelines.yml").write_text(
        AZURE_PIPELINE.format(ref="ci/templates/deploy.yml@self")
    )
    findings = json.loads(_scan(tmp_path, "-f", "json", "ci").stdout)["findings"]
    assert ("NHI103", "ci/templates/deploy.yml", 4) in {
        (f["rule_id"], f["file"], f["line"]) for f in findings
    }


@pytest.mark.parametrize("ref", ["deploy.yml@platform-templates", "${{ parameters.deployTemplate }}"])
def test_an_azure_template_nhilint_cannot_read_is_counted_as_skipped(tmp_path: Path, ref: str) -> None:
    """A pipeline whose steps live in another repository's template is no clean pass in silence."""
    (tmp_path / "azure-pipelines.yml").write_text(AZURE_PIPELINE.format(ref=ref))
    report = json.loads(_scan(tmp_path, "-f", "json", ".").stdout)
    assert report["summary"]["files_skipped"] == 1
    assert [files for reason, files in report["skipped"].items() if "templates not read" in reason] == [
        ["azure-pipelines.yml"]
    ]
