"""Property tests: generated and mutated documents of every format go through the whole pipeline
(discover -> parse -> extract -> rules -> every reporter) without an exception escaping, and every
reported line exists in its file.

Seeds are the fixtures and parser test data; hypothesis mutates their lines, indentation and
bytes. The default run is small (FUZZ_EXAMPLES per format); maintainers run more with
`NHILINT_FUZZ_EXAMPLES=5000` (see docs/fuzzing.md).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nhilint import report
from nhilint.config import Config
from nhilint.pipeline.read import decode
from nhilint.pipeline.scan import scan as scan_paths

ROOT = Path(__file__).resolve().parents[1]
FUZZ_EXAMPLES = int(os.environ.get("NHILINT_FUZZ_EXAMPLES", "100"))

# where a document must live to be read as each format
TARGETS = {
    "terraform": "main.tf",
    "tfvars": "prod.tfvars",
    "tf-json": "main.tf.json",
    "cloudformation": "template.yaml",
    "cloudformation-json": "template.json",
    "kubernetes": "k8s.yaml",
    "github-actions": ".github/workflows/ci.yml",
    "gitlab-ci": ".gitlab-ci.yml",
}


def _kind(path: Path) -> str | None:
    text = path.read_text(encoding="utf-8", errors="replace")
    name = path.name
    if name.endswith(".tf.json"):
        return "tf-json"
    if name.endswith(".tfvars"):
        return "tfvars"
    if name.endswith(".tf"):
        return "terraform"
    if "AWSTemplateFormatVersion" in text or "AWS::" in text:
        return "cloudformation-json" if name.endswith(".json") else "cloudformation"
    if "gitlab" in name or "stages:" in text or "script:" in text:
        return "gitlab-ci"
    if "runs-on" in text or "jobs:" in text:
        return "github-actions"
    if "apiVersion" in text:
        return "kubernetes"
    return None


def _seeds() -> dict[str, list[str]]:
    seeds: dict[str, list[str]] = {kind: [] for kind in TARGETS}
    for base in (ROOT / "fixtures", ROOT / "tests" / "data", ROOT / "checks"):
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.suffix in (".tf", ".tfvars", ".json", ".yaml", ".yml"):
                kind = _kind(path) if base.name != "checks" else None
                if kind:
                    seeds[kind].append(path.read_text(encoding="utf-8", errors="replace"))
    return seeds


SEEDS = _seeds()
NOISE = st.sampled_from(["{", "}", "[", "]", ":", "- ", '"', "'", "${", "<<EOT", "\t", "\r\n", "\x00",
                         "&a ", "*a", "!Ref ", "!!python/object:x ", "\\", "#", "=", ",", "\ufeff",
                         "\u2028", "é", "AKIAZ7Q2XW3ER4TY5UI6", "ghp_" + "a1B2" * 9, "  "])  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    """A seed document of `kind` with a few line, indentation and byte mutations."""
    lines = draw(st.sampled_from(SEEDS[kind])).split("\n")
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["drop", "dup", "swap", "indent", "dedent", "insert", "truncate"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        line = lines[i] if lines else ""
        if op == "drop" and lines:
            del lines[i]
        elif op == "dup":
            lines.insert(i, line)
        elif op == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], line
        elif op == "indent":
            lines[i : i + 1] = [" " * draw(st.integers(1, 4)) + line]
        elif op == "dedent":
            lines[i : i + 1] = [line.lstrip()]
        elif op == "insert":
            at = draw(st.integers(0, len(line)))
            lines[i : i + 1] = [line[:at] + draw(NOISE) + line[at:]]
        elif op == "truncate":
            lines = lines[: i + 1]
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and data:  # and sometimes a raw byte flip
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    return data


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@st.composite
def generated(draw: st.DrawFn, kind: str) -> bytes:
    """A document of `kind` whose every value below the format's anchors is random."""
    body = draw(JSONISH)
    if kind == "kubernetes":
        doc = {"apiVersion": "v1", "kind": draw(st.sampled_from(["Pod", "Secret", "ServiceAccount"])),
               "metadata": {"name": "x"}, "spec": body, "data": body}  # fmt: skip
    elif kind.startswith("cloudformation"):
        doc = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": body}},
        }
    elif kind == "github-actions":
        doc = {"on": "push", "jobs": {"j": {"runs-on": "x", "steps": [body], "env": body}}}
    elif kind == "gitlab-ci":
        doc = {"variables": body, "job": {"script": [json.dumps(body)], "variables": body}}
    elif kind == "tf-json":
        doc = {"resource": {"aws_iam_role": {"r": body}}, "variable": {"v": {"default": body}}}
    else:  # HCL: JSON values are valid HCL expressions
        value = json.dumps(body)
        return (
            f'resource "aws_iam_role" "r" {{\n  name = {value}\n  tags = {{ owner = {value} }}\n}}\n'.encode()
        )
    return json.dumps(doc, indent=2).encode()


def _check(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    result = scan_paths([root], Config(), root=root)
    assert result.internal_errors == [], result.internal_errors  # hostile input is NHI001, never a bug
    try:
        text = decode(data)
    except ValueError:  # unreadable: only NHI001 at line 1 may be reported
        text = ""
    last = max(1, len(text.splitlines()), text.count("\n") + 1)
    for finding in result.findings:
        for loc in [finding.loc, *(r.loc for r in finding.related)]:
            if loc.file == rel:
                assert 1 <= loc.line <= last, (finding.rule_id, loc, last)
    for fmt in report.FORMATS:
        assert isinstance(report.render(result, fmt), str)


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_mutated_documents_never_crash(kind: str) -> None:
    if not SEEDS[kind]:
        pytest.skip(f"no {kind} seed")

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.one_of(mutated(kind), generated(kind)))
    def run(data: bytes) -> None:
        root = Path(tempfile.mkdtemp(prefix="nhilint-fuzz-"))
        try:
            _check(root, TARGETS[kind], data)
        finally:
            shutil.rmtree(root)

    run()
