"""`scan --jobs N`: files are read by N processes and the report is byte-identical to one process's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nhilint.config import Config, Configs
from nhilint.pipeline import discover, parallel, read
from nhilint.pipeline.units import units

from .conftest import FIXTURES, run_cli

KEY = "AKIAZ7VRSQ4IEXFDJ2QM"  # the shape of an AWS access key ID, not a real one


def repositories(tmp_path: Path) -> Path:
    """Several repositories of every format, with whole-scan findings (shared identities)."""
    root = tmp_path / "repos"
    for name, source in (("a", "insecure"), ("b", "insecure"), ("c", "hardened")):
        shutil.copytree(FIXTURES / source, root / name)
    (root / "a" / "creds.tf").write_text(f'provider "aws" {{\n  access_key = "{KEY}"\n}}\n')
    return root


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_several_processes_give_the_same_report_byte_for_byte(tmp_path: Path, fmt: str) -> None:
    root = repositories(tmp_path)
    one = run_cli("scan", ".", "--format", fmt, "--no-cache", "--jobs", "1", cwd=root)
    two = run_cli("scan", ".", "--format", fmt, "--no-cache", "--jobs", "3", cwd=root)
    assert one.returncode == two.returncode == 1, one.stderr + two.stderr
    assert "NHI101" in one.stdout and one.stdout == two.stdout and one.stderr == two.stderr
    assert KEY not in two.stdout


def test_a_big_scan_uses_every_core_by_default_with_the_same_report(tmp_path: Path) -> None:
    root = tmp_path / "many"
    for i in range(parallel.AUTO_UNITS + 10):
        (root / f"m{i:03d}").mkdir(parents=True)
        (root / f"m{i:03d}" / "main.tf").write_text(
            f'resource "aws_iam_user" "u{i}" {{\n  name = "bot-{i}"\n}}\n'
            f'resource "aws_iam_access_key" "k{i}" {{\n  user = aws_iam_user.u{i}.name\n}}\n'
        )
    assert parallel.auto_jobs(parallel.AUTO_UNITS + 10) == parallel.cores()
    default = run_cli("scan", ".", "--format", "json", "--no-cache", cwd=root)
    single = run_cli("scan", ".", "--format", "json", "--no-cache", "--jobs", "1", cwd=root)
    assert default.returncode == 1 and default.stdout == single.stdout
    assert default.stdout.count('"NHI102"') >= parallel.AUTO_UNITS


def test_workers_honour_no_cache_and_fill_the_cache_otherwise(tmp_path: Path) -> None:
    root = repositories(tmp_path)
    own = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(own)}
    cold = run_cli("scan", ".", "--format", "json", "--no-cache", "--jobs", "2", cwd=root, env=env)
    assert cold.returncode == 1 and not [p for p in own.rglob("*") if p.is_file()]
    filling = run_cli("scan", ".", "--format", "json", "--jobs", "2", cwd=root, env=env)
    assert [p for p in own.rglob("*") if p.is_file() and "facts" in p.parts]  # written by the workers
    warm = run_cli("scan", ".", "--format", "json", "--jobs", "2", cwd=root, env=env)
    assert filling.stdout == warm.stdout == cold.stdout


def test_a_warm_scan_leaves_to_workers_only_the_units_the_cache_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm pre-commit run decodes its cached units in one process: only the units not in the cache
    (here the one holding a credential, never cached) count towards starting workers."""
    root = repositories(tmp_path)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    monkeypatch.setenv("XDG_CACHE_HOME", env["XDG_CACHE_HOME"])
    files = discover.walk([root], root, Configs(explicit=Config())).files
    sources = read.read_sources(files, root, Config())
    every = units(sources.files, sources.links)
    assert not any(parallel.stored(every, use_cache=True))  # cold: every unit is to extract
    filled = run_cli("scan", ".", "--format", "json", "--jobs", "2", cwd=root, env=env)
    hits = parallel.stored(every, use_cache=True)
    missed = [unit[0].rel for unit, hit in zip(every, hits, strict=True) if not hit]
    assert "a/creds.tf" in missed and len(missed) < len(every) // 2, missed
    assert not any(parallel.stored(every, use_cache=False))  # --no-cache: nothing is read from it
    warm = run_cli("scan", ".", "--format", "json", "--jobs", "2", cwd=root, env=env)
    single = run_cli("scan", ".", "--format", "json", "--jobs", "1", cwd=root, env=env)
    assert filled.returncode == 1 and filled.stdout == warm.stdout == single.stdout
    assert KEY not in warm.stdout


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_a_bad_jobs_value_is_a_usage_error(tmp_path: Path, value: str) -> None:
    done = run_cli("scan", ".", "--jobs", value, cwd=tmp_path)
    assert done.returncode == 2 and "--jobs" in done.stderr


def test_a_refused_cache_is_one_note_however_many_workers(tmp_path: Path) -> None:
    root = repositories(tmp_path)
    own = tmp_path / "cache"
    (own / "nhilint").mkdir(parents=True)
    (own / "nhilint").chmod(0o755)  # open to other users: refused
    done = run_cli("scan", ".", "--format", "json", "--jobs", "3", cwd=root, env={"XDG_CACHE_HOME": str(own)})
    assert done.returncode == 1 and done.stderr.count("not using the cache") == 1, done.stderr
