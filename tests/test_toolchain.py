"""The test suite passes on a fresh machine: pinned tools, no machine-specific paths, no silent skips."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import REQUIRE_TOOLS, ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)(?:\s*;\s*(?P<marker>.+))?$")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return normalise(match[0])


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            match = PIN.match(line)
            assert match, f"{path.name}: not an exact pin: {line}"
            found[normalise(match["name"])] = match["version"]
    return found


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (command,) = [line for line in readme.splitlines() if "-m pytest" in line and "pip install" in line]
    return command


def test_readme_and_ci_install_the_pinned_test_toolchain() -> None:
    command = readme_test_command()
    assert "-c constraints/test.txt" in command and "'.[test]'" in command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines(), ".ci/run runs README's test command, word for word"
    assert f"export {REQUIRE_TOOLS}=1" in ci


def test_every_test_tool_is_pinned_and_runtime_dependencies_keep_lower_bounds() -> None:
    pinned = pins(ROOT / "constraints" / "test.txt")
    project = PYPROJECT["project"]
    runtime = [r for r in project["dependencies"] if "python_version < '3.11'" not in r]
    for requirement in runtime + project["optional-dependencies"]["test"]:
        assert requirement_name(requirement) in pinned, requirement
    assert "nhilint" not in pinned
    for requirement in project["dependencies"]:
        assert ">=" in requirement and "==" not in requirement, f"{requirement}: a lower bound, not a pin"
    assert "checkov" in pins(ROOT / "constraints" / "checkov.txt")


def test_no_test_hard_codes_a_machine_path() -> None:
    machine_path = re.compile(r"""["'](?:/tmp|/home|/work|/root|/Users|/usr/bin)/""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if machine_path.search(line)
    ]
    assert offenders == [], "use tmp_path, ROOT or FIXTURES instead"


def run_chromium_test(**env: str) -> subprocess.CompletedProcess[str]:
    test = "tests/test_inventory.py::test_html_report_renders_its_rows_in_headless_chromium"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", test],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != REQUIRE_TOOLS}, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_missing_tool_is_a_reported_skip_locally_and_a_failure_in_ci(tmp_path: Path) -> None:
    absent = str(tmp_path / "no-chromium-here")
    local = run_chromium_test(CHROMIUM=absent)
    assert local.returncode == 0, local.stdout + local.stderr
    assert re.search(r"^SKIPPED \[1\] .*chromium", local.stdout, re.M), local.stdout  # -rs says why
    ci = run_chromium_test(CHROMIUM=absent, **{REQUIRE_TOOLS: "1"})
    assert ci.returncode == 1, ci.stdout + ci.stderr
    assert "1 failed" in ci.stdout
