"""The collector is tuned for a scan and given back as it was: a long-lived process (a test run, a
library user) keeps its thresholds and can collect its objects again afterwards."""

from __future__ import annotations

import gc
from pathlib import Path

from click.testing import CliRunner

from nhilint.cli import main
from nhilint.parse import gc_paused
from nhilint.pipeline import gc_tuning


def test_tuned_freezes_and_restores() -> None:
    before = gc.get_threshold()
    with gc_tuning.tuned():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] >= gc_tuning.YOUNGEST
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_after_a_failing_scan_too() -> None:
    before = gc.get_threshold()
    try:
        with gc_tuning.tuned():
            raise ValueError("a scan that fails")
    except ValueError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_scan_in_process_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_access_key" "ci" {\n  user = "ci-deployer"\n}\n', encoding="utf-8"
    )
    before = gc.get_threshold()
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--no-cache", "--exit-zero"])
    assert result.exit_code == 0, result.output
    assert "NHI" in result.output
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_caller_that_froze_its_objects_keeps_them_frozen(tmp_path: Path) -> None:
    """A pre-fork server freezes its objects so forked children share their pages: a scan run in it must
    not unfreeze them (gc.unfreeze() gives back every frozen object, not only the scan's)."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_access_key" "ci" {\n  user = "ci-deployer"\n}\n', encoding="utf-8"
    )
    gc.freeze()
    try:
        result = CliRunner().invoke(main, ["scan", str(tmp_path), "--no-cache", "--exit-zero"])
        assert result.exit_code == 0, result.output
        assert gc.get_freeze_count() > 0  # (some frozen objects may have been freed meanwhile)
    finally:
        gc.unfreeze()


def test_paused_gives_the_collector_back_even_when_the_unit_fails() -> None:
    try:
        with gc_paused():
            assert not gc.isenabled()
            raise ValueError("an extractor's bug")
    except ValueError:
        pass
    assert gc.isenabled()


def test_paused_leaves_a_collector_disabled_by_the_caller_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_scan_with_a_broken_unit_leaves_the_collector_enabled(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ndata: [unclosed\n", encoding="utf-8"
    )
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_access_key" "ci" {\n  user = "ci"\n}\n', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--no-cache", "--exit-zero"])
    assert result.exit_code == 0, result.output
    assert "NHI001" in result.output and "NHI" in result.output
    assert gc.isenabled()
