"""`nhilint audit`: many real repositories (directories and file:// git clones) scanned in parallel."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest

from nhilint import audit
from nhilint.audit import targets as audit_targets
from nhilint.audit.merge import merge_files
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
        "--keep-going",
        cwd=tmp_path,
    )

    assert proc.returncode == 1, proc.stderr  # with --keep-going findings decide; the broken one does not
    document = json.loads((out / "audit.json").read_text())
    assert document["summary"]["repositories"] == 51
    assert document["summary"]["repositories_failed"] == 1
    by_name = {r["name"]: r for r in document["repositories"]}
    assert by_name["gone"]["status"] == "failed"
    assert "git clone failed" in by_name["gone"]["error"]
    leaky = {name for name, r in by_name.items() if r.get("findings")}
    assert leaky == {f"svc-{i:02d}" for i in range(0, 50, 3)}
    assert {r for f in by_name["svc-15"]["findings"] for r in (f["rule_id"], *f["also"])} >= {"NHI101"}
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
    assert audit_targets.shard_of(audit.target("https://git.example.com/org/repo-0"), 4) == 3


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


# --- a failed repository fails the audit (issue 13 item 5) ---


def test_an_audit_where_every_repository_failed_exits_2_and_says_why(tmp_path: Path) -> None:
    missing_dir = str(tmp_path / "payments")
    missing_url = (tmp_path / "infra.git").as_uri()
    args = ["audit", missing_dir, missing_url, "--cache-dir", "cache", "--json", "audit.json", "-j", "2"]

    proc = run_cli(*args, cwd=tmp_path)

    assert proc.returncode == 2, proc.stdout + proc.stderr
    document = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    errors = {r["name"]: r["error"] for r in document["repositories"] if r["status"] == "failed"}
    assert "is not a directory" in errors["payments"] and "git clone failed" in errors["infra"]
    assert document["summary"]["repositories_failed"] == 2
    table = {line.split()[0]: line for line in proc.stdout.splitlines()}
    assert "FAILED: " + errors["payments"] in table["payments"]
    assert "FAILED: " + errors["infra"] in table["infra"]
    assert (
        f"{missing_dir}: {errors['payments']}" in proc.stderr and "2 of 2 repositories failed" in proc.stderr
    )
    assert merge_files([tmp_path / "audit.json"])[0] == "audit"  # still valid against audit.schema.json

    assert run_cli(*args, "--keep-going", cwd=tmp_path).returncode == 0  # no findings: exit by findings


def test_with_keep_going_findings_decide_the_exit_code(tmp_path: Path) -> None:
    leaky = make_repo(tmp_path, "leaky", leaky=True, as_git=False)
    proc = run_cli("audit", leaky, str(tmp_path / "gone"), "--keep-going", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "gone" in proc.stdout and "FAILED" in proc.stdout


def test_non_utf8_file_names_reach_json_csv_and_sarif_escaped(tmp_path: Path) -> None:
    repo = tmp_path / "legacy"
    (repo / "infra").mkdir(parents=True)
    try:
        (repo / "infra" / os.fsdecode(b"acc\xe8s.tf")).write_text(LEAKY_TF)  # a Latin-1 name
    except OSError:
        pytest.skip("this file system only takes UTF-8 file names")
    out = tmp_path / "out"

    proc = run_cli(
        "audit",
        str(repo),
        "--json",
        "out/a.json",
        "--csv",
        "out/a.csv",
        "--sarif-dir",
        "out/sarif",
        cwd=tmp_path,
    )

    assert proc.returncode == 1, proc.stdout + proc.stderr  # scanned and failing on its findings
    files = {f["file"] for f in json.loads((out / "a.json").read_text())["repositories"][0]["findings"]}
    assert files == {"infra/acc\\xe8s.tf"}  # the byte that is not UTF-8, written \xHH
    with (out / "a.csv").open(encoding="utf-8") as handle:
        assert {row["file"] for row in csv.DictReader(handle)} == files
    sarif = json.loads((out / "sarif" / "legacy.sarif").read_text(encoding="utf-8"))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    }
    assert uris == {"infra/acc%E8s.tf"}  # a URI keeps the file name's own bytes


# --- clones of untrusted repositories run nothing and keep no secret (issue 14 item 4) ---


def hostile_repo(root: Path) -> str:
    """A repository whose attributes ask for a custom filter and for git-lfs on its files."""
    make_repo(root, "hostile", leaky=True, as_git=False)
    repo = root / "hostile"
    (repo / ".gitattributes").write_text("*.tf filter=evil\n*.json filter=lfs diff=lfs merge=lfs\n")
    (repo / ".lfsconfig").write_text('[lfs]\n\turl = "https://collector.invalid/lfs"\n')
    (repo / "policy.json").write_text('{"Version": "2012-10-17"}\n')
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "initial", cwd=repo)
    return repo.as_uri()


@pytest.mark.parametrize("scope", ["global", "system", "environment"])
def test_clone_runs_no_filter_the_host_config_defines(tmp_path: Path, scope: str) -> None:
    """`git lfs install` writes filter.lfs.* into the global config; a filter named by a hostile
    .gitattributes (here also `evil`) must not run whatever config of the host defines it."""
    marker = tmp_path / "filter-ran"
    command = f"touch '{marker}'; cat"
    settings = {
        "filter.evil.smudge": command,
        "filter.evil.required": "true",
        "filter.lfs.process": f"touch '{marker}'",
        "filter.lfs.smudge": command,
        "core.hooksPath": str(tmp_path),  # and no hook: post-checkout would touch the marker too
    }
    (tmp_path / "post-checkout").write_text(f"#!/bin/sh\ntouch '{marker}'\n")
    (tmp_path / "post-checkout").chmod(0o755)
    config = tmp_path / "host.gitconfig"
    for key, value in settings.items():
        subprocess.run(["git", "config", "--file", str(config), key, value], check=True)
    env = {
        "global": {"GIT_CONFIG_GLOBAL": str(config)},
        "system": {"GIT_CONFIG_SYSTEM": str(config), "GIT_CONFIG_NOSYSTEM": "0"},
        "environment": {
            "GIT_CONFIG_COUNT": str(len(settings)),
            **{f"GIT_CONFIG_KEY_{i}": key for i, key in enumerate(settings)},
            **{f"GIT_CONFIG_VALUE_{i}": value for i, value in enumerate(settings.values())},
        },
    }[scope]
    url = hostile_repo(tmp_path)

    proc = run_cli("audit", url, "--cache-dir", "cache", "--json", "audit.json", cwd=tmp_path, env=env)

    assert not marker.exists()
    assert proc.returncode == 1, proc.stdout + proc.stderr  # cloned, scanned, failing on the leaked key
    [repo] = json.loads((tmp_path / "audit.json").read_text())["repositories"]
    assert repo["status"] == "ok"
    assert {r for f in repo["findings"] for r in (f["rule_id"], *f["also"])} >= {"NHI101"}


@pytest.mark.parametrize(
    "url", ["ext::sh -c touch% {marker}", "fd::17", "http://127.0.0.1:9/org/repo.git", "git://127.0.0.1:9/r"]
)
def test_only_https_ssh_and_file_urls_are_cloned(tmp_path: Path, url: str) -> None:
    marker = tmp_path / "ext-ran"
    url = url.format(marker=marker)
    proc = run_cli("audit", url, "--cache-dir", "cache", "--json", "audit.json", cwd=tmp_path)

    assert proc.returncode == 2
    [repo] = json.loads((tmp_path / "audit.json").read_text())["repositories"]
    assert "only https://, ssh:// and file:// URLs are cloned" in repo["error"]
    assert not marker.exists()


def test_git_itself_refuses_other_protocols_whatever_the_host_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ext-ran"
    config = tmp_path / "host.gitconfig"
    config.write_text('[protocol]\n\tallow = always\n[protocol "ext"]\n\tallow = always\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "ext:file:https")
    url = f"ext::sh -c touch% {marker}"

    with pytest.raises(audit.AuditError, match="git clone failed"):
        audit_targets.clone(audit.Target(source=url, name="ext"), tmp_path / "cache")
    assert not marker.exists()


def test_a_token_in_the_url_is_used_but_never_written_to_disk(tmp_path: Path) -> None:
    plain = make_repo(tmp_path, "private", leaky=False, as_git=True)
    url = plain.replace("file://", "file://ci-bot:s3cr3t-t0ken@localhost", 1)
    options = audit.ScanOptions(cache_dir=tmp_path / "cache")

    for _ in ("clone", "refresh"):
        [report] = audit.run([audit.target(url)], options, jobs=1)
        assert report.ok, report.error
        stored = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
        assert stored and not [p for p in stored if b"s3cr3t" in p.read_bytes()]


def test_the_credential_helper_hands_the_token_to_git_and_nowhere_else() -> None:
    url, username, password = audit_targets.split_credentials(
        "https://x-access-token:gh%2Fs3cr3t@git.example.com/o/r"
    )
    argv, env = audit_targets.git_command(["credential", "fill"], username, password)

    proc = subprocess.run(
        argv, input="protocol=https\nhost=git.example.com\n\n", env=env, capture_output=True, text=True
    )

    assert url == "https://git.example.com/o/r"
    assert "username=x-access-token\npassword=gh/s3cr3t\n" in proc.stdout
    assert "s3cr3t" not in " ".join(argv)


def test_the_clone_cache_is_private(tmp_path: Path) -> None:
    url = make_repo(tmp_path, "svc", leaky=False, as_git=True)
    proc = run_cli("audit", url, "--cache-dir", "new-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "new-cache").stat().st_mode & 0o777 == 0o700

    readable = tmp_path / "old-cache"
    readable.mkdir(mode=0o755)
    readable.chmod(0o755)
    assert run_cli("audit", url, "--cache-dir", "old-cache", cwd=tmp_path).returncode == 0
    assert readable.stat().st_mode & 0o777 == 0o700  # tightened

    shared = tmp_path / "shared-cache"
    shared.mkdir()
    shared.chmod(0o777)
    proc = run_cli("audit", url, "--cache-dir", "shared-cache", cwd=tmp_path)
    assert proc.returncode == 2 and "writable by other users" in proc.stderr
    assert not list(shared.iterdir())
