"""Hostile and broken input: every oddity costs one file (NHI001) or nothing, never the scan.

The corpus (tests/hostile/corpus.py) is built at test time and scanned by the real CLI in a child
process with a 2 GiB address-space limit, so a regression that explodes memory (alias bomb) or
recursion (10,000-level nesting) fails the run instead of the machine; the subprocess timeout
only guards against hangs (FIFOs).

Unreadable files: the suite may run as root, where `chmod 0` changes nothing. Those tests use
`chmod 0` only when it is effective and otherwise simulate the unreadable file with what root
cannot read either: a FIFO or a directory carrying an IaC name, and a file deleted between
discovery and reading.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nhilint.config import Config, Configs
from nhilint.parse.tree import Tagged
from nhilint.parse.yaml import parse_yaml
from nhilint.pipeline import discover, read
from nhilint.pipeline.scan import scan as scan_paths
from tests.hostile.corpus import FAKE_KEY, build

MEMORY_LIMIT = 2 * 1024**3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _cli_json(*args: str, cwd: Path) -> tuple[dict, subprocess.CompletedProcess[str]]:
    proc = subprocess.run(
        [sys.executable, "-m", "nhilint.cli", "scan", "--format", "json", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, preexec_fn=_limit_memory,
        env={**os.environ, "NO_COLOR": "1", "NHILINT_NO_CACHE": "1"},
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr  # 2 would be a usage error or a bug of ours
    assert "internal error" not in proc.stderr
    return json.loads(proc.stdout), proc


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict, str]:
    base = tmp_path_factory.mktemp("hostile")
    root = base / "repo"
    expect = build(root, base / "outside")
    report, proc = _cli_json(".", cwd=root)
    return root, expect, report, proc.stderr


def _findings(report: dict) -> list[dict]:
    return report["findings"]


def _by_file(report: dict, rel: str) -> list[tuple[str, int, str]]:
    """(rule, line, message) of each finding about `rel`, and of each rule folded into one."""
    found = [f for f in _findings(report) if f["file"] == rel]
    folded = [
        (rule, line, f["message"])
        for f in found
        for rule in f["also"]
        for line in (f["line"], *(r["line"] for r in f["related"] if r["message"].startswith(rule)))
    ]
    return [(f["rule_id"], f["line"], f["message"]) for f in found] + folded


def test_every_hostile_file_costs_only_itself(corpus: tuple[Path, dict, dict, str]) -> None:
    _, expect, report, stderr = corpus
    assert "Traceback" not in stderr
    for rel, exp in expect.items():
        got = _by_file(report, rel)
        if exp.rule == "skip":
            assert got == [], rel
        elif exp.rule == "NHI001":
            problems = [(line, msg) for rule, line, msg in got if rule == "NHI001"]
            assert len(problems) == 1 and problems[0][0] == exp.line, (rel, got)
            assert exp.words in problems[0][1], (rel, problems)
            assert "internal error" not in problems[0][1], (rel, problems)
        else:
            assert (exp.rule, exp.line) in [(rule, line) for rule, line, _ in got], (rel, got)


def test_only_corpus_files_are_reported(corpus: tuple[Path, dict, dict, str]) -> None:
    """Symlinks (loops, escapes out of the tree, dangling), FIFOs and directories are never followed."""
    root, expect, report, _ = corpus
    reported = {f["file"] for f in _findings(report)}
    assert reported <= set(expect)
    assert not any(name.startswith(("/", "..")) for name in reported)
    assert not any("outside-links" in name for name in reported)


def test_python_tags_are_never_constructed(corpus: tuple[Path, dict, dict, str]) -> None:
    root, _, _, _ = corpus
    assert not (root.parent / "PWNED").exists()
    (doc,) = parse_yaml((root / "yaml" / "python.yaml").read_text())
    assert isinstance(doc["a"], Tagged) and doc["a"].tag == "!!python/object/apply:os.system"


def test_size_cap_is_configurable(tmp_path: Path) -> None:
    (tmp_path / ".nhilint.yaml").write_text("max-file-size: 16\n")
    (tmp_path / "main.tf").write_text(f'locals {{\n  aws_key = "{FAKE_KEY}"\n}}\n')
    report, _ = _cli_json(".", cwd=tmp_path)
    [(rule, line, message)] = _by_file(report, "main.tf")
    assert (rule, line) == ("NHI001", 1) and "16-byte limit (max-file-size)" in message
    (tmp_path / ".nhilint.yaml").write_text("max-file-size: 100000\n")
    report, _ = _cli_json(".", cwd=tmp_path)
    assert [rule for rule, _, _ in _by_file(report, "main.tf")] == ["NHI101"]


def test_a_fifo_named_on_the_command_line_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.tf")
    report, _ = _cli_json("pipe.tf", cwd=tmp_path)
    [(rule, _, message)] = _by_file(report, "pipe.tf")
    assert rule == "NHI001" and "not a regular file" in message


def _write_tf(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'locals {{\n  aws_key = "{FAKE_KEY}"\n}}\n')


def test_unreadable_file_is_reported_and_the_rest_scanned(tmp_path: Path) -> None:
    _write_tf(tmp_path / "ok" / "main.tf")
    locked = tmp_path / "locked" / "main.tf"
    _write_tf(locked)
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root: chmod 0 is no barrier, simulate with a directory
            locked.unlink()
            locked.mkdir()
            paths = [tmp_path / "ok" / "main.tf", locked]  # as if discovered just before the swap
            reason = os.strerror(errno.EISDIR)  # the OS's words, whatever its language
        else:
            paths = discover.walk([tmp_path], tmp_path, Configs(explicit=Config())).files
            reason = os.strerror(errno.EACCES)
        sources = read.read_sources(paths, tmp_path, Config())
    finally:
        if locked.is_file():
            locked.chmod(0o644)
    assert [f.rel for f in sources.files] == ["ok/main.tf"]
    assert [(p.loc.file, p.reason) for p in sources.problems] == [
        ("locked/main.tf", f"cannot read file: {reason}")
    ]


def test_unreadable_directory_costs_nothing_else(tmp_path: Path) -> None:
    _write_tf(tmp_path / "ok" / "main.tf")
    _write_tf(tmp_path / "locked" / "main.tf")
    (tmp_path / "locked").chmod(0)
    try:
        effective = not os.access(tmp_path / "locked", os.R_OK)
        result = scan_paths([tmp_path], Config(), root=tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    files = sorted(f.loc.file for f in result.findings)
    assert files == (["ok/main.tf"] if effective else ["locked/main.tf", "ok/main.tf"])


def test_file_vanishing_after_discovery_is_skipped(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        _write_tf(tmp_path / name / "main.tf")
    paths = discover.walk([tmp_path], tmp_path, Configs(explicit=Config())).files
    (tmp_path / "b" / "main.tf").unlink()
    sources = read.read_sources(paths, tmp_path, Config())
    assert [f.rel for f in sources.files] == ["a/main.tf", "c/main.tf"]
    assert sources.problems == []


def test_file_swapped_for_a_fifo_after_discovery_does_not_hang(tmp_path: Path) -> None:
    target = tmp_path / "main.tf"
    _write_tf(target)
    paths = discover.walk([tmp_path], tmp_path, Configs(explicit=Config())).files
    target.unlink()
    os.mkfifo(target)
    done: list[read.Sources] = []
    reader = threading.Thread(
        target=lambda: done.append(read.read_sources(paths, tmp_path, Config())), daemon=True
    )
    reader.start()
    reader.join(timeout=60)
    if reader.is_alive():  # unblock the stuck reader before failing
        os.close(os.open(target, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO blocked the scan")
    [problem] = done[0].problems
    assert problem.reason == "cannot read file: not a regular file"


def test_gitlab_include_cycle_terminates(tmp_path: Path) -> None:
    """Local includes that include each other (and the root file) must end, not loop."""
    files = {
        ".gitlab-ci.yml": "include:\n  - local: /ci/a.yml\n"
        "deploy:\n  extends: .creds\n  script: [make deploy]\n",
        "ci/a.yml": "include:\n  - local: /ci/b.yml\n",
        "ci/b.yml": f"include:\n  - local: /ci/a.yml\n  - local: /.gitlab-ci.yml\n"
        f".creds:\n  variables:\n    AWS_ACCESS_KEY_ID: {FAKE_KEY}\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    report, proc = _cli_json(".", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert not [f for f in _findings(report) if "internal error" in f["message"]]
    # the cycle is really walked: the file at its far end is read and judged
    assert any(f["file"] == "ci/b.yml" and "NHI101" in (f["rule_id"], *f["also"]) for f in _findings(report))


def test_a_yaml_file_of_too_many_nodes_is_nhi001_and_its_earlier_documents_are_judged(tmp_path: Path) -> None:
    """Four 9.8 MB flow sequences of short scalars took 7.5 GB: a file may write MAX_NODES nodes
    (`too complex`, NHI001 where the budget ran out); the documents it finished are still read."""
    from nhilint.parse.yaml_builder import MAX_NODES

    secret = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n"
        f"stringData:\n  AWS_ACCESS_KEY_ID: {FAKE_KEY}\n"
    )
    items = ", ".join(["abcd"] * (MAX_NODES + 10))
    flood = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  items: [{items}]\n"
    (tmp_path / "stream.yaml").write_text(secret + "---\n" + flood)
    report, _ = _cli_json(".", cwd=tmp_path)
    got = _by_file(report, "stream.yaml")
    assert ("NHI101", 6) in [(rule, line) for rule, line, _ in got], got
    [(line, message)] = [(line, message) for rule, line, message in got if rule == "NHI001"]
    assert line == 13 and "too complex" in message
