"""Sharded audits merged with `nhilint merge` equal the unsharded audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.audit.merge import MergeError, merge_audits, merge_files
from tests.conftest import run_cli
from tests.test_audit import make_repo


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    sources = [make_repo(tmp_path / "repos", f"team-{i}", leaky=i % 2 == 0, as_git=i == 3) for i in range(12)]
    path = tmp_path / "repos.txt"
    path.write_text("\n".join([*sources, str(tmp_path / "missing")]) + "\n", encoding="utf-8")
    return path


def audit_cli(tmp_path: Path, listing: Path, *extra: str) -> None:
    proc = run_cli(
        "audit",
        "--from",
        str(listing),
        "--jobs",
        "2",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--exit-zero",
        "--keep-going",
        *extra,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr


def test_merged_shards_equal_the_unsharded_audit(tmp_path: Path, listing: Path) -> None:
    audit_cli(tmp_path, listing, "--json", "full.json", "--sarif-dir", "full-sarif")
    for i in (1, 2, 3):
        audit_cli(
            tmp_path, listing, "--shard", f"{i}/3", "--json", f"shard-{i}.json", "--sarif-dir", f"sarif-{i}"
        )
    shard_sizes = [
        len(json.loads((tmp_path / f"shard-{i}.json").read_text())["repositories"]) for i in (1, 2, 3)
    ]

    proc = run_cli("merge", "shard-1.json", "shard-2.json", "shard-3.json", "-o", "merged.json", cwd=tmp_path)

    assert proc.returncode == 0, proc.stderr
    assert sum(shard_sizes) == 13 and all(shard_sizes)
    assert (tmp_path / "merged.json").read_bytes() == (tmp_path / "full.json").read_bytes()
    merged_sarif = json.loads(run_cli("merge", "sarif-1", "sarif-2", "sarif-3", cwd=tmp_path).stdout)
    full_sarif = json.loads(run_cli("merge", "full-sarif", cwd=tmp_path).stdout)
    assert len(merged_sarif["runs"]) == 12  # one run per scanned repository
    assert sorted(map(json.dumps, merged_sarif["runs"])) == sorted(map(json.dumps, full_sarif["runs"]))


def repo(source: str, findings: int) -> dict:
    summary = {
        "total": findings,
        "errors": findings,
        "warnings": 0,
        "notes": 0,
        "files_scanned": 1,
        "files_with_findings": int(findings > 0),
        "suppressed": 0,
    }
    return {
        "name": source,
        "source": source,
        "status": "ok",
        "error": None,
        "fail_on": "warning",
        "summary": summary,
        "findings": [],
    }


SUMMARY_KEYS = ("repositories", "repositories_failed", "total", "errors", "warnings", "notes")
SUMMARY_KEYS += ("files_scanned", "suppressed")


def document(*repos: dict) -> dict:
    return {
        "version": "1",
        "tool": {"name": "nhilint", "version": "0"},
        "summary": dict.fromkeys(SUMMARY_KEYS, 0),  # well formed; `merge` recomputes it anyway
        "repositories": list(repos),
    }


def test_merge_recomputes_the_summary_and_sorts_by_source() -> None:
    merged = merge_audits([document(repo("b", 2)), document(repo("a", 1), repo("b", 2))])
    assert [r["source"] for r in merged["repositories"]] == ["a", "b"]
    assert merged["summary"]["total"] == 3 and merged["summary"]["repositories"] == 2


def test_overlapping_shards_with_different_results_are_refused() -> None:
    with pytest.raises(MergeError, match="appears in two inputs"):
        merge_audits([document(repo("a", 1)), document(repo("a", 2))])


def test_mixed_or_foreign_inputs_are_refused(tmp_path: Path) -> None:
    (tmp_path / "audit.json").write_text(json.dumps(document(repo("a", 0))), encoding="utf-8")
    (tmp_path / "log.sarif").write_text(json.dumps({"version": "2.1.0", "runs": []}), encoding="utf-8")
    (tmp_path / "other.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(MergeError, match="cannot merge audit JSON with SARIF"):
        merge_files([tmp_path / "audit.json", tmp_path / "log.sarif"])
    proc = run_cli("merge", "other.json", cwd=tmp_path)
    assert proc.returncode == 2 and "other.json: not an nhilint audit JSON document" in proc.stderr


def without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


MALFORMED = {
    "not-json": "{not json",
    "truncated": json.dumps(document(repo("a", 1)))[:-40],
    "huge-integer": '{"version": "1", "repositories": [], "n": ' + "9" * 5000 + "}",
    "deep": "[" * 100_000 + "]" * 100_000,
    "no-source": json.dumps(document(without(repo("a", 1), "source"))),
    "no-tool": json.dumps(without(document(repo("a", 1)), "tool")),
    "repository-not-object": json.dumps(document(repo("a", 1), ["b"])),  # type: ignore[arg-type]
    "total-is-text": json.dumps(
        document({**repo("a", 1), "summary": {**repo("a", 1)["summary"], "total": "1"}})
    ),
    "ok-without-findings": json.dumps(document(without(repo("a", 1), "findings"))),
    "finding-without-severity": json.dumps(
        document({**repo("a", 1), "findings": [{"rule_id": "NHI101", "suppressed": False}]})
    ),
    "sarif-run-not-object": json.dumps({"version": "2.1.0", "runs": [1]}),
    "sarif-without-runs": json.dumps({"version": "2.1.0", "$schema": "sarif"}),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_inputs_are_one_sentence_and_exit_2(tmp_path: Path, name: str) -> None:
    good = document(repo("z", 0))
    if name.startswith("sarif"):
        good = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "nhilint"}}, "results": []}]}
    (tmp_path / "good.json").write_text(json.dumps(good), encoding="utf-8")
    (tmp_path / f"{name}.json").write_text(MALFORMED[name], encoding="utf-8")

    proc = run_cli("merge", "good.json", f"{name}.json", cwd=tmp_path)

    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith("nhilint: error: ") and f"{name}.json" in line
    assert proc.stdout == ""
