"""The same inputs give byte-identical JSON and SARIF: whatever order the file system lists or
created the files in, with or without git listing them, with a cold, warm or disabled facts cache,
and (for `audit`) whatever the worker count. Fingerprints survive unrelated lines moving.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nhilint.config import Config
from nhilint.pipeline.scan import scan as scan_paths

ROOT = Path(__file__).resolve().parents[1]
INSECURE = ROOT / "fixtures" / "insecure"


def _files() -> dict[str, bytes]:
    return {
        p.relative_to(INSECURE).as_posix(): p.read_bytes() for p in sorted(INSECURE.rglob("*")) if p.is_file()
    }


def _create(repo: Path, files: dict[str, bytes], order: list[str]) -> None:
    shutil.rmtree(repo, ignore_errors=True)
    for rel in order:
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[rel])


def _cli(cwd: Path, cache: Path, *args: str) -> bytes:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(cache)}
    env.pop("NHILINT_NO_CACHE", None)
    proc = subprocess.run([sys.executable, "-m", "nhilint.cli", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=300)  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def _reports(base: Path, cache: Path, *extra: str) -> tuple[bytes, bytes]:
    return (_cli(base, cache, "scan", "repo", "--format", "json", *extra),
            _cli(base, cache, "scan", "repo", "--format", "sarif", *extra))  # fmt: skip


def test_output_is_independent_of_order_git_and_cache(tmp_path: Path) -> None:
    files = _files()
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    _create(repo, files, sorted(files))
    cold = _reports(tmp_path, cache)
    assert b'"rule_id"' in cold[0]  # the fixture has findings to order
    assert _reports(tmp_path, cache) == cold  # warm cache
    assert _reports(tmp_path, cache, "--no-cache") == cold
    _create(repo, files, sorted(files, reverse=True))  # other creation (and listing) order
    for directory in sorted({p for p in repo.rglob("*") if p.is_dir()}, reverse=True):
        os.utime(directory, (0, 0))
    assert _reports(tmp_path, tmp_path / "cache2") == cold
    if shutil.which("git"):  # git ls-files instead of the directory walk
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        assert _reports(tmp_path, cache) == cold


def test_audit_is_independent_of_worker_count(tmp_path: Path) -> None:
    files = _files()
    for name in ("one", "two", "three"):
        _create(tmp_path / name, files, sorted(files))
    cache = tmp_path / "cache"
    outputs = []
    for jobs in ("1", "3"):
        out = tmp_path / f"audit-{jobs}"
        _cli(tmp_path, cache, "audit", "one", "two", "three", "--jobs", jobs, "--json", f"{out}.json",
             "--sarif-dir", str(out))  # fmt: skip
        sarif = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
        outputs.append(((tmp_path / f"{out}.json").read_bytes(), sarif))
    assert outputs[0][1] and outputs[0] == outputs[1]


def _fingerprints(root: Path) -> dict[str, str]:
    result = scan_paths([root], Config(), root=root)
    return {f.fingerprint: f.rule_id for f in result.findings}


@pytest.mark.parametrize("rel", ["terraform/aws/main.tf", "kubernetes/payments.yaml"])
def test_fingerprints_survive_unrelated_lines_moving(tmp_path: Path, rel: str) -> None:
    files = _files()
    _create(tmp_path, files, sorted(files))
    before = _fingerprints(tmp_path)
    path = tmp_path / rel
    path.write_text("# a comment\n\n# and another, pushing every line down\n" + path.read_text())
    after = _fingerprints(tmp_path)
    assert before and after == before
