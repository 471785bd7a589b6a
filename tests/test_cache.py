"""The facts cache: hits return what was stored, anything unreadable is a miss, and it can be turned off."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nhilint import cache, engine
from nhilint.config import Config
from nhilint.facts import Loc, StringValue
from nhilint.formats import Extraction, SourceFile

from .conftest import FIXTURES

TOKEN = "ghp_R8x2Lq9ZbT4mW7nK3vY6pJ1sD5fH0gC8aE2u"


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NHILINT_NO_CACHE", raising=False)
    return tmp_path / "cache"


def entries(cache_root: Path) -> list[Path]:
    """Facts entries only (the validated catalogue and config are cached beside them)."""
    return sorted(p for p in cache_root.rglob("*.pickle") if "facts" in p.parts)


def scan(root: Path):
    return engine.scan([root], Config(max_identity_lifetime_days=3650), root=root, use_cache=True)


def summary(result) -> list[tuple[str, str, int, str, str]]:
    return [(f.rule_id, f.loc.file, f.loc.line, f.message, f.fingerprint) for f in result.findings]


def test_warm_scan_equals_cold_scan_on_every_format(tmp_path: Path, own_cache: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "insecure", root)
    cold = scan(root)
    stored = entries(own_cache)
    assert len(stored) == len(
        engine.units(
            [
                f
                for f in engine.read_sources(
                    sorted(p for p in root.rglob("*") if p.is_file()), root, Config()
                ).files
            ]
        )
    )
    warm = scan(root)
    assert summary(warm) == summary(cold) and cold.findings
    assert entries(own_cache) == stored


def test_a_hit_is_served_from_the_cache(tmp_path: Path) -> None:
    unit = [SourceFile("main.tf", "terraform", 'locals {\n  a = "nothing secret"\n}\n')]
    planted = Extraction(facts=[StringValue(loc=Loc("main.tf", 2, 7), key="a", value=TOKEN, path="locals.a")])
    cache.store(cache.key(unit), planted)
    result = engine.extract(unit, use_cache=True)
    assert result.facts == planted.facts
    assert engine.extract(unit, use_cache=False).facts != planted.facts


def test_key_depends_on_path_format_and_text() -> None:
    base = SourceFile("a/main.tf", "terraform", "x = 1\n")
    keys = {
        cache.key([base]),
        cache.key([SourceFile("b/main.tf", "terraform", "x = 1\n")]),
        cache.key([SourceFile("a/main.tf", "terraform", "x = 2\n")]),
        cache.key([SourceFile("a/main.tf", "kubernetes", "x = 1\n")]),
        cache.key([base, SourceFile("a/b.tf", "terraform", "")]),
    }
    assert len(keys) == 5


def test_corrupted_entry_is_ignored_and_rewritten(tmp_path: Path, own_cache: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text(f'locals {{\n  a = "{TOKEN}"\n}}\n')
    first = summary(scan(root))
    (entry,) = entries(own_cache)
    entry.write_bytes(b"\x80\x04garbage")
    assert summary(scan(root)) == first
    assert entry.read_bytes() != b"\x80\x04garbage"


def test_no_cache_environment_variable(
    tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NHILINT_NO_CACHE", "1")
    (tmp_path / "main.tf").write_text(f'locals {{\n  a = "{TOKEN}"\n}}\n')
    assert [f.rule_id for f in scan(tmp_path).findings] == ["NHI101"]
    assert entries(own_cache) == []


def test_cli_no_cache_flag(tmp_path: Path, own_cache: Path) -> None:
    from .conftest import run_cli

    (tmp_path / "main.tf").write_text(f'locals {{\n  a = "{TOKEN}"\n}}\n')
    env = {"XDG_CACHE_HOME": str(own_cache)}
    assert run_cli("scan", ".", "--no-cache", cwd=tmp_path, env=env).returncode == 1
    assert entries(own_cache) == []
    assert run_cli("scan", ".", cwd=tmp_path, env=env).returncode == 1
    assert len(entries(own_cache)) == 1
