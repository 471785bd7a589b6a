"""`nhilint audit`: many real repositories (directories and file:// git clones) scanned in parallel."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from nhilint import audit
from tests.conftest import run_cli

LEAKY_TF = """provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAZ7VRSQ4IEXFDJ2QM"
  secret_key = "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"
}
"""
CLEAN_TF = """provider "aws" {
  region = "eu-west-1"
}
"""


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def make_repo(root: Path, name: str, leaky: bool, as_git: bool) -> str:
    """A small repository; returns how an audit names it (a directory path or a file:// URL)."""
    repo = root / name
    (repo / "infra").mkdir(parents=True)
    (repo / "infra" / "main.tf").write_text(LEAKY_TF if leaky else CLEAN_TF, encoding="utf-8")
    if not as_git:
        return str(repo)
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "initial", cwd=repo)
    return repo.as_uri()


@pytest.fixture
def repos(tmp_path: Path) -> list[str]:
    """50 repositories: every 5th a git URL, every 3rd leaking an AWS key."""
    return [
        make_repo(tmp_path / "repos", f"svc-{i:02d}", leaky=i % 3 == 0, as_git=i % 5 == 0) for i in range(50)
    ]


def test_audit_of_fifty_repositories_survives_a_broken_one(tmp_path: Path, repos: list[str]) -> None:
    broken = (tmp_path / "gone").as_uri()  # a git URL with no repository behind it
    listing = tmp_path / "repos.txt"
    listing.write_text("# org inventory\n" + "\n".join([*repos, broken]) + "\n", encoding="utf-8")
    out = tmp_path / "out"

    proc = run_cli(
        "audit",
        "--from",
        str(listing),
        "--jobs",
        "2",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--json",
        str(out / "audit.json"),
        "--csv",
        str(out / "findings.csv"),
        "--sarif-dir",
        str(out / "sarif"),
        cwd=tmp_path,
    )

    assert proc.returncode == 1, proc.stderr  # findings fail the audit; the broken repository does not
    document = json.loads((out / "audit.json").read_text())
    assert document["summary"]["repositories"] == 51
    assert document["summary"]["repositories_failed"] == 1
    by_name = {r["name"]: r for r in document["repositories"]}
    assert by_name["gone"]["status"] == "failed"
    assert "git clone failed" in by_name["gone"]["error"]
    leaky = {name for name, r in by_name.items() if r.get("findings")}
    assert leaky == {f"svc-{i:02d}" for i in range(0, 50, 3)}
    assert {f["rule_id"] for f in by_name["svc-15"]["findings"]} >= {"NHI101"}  # a cloned one
    assert by_name["svc-15"]["findings"][0]["file"] == "infra/main.tf"  # relative to its own root
    assert "gone" in proc.stdout and "FAILED" in proc.stdout
    assert len(list((out / "sarif").glob("*.sarif"))) == 50
    sarif = json.loads((out / "sarif" / "svc-03.sarif").read_text())
    assert len(sarif["runs"]) == 1 and sarif["runs"][0]["results"]
    with (out / "findings.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == document["summary"]["total"]
    assert {r["repository"] for r in rows} == leaky
    assert all("AKIAZ7VRSQ4IEXFDJ2QM" not in r["message"] for r in rows)


def test_clean_audit_exits_zero_and_refreshes_a_cached_clone(tmp_path: Path) -> None:
    url = make_repo(tmp_path, "clean", leaky=False, as_git=True)
    options = audit.ScanOptions(cache_dir=tmp_path / "cache")
    first = audit.run([audit.target(url)], options, jobs=1)
    assert first[0].ok and first[0].report["summary"]["total"] == 0

    (tmp_path / "clean" / "infra" / "main.tf").write_text(LEAKY_TF, encoding="utf-8")
    git("commit", "-q", "-am", "leak", cwd=tmp_path / "clean")
    second = audit.run([audit.target(url)], options, jobs=1)

    assert second[0].report["summary"]["errors"] > 0  # the cached clone was updated, not reused stale
    assert len(list((tmp_path / "cache").iterdir())) == 1


def test_a_file_is_not_a_repository(tmp_path: Path) -> None:
    stray = tmp_path / "notes.txt"
    stray.write_text("hello", encoding="utf-8")
    [report] = audit.run([audit.target(str(stray))], audit.ScanOptions(cache_dir=tmp_path), jobs=1)
    assert not report.ok and "is not a directory" in report.error


def test_targets_from_arguments_and_list_files_keep_order_and_drop_duplicates(tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("  # comment\nhttps://github.com/acme/infra.git\n\n./b\n", encoding="utf-8")
    targets = audit.read_targets(["./a", "./b"], [listing])
    assert [(t.source, t.name, t.is_url) for t in targets] == [
        ("./a", "a", False),
        ("./b", "b", False),
        ("https://github.com/acme/infra.git", "infra", True),
    ]
    assert audit.target("git@github.com:acme/deploy.git").is_url


def test_shards_partition_the_targets_stably() -> None:
    targets = [audit.target(f"https://git.example.com/org/repo-{i}") for i in range(40)]
    shards = [audit.select_shard(targets, (i, 4)) for i in range(1, 5)]
    assert sorted(t.source for s in shards for t in s) == sorted(t.source for t in targets)
    assert all(shards)  # 40 repositories over 4 shards: none is empty
    # the split depends only on the identifier (sha256), so every CI machine agrees on it
    assert audit.shard_of(audit.target("https://git.example.com/org/repo-0"), 4) == 3


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0"])
def test_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(audit.AuditError, match="--shard"):
        audit.parse_shard(text)


def test_cli_rejects_an_empty_audit(tmp_path: Path) -> None:
    proc = run_cli("audit", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no repositories to audit" in proc.stderr


def test_credentials_in_a_url_never_reach_the_outputs(tmp_path: Path) -> None:
    t = audit.target("file://ci-bot:s3cr3t-t0ken@localhost/nonexistent/repo.git")
    [report] = audit.run([t], audit.ScanOptions(cache_dir=tmp_path), jobs=1)

    assert t.source == "file://***@localhost/nonexistent/repo.git" and t.name == "repo"
    assert not report.ok and report.error.startswith("git clone failed")
    assert "s3cr3t" not in json.dumps(audit.combined([report])) + audit.Table.of([report]).render()
