"""The precision/recall corpus of issues 15 and 16: small excerpts of patterns labelled on public
repositories (tests/data/precision/labels.yaml says where each comes from and why), scanned with the
real CLI. A case whose fix is still being built is xfail(strict): when the fix lands the test passes,
strict turns that into a failure, and the `pending` line comes out of labels.yaml."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

CORPUS = Path(__file__).parent / "data" / "precision"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "labels.yaml").read_text(encoding="utf-8"))["cases"]
FAILING = {"warning", "error"}


def _param(case: dict[str, Any]) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case["pending"])] if case.get("pending") else []
    return pytest.param(case, id=case["id"], marks=marks)


def _rules(spec: str) -> set[str]:
    return {rule.strip() for rule in spec.split(",")}


def _count(findings: Iterable[dict[str, Any]], rules: set[str]) -> int:
    return sum(1 for f in findings if f["rule_id"] in rules)


def _scan(case_dir: Path, tmp_path: Path) -> list[dict[str, Any]]:
    """Scan a copy of the case from inside it: no configuration or path of this repository (a
    `tests/` directory above it, say) can change the verdict."""
    work = tmp_path / "repo"
    shutil.copytree(case_dir, work)
    done = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", "--no-cache", "--exit-zero", "--format", "json", "."],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    findings: list[dict[str, Any]] = json.loads(done.stdout)["findings"]
    return [f for f in findings if not f["suppressed"]]


def test_every_case_has_a_directory_a_label_and_an_expectation() -> None:
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
    assert on_disk == set(ids)
    for case in CASES:
        assert case["label"] in {"TRUE", "FALSE", "MISS"}, case["id"]
        assert case["reason"] and case["source"]["repo"] and case["source"]["kind"], case["id"]
        expectations = ("must_fire", "must_not_fire", "max_findings", "max_warnings")
        assert any(case.get(key) for key in expectations), case["id"]


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    findings = _scan(CORPUS / case["id"], tmp_path)
    reported = {f["rule_id"] for f in findings}
    summary = sorted((f["rule_id"], f["severity"], f["file"], f["line"]) for f in findings)
    for wanted in case.get("must_fire", []):
        assert reported & set(wanted.split("|")), f"{wanted} not reported: {summary}"
    unwanted = reported & set(case.get("must_not_fire", []))
    assert not unwanted, f"{sorted(unwanted)} reported: {summary}"
    for spec, limit in case.get("max_findings", {}).items():
        assert _count(findings, _rules(spec)) <= limit, f"more than {limit} of {spec}: {summary}"
    for spec, limit in case.get("max_warnings", {}).items():
        failing = [f for f in findings if f["severity"] in FAILING]
        assert _count(failing, _rules(spec)) <= limit, f"more than {limit} failing {spec}: {summary}"
