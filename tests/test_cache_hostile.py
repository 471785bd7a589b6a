"""A cache an attacker can write (committed to the scanned repository, a relative XDG_CACHE_HOME,
a planted entry) never runs code and never changes a result; `--no-cache` reads no cache at all."""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import subprocess
from pathlib import Path

import pytest

from nhilint import __version__, codec
from nhilint.facts import Loc, PolicyStatement, StringValue, TokenScope
from nhilint.formats import Extraction, Problem, SideRead
from nhilint.parse.tree import LMap

from .conftest import ROOT, run_cli

KEY = "AKIAQ3EGRQ7LXN5TVW2H"
CONFIG = "fail-on: warning\n"
MAIN_TF = f'provider "aws" {{\n  region     = "eu-west-1"\n  access_key = "{KEY}"\n}}\n'


class _Payload:
    """Unpickling runs eval: it writes `marker` and returns a config that excludes everything."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        code = f"__import__('pathlib').Path({str(self.marker)!r}).write_text('ran') and {{'exclude': ['**']}}"
        return (eval, (code,))


def _plant(root: Path, rel: str, data: bytes, mode: int) -> None:
    """A file under `root`, every directory on the way given `mode` (git makes 0755 ones)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    for folder in [root, *path.relative_to(root).parents]:
        (root / folder).chmod(mode)


def _plant_config_entries(cache_root: Path, marker: Path, mode: int) -> None:
    """What the old code read for CONFIG (a pickle) and what the new one reads (JSON), both saying
    `exclude: ["**"]`."""
    digest = hashlib.sha256(CONFIG.encode()).hexdigest()
    where = f"nhilint/{__version__}/config/{digest[:2]}/{digest}"
    _plant(cache_root, f"{where}.pickle", pickle.dumps(_Payload(marker)), mode)
    _plant(cache_root, f"{where}.json", codec.dumps({"exclude": ["**"]}), mode)


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".nhilint.yaml").write_text(CONFIG)
    (repo / "main.tf").write_text(MAIN_TF)
    return repo


def _assert_judged(proc) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert {"NHI101", "NHI105"} <= {r for f in findings for r in (f["rule_id"], *f["also"])}


def test_a_cache_committed_to_the_checkout_is_not_used(tmp_path: Path) -> None:
    """GitLab's `cache:` needs XDG_CACHE_HOME inside the checkout; the repository can commit one."""
    repo, marker = _repo(tmp_path), tmp_path / "ran"
    _plant_config_entries(repo / ".cache", marker, 0o755)
    proc = run_cli("scan", "main.tf", "-f", "json", cwd=repo, env={"XDG_CACHE_HOME": str(repo / ".cache")})
    _assert_judged(proc)
    assert not marker.exists()
    assert "not using the cache" in proc.stderr


def test_a_cache_committed_to_a_repository_checked_out_private_is_not_used(tmp_path: Path) -> None:
    """Under umask 077 the committed directories come out 0700 and ours: only where they are
    tells them apart, so no cache inside a git work tree is trusted."""
    repo, marker = _repo(tmp_path), tmp_path / "ran"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    _plant_config_entries(repo / ".cache", marker, 0o700)
    proc = run_cli("scan", "main.tf", "-f", "json", cwd=repo, env={"XDG_CACHE_HOME": str(repo / ".cache")})
    _assert_judged(proc)
    assert not marker.exists()
    assert "inside the git work tree" in proc.stderr


def test_a_checkout_local_cache_nhilint_creates_itself_is_used(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    env = {"XDG_CACHE_HOME": str(repo / ".cache")}
    first = run_cli("scan", "main.tf", "-f", "json", cwd=repo, env=env)
    assert run_cli("scan", "main.tf", "-f", "json", cwd=repo, env=env).stdout == first.stdout
    assert first.stderr == "" and list((repo / ".cache" / "nhilint").rglob("*.json"))


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path) -> None:
    repo, marker, home = _repo(tmp_path), tmp_path / "ran", tmp_path / "home"
    _plant_config_entries(repo / ".cache", marker, 0o700)  # even with private modes
    proc = run_cli(
        "scan", "main.tf", "-f", "json", cwd=repo, env={"XDG_CACHE_HOME": ".cache", "HOME": str(home)}
    )
    _assert_judged(proc)
    assert not marker.exists()
    assert list((home / ".cache" / "nhilint").rglob("*.json"))  # the default took its place


@pytest.mark.parametrize("flag", [(), ("--no-cache",)], ids=["cache", "no-cache"])
def test_a_pickle_in_the_private_cache_never_runs(tmp_path: Path, flag: tuple[str, ...]) -> None:
    repo, marker, cache_root = _repo(tmp_path), tmp_path / "ran", tmp_path / "cache"
    digest = hashlib.sha256(CONFIG.encode()).hexdigest()
    _plant(
        cache_root,
        f"nhilint/{__version__}/config/{digest[:2]}/{digest}.pickle",
        pickle.dumps(_Payload(marker)),
        0o700,
    )
    proc = run_cli("scan", "main.tf", "-f", "json", *flag, cwd=repo, env={"XDG_CACHE_HOME": str(cache_root)})
    _assert_judged(proc)
    assert not marker.exists()


def test_no_cache_ignores_a_planted_config_entry(tmp_path: Path) -> None:
    repo, marker, cache_root = _repo(tmp_path), tmp_path / "ran", tmp_path / "cache"
    _plant_config_entries(cache_root, marker, 0o700)  # a poisoned private cache: --no-cache is the way out
    proc = run_cli(
        "scan", "main.tf", "-f", "json", "--no-cache", cwd=repo, env={"XDG_CACHE_HOME": str(cache_root)}
    )
    _assert_judged(proc)
    assert not marker.exists()


def test_a_planted_validity_marker_does_not_pass_an_invalid_config(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    bad = "fail-on: warning\nexcludes: ['**']\n"  # a typo the schema rejects
    (repo / ".nhilint.yaml").write_text(bad)
    schema = (ROOT / "src" / "nhilint" / "catalogue" / "schemas" / "config.schema.json").read_text("utf-8")
    instance = {"fail-on": "warning", "excludes": ["**"]}
    old = hashlib.sha256((schema + json.dumps(instance, sort_keys=True, default=str)).encode()).hexdigest()
    new = hashlib.sha256((schema + "\0" + json.dumps(instance, sort_keys=True)).encode()).hexdigest()
    cache_root = repo / ".cache"
    _plant(cache_root, f"nhilint/{__version__}/valid/{old}", b"", 0o755)  # the old marker
    _plant(cache_root, f"nhilint/{__version__}/valid/{new[:2]}/{new}.json", b"true", 0o755)
    proc = run_cli("scan", "main.tf", cwd=repo, env={"XDG_CACHE_HOME": str(cache_root)})
    assert proc.returncode == 2 and "excludes" in proc.stderr


def test_formats_read_side_files_only_through_read_beside() -> None:
    """The facts cache re-checks what `read_beside` records; a direct read would go stale silently."""
    formats = ROOT / "src" / "nhilint" / "formats"
    direct = re.compile(r"\bopen\(|\.read_text\(|\.read_bytes\(|\.open\(")
    offenders = [
        f"{path.relative_to(formats)}:{number}"
        for path in sorted(formats.rglob("*.py"))
        if path != formats / "base.py"  # read_beside itself
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if direct.search(line)
    ]
    assert offenders == []


def test_a_cache_entry_cannot_hold_a_format_or_its_hooks() -> None:
    """A `Format` names a module to import: an entry written by someone else must never decode to one."""
    from nhilint import cache
    from nhilint.formats.base import Format, Mark, Pulled

    assert not {Format, Mark, Pulled} & set(cache.fact_types())
    entry = json.dumps(
        {"$type": "Format", "fields": {"name": "x", "title": "x", "language": "x", "extractor": "os"}}
    )
    with pytest.raises(ValueError):
        codec.loads(entry.encode(), cache.fact_types())


# --- the codec ---------------------------------------------------------------------------------

TYPES = (Extraction, Problem, SideRead, Loc, StringValue, PolicyStatement, TokenScope)


def test_codec_round_trips_facts() -> None:
    value = Extraction(
        facts=[
            StringValue(loc=Loc("a.tf", 2, 3), key="k", value="\ud800 odd", path="locals.k"),
            PolicyStatement(
                loc=Loc("a.tf", 4), actions=["*"], principals={"AWS": ["*"]}, action_loc=Loc("a.tf", 5)
            ),
            TokenScope(
                loc=Loc("w.yml", 1), permissions={"contents": "read"}, locs={"contents": Loc("w.yml", 2)}
            ),
        ],
        problems=[Problem(Loc("b.tf", 1), "broken")],
        reads=[SideRead("a.tf", "policy.json", "missing")],
    )
    assert codec.loads(codec.dumps(value), TYPES) == value
    assert codec.loads(codec.dumps({1: (2, [3.5, None])}), ()) == {1: (2, [3.5, None])}


@pytest.mark.parametrize(
    "planted",
    [
        b'{"$type": "Popen", "fields": {"args": "id"}}',  # not one of ours
        b'{"$type": "Loc", "fields": {"file": "a", "line": "1"}}',  # wrong field type
        b'{"$type": "Loc", "fields": {"file": "a", "line": 1, "__class__": 1}}',  # no such field
        b'{"$type": "Extraction", "fields": {"facts": '  # a Loc where a Fact belongs
        b'[{"$type": "Loc", "fields": {"file": "a", "line": 1}}]}}',
        b'{"$dict": [[[1], 2]]}',  # unhashable key
        b"\x80\x04\x95",  # a pickle
        b"[" * 100000,  # nested past recursion
    ],
)
def test_codec_refuses_what_it_did_not_write(planted: bytes) -> None:
    with pytest.raises(ValueError):
        codec.loads(planted, TYPES)


def test_codec_refuses_a_dict_subclass() -> None:
    from nhilint.parse.tree import LMap

    with pytest.raises(codec.Unencodable):
        codec.dumps([LMap()])


# --- facts entries (msgspec's typed JSON) ------------------------------------------------------


def test_a_facts_entry_round_trips_exactly() -> None:
    from nhilint import cache

    value = Extraction(
        facts=[
            StringValue(loc=Loc("a.tf", 2, 3), key="k", value="é odd", path="locals.k"),
            PolicyStatement(
                loc=Loc("a.tf", 4), actions=["*"], principals={"AWS": ["*"]}, action_loc=Loc("a.tf", 5)
            ),
            TokenScope(
                loc=Loc("w.yml", 1), permissions={"contents": "read"}, locs={"id-token": Loc("w.yml", 2)}
            ),
        ],
        problems=[Problem(Loc("b.tf", 1), "broken")],
        reads=[SideRead("a.tf", "policy.json", "missing")],
    )
    decoded = cache.decode_entry(cache.encode_entry(value))
    assert decoded == value and [type(f) for f in decoded.facts] == [type(f) for f in value.facts]


@pytest.mark.parametrize(
    "value",
    [
        ("read", "write"),  # a tuple would come back a list
        {"contents": LMap()},  # a dict subclass, a dict
        "\ud800",  # a lone surrogate (an HCL "\uD800" escape) is not UTF-8
    ],
    ids=["tuple", "dict-subclass", "surrogate"],
)
def test_a_facts_entry_is_written_only_when_it_reads_back_exactly(value: object) -> None:
    from nhilint import cache

    extraction = Extraction(facts=[TokenScope(loc=Loc("w.yml", 1), permissions=value)])
    with pytest.raises(codec.Unencodable):
        cache.encode_entry(extraction)


@pytest.mark.parametrize(
    "planted",
    [
        b'{"facts": [{"type": "Format", "name": "x", "title": "x", "language": "x", "extractor": "os"}]}',
        b'{"facts": [{"type": "Popen", "args": "id"}]}',  # not one of ours
        b'{"facts": [{"file": "a", "line": 1}]}',  # a Loc where a Fact belongs (no tag)
        b'{"facts": [{"type": "StringValue", "loc": {"file": "a", "line": "1"}}]}',  # wrong field type
        b'{"facts": [], "__class__": 1}',  # no such field
        b'{"$type": "Extraction", "fields": {"facts": []}}',  # the codec's layout, not this one
        b'{"facts": [{"type": "TokenScope", "loc": {"file": "a", "line": 1}, "permissions": '
        + b"[" * 100000
        + b"]" * 100000
        + b"}]}",  # nested past recursion under an `Any` field
        b"\x80\x04\x95",  # a pickle
    ],
)
def test_a_facts_entry_refuses_what_it_did_not_write(planted: bytes) -> None:
    from nhilint import cache

    with pytest.raises(ValueError):
        cache.decode_entry(planted)
