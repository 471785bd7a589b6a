"""ruff and mypy stay clean: the conventions of DESIGN.md, enforced in CI rather than remembered."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from .conftest import ROOT

CHECKS = {
    "ruff-lint": ["ruff", "check", "src", "tests", "scripts", "benchmarks"],
    "ruff-format": ["ruff", "format", "--check", "src", "tests", "scripts", "benchmarks"],
    "mypy": ["mypy"],
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_clean(name: str) -> None:
    command = CHECKS[name]
    if importlib.util.find_spec(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (pip install -e '.[test]')")
    out = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stdout + out.stderr
