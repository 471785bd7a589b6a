"""Baselines: only new findings fail; entries survive moved lines; stale entries are counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.config import Config
from nhilint.pipeline import baseline
from nhilint.pipeline.scan import scan as scan_paths

from .conftest import FIXTURES, run_cli

TOKEN = "ghp_R8x2Lq9ZbT4mW7nK3vY6pJ1sD5fH0gC8aE2u"


def copy_insecure(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "insecure", root)
    return root


def scan(root: Path, entries: set[baseline.Entry] | None = None):
    return scan_paths([root], Config(max_identity_lifetime_days=3650), root=root, baseline=entries)


def test_baseline_suppresses_every_current_finding_and_holds_no_values(tmp_path: Path) -> None:
    root = copy_insecure(tmp_path)
    first = scan(root)
    text = baseline.render(first.findings)
    document = json.loads(text)
    assert document["version"] == 1 and document["findings"] == sorted(
        document["findings"], key=lambda e: (e["rule_id"], e["file"], e["identity"], e["fingerprint"])
    )
    assert "message" not in text and "AKIA" not in text and "ghp_" not in text
    second = scan(root, {baseline.Entry(**e) for e in document["findings"]})
    assert first.active and second.active == [] and second.baseline_stale == 0
    inline = {f.fingerprint for f in first.findings if f.suppression is not None}
    assert {f.suppression_kind for f in second.findings if f.fingerprint not in inline} == {"external"}


def test_baseline_survives_lines_inserted_above_every_finding(tmp_path: Path) -> None:
    root = copy_insecure(tmp_path)
    result = scan(root)
    entries = baseline.entries_of(result.findings)
    for file in {f.loc.file for f in result.active}:
        path = root / file
        lines = path.read_text().splitlines(keepends=True)
        marked = {f.loc.line for f in result.active if f.loc.file == file}
        inserted = "\n" if file.endswith(".json") else "# an inserted line\n"  # JSON has no comments
        path.write_text("".join((inserted if i + 1 in marked else "") + line for i, line in enumerate(lines)))
    moved = scan(root, entries)
    assert [f.loc.line for f in moved.findings] != [f.loc.line for f in result.findings]
    assert moved.active == [] and moved.baseline_stale == 0


def test_new_finding_fails_and_fixed_ones_are_stale(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text(f'locals {{\n  a = "{TOKEN}"\n  b = "{TOKEN[:-1]}x"\n}}\n')
    entries = {baseline.Entry.of(f) for f in scan(root).active}
    assert len(entries) == 2
    (root / "main.tf").write_text(f'locals {{\n  a = "{TOKEN}"\n  c = "{TOKEN[:-1]}y"\n}}\n')
    result = scan(root, entries)
    assert [(f.rule_id, f.loc.line) for f in result.active] == [("NHI101", 3)]
    assert result.baseline_stale == 1


def test_cli_baseline_write_and_scan(tmp_path: Path) -> None:
    root = copy_insecure(tmp_path)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert (
        run_cli("scan", ".", "--config", str(FIXTURES / ".nhilint.yaml"), cwd=root, env=env).returncode == 1
    )
    written = run_cli(
        "baseline",
        "write",
        "nhilint-baseline.json",
        "--config",
        str(FIXTURES / ".nhilint.yaml"),
        cwd=root,
        env=env,
    )
    assert written.returncode == 0 and "wrote" in written.stderr
    args = ("scan", ".", "--config", str(FIXTURES / ".nhilint.yaml"), "--baseline", "nhilint-baseline.json")
    proc = run_cli(*args, cwd=root, env=env)
    assert proc.returncode == 0, proc.stdout
    (root / "terraform" / "aws" / "main.tf").write_text("# emptied\n")
    proc = run_cli(*args, cwd=root, env=env)
    assert "stale baseline entr" in proc.stdout
    summary = json.loads(run_cli(*args, "--format", "json", cwd=root, env=env).stdout)["summary"]
    assert summary["baseline_stale"] > 0


@pytest.mark.parametrize(
    "content", ["not json", '{"version": 99, "findings": []}', '{"version": 1, "findings": [{}]}']
)
def test_bad_baseline_is_one_sentence(tmp_path: Path, content: str) -> None:
    (tmp_path / "b.json").write_text(content)
    proc = run_cli("scan", ".", "--baseline", "b.json", cwd=tmp_path)
    assert (
        proc.returncode == 2
        and proc.stderr.startswith("nhilint: error: baseline")
        and "Traceback" not in proc.stderr
    )
