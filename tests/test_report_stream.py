"""Streamed JSON and SARIF reports (nhilint.report.stream): the same bytes as `json.dumps` of the whole
document, for a real scan, through the library and through the CLI (standard output and `-o`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nhilint.config import Config
from nhilint.findings import ScanResult
from nhilint.pipeline.scan import scan as scan_paths
from nhilint.report import json as json_report
from nhilint.report import render, sarif, write
from nhilint.report.stream import Items, batched, chunks

from .conftest import FIXTURES, run_cli


def whole(value: Any) -> Any:
    """`value` with every `Items` made a list: the document a non-streamed report would dump."""
    if isinstance(value, Items):
        return [whole(v) for v in value]
    if isinstance(value, dict):
        return {k: whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole(v) for v in value]
    return value


@pytest.fixture(scope="module")
def fixtures_scan() -> ScanResult:
    """The fixtures: findings with snippets (multi-line strings), related places, suppressions, skips."""
    return scan_paths([FIXTURES], Config(), root=FIXTURES)


@pytest.mark.parametrize("module", [json_report, sarif], ids=["json", "sarif"])
def test_a_streamed_report_is_json_dumps_of_the_whole_document(module: Any, fixtures_scan: ScanResult):
    assert fixtures_scan.findings and fixtures_scan.skipped
    expected = json.dumps(whole(module.document(fixtures_scan)), indent=2) + "\n"
    pieces = list(write(fixtures_scan, module.__name__.rsplit(".", 1)[1]))
    assert len(pieces) > 1  # written in pieces, not one string
    assert "".join(pieces) == expected
    assert render(fixtures_scan, module.__name__.rsplit(".", 1)[1]) == expected


DOCUMENTS = {  # each made twice: an `Items` over an iterator is written once
    "empty items": lambda: {"a": Items([]), "b": []},
    "strings": lambda: {
        "a": Items(iter([{"x": "line\nbreak", "y": ["ü", {}, []]}, 3, None])),
        "z": {"k": [1]},
    },
    "deep": lambda: {"runs": [{"results": Items([{"n": i, "deep": {"list": [i, [i]]}} for i in range(3)])}]},
    "nested items": lambda: [Items([Items([]), Items([[], {}]), {"q": Items(["\u2028", "\x1b[31m"])}])],
    "top items": lambda: Items([]),
}


@pytest.mark.parametrize("make", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_chunks_lay_out_nested_and_empty_items_as_json_dumps_does(make: Any):
    assert "".join(chunks(make())) == json.dumps(whole(make()), indent=2)


def test_batched_pieces_join_to_the_whole_and_stay_small():
    pieces = [f"piece {i}\n" for i in range(5000)]
    batches = list(batched(pieces, size=1000))
    assert "".join(batches) == "".join(pieces)
    assert len(batches) > 1 and all(len(b) < 1000 + 20 for b in batches)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_the_cli_writes_the_same_bytes_to_a_file_and_to_standard_output(fmt: str, tmp_path: Path):
    out = tmp_path / f"report.{fmt}"
    to_stdout = run_cli("scan", str(FIXTURES), "--format", fmt, "--exit-zero", "--no-cache")
    to_file = run_cli("scan", str(FIXTURES), "--format", fmt, "--exit-zero", "--no-cache", "-o", str(out))
    assert to_stdout.returncode == 0 and to_file.returncode == 0, to_stdout.stderr + to_file.stderr
    written = out.read_text(encoding="utf-8")
    assert len(written) > 1 << 16  # more than one batch
    assert written == to_stdout.stdout
    # laid out as json.dumps(indent=2) lays out what it holds
    assert written == json.dumps(json.loads(written), indent=2) + "\n"
