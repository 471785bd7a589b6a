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
