"""The architecture in docs/architecture.md, checked: the layer contract (import-linter's contracts in
pyproject.toml: layers, reporters, the click layer, no cycles) holds, and breaks when a forbidden
import is added; no module grows past MAX_LINES.

import-linter rather than a hand-written walk over the import graph: its contracts are declarative
(the layer list is the documentation), it follows indirect imports and names the chain that breaks.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, missing_tool

SRC = ROOT / "src"
MAX_LINES = 450

# Modules over MAX_LINES that issue 17's other steps are splitting: empty this as they land. An entry
# that no longer names a long module fails the test, so the list only shrinks.
TOO_LONG_FOR_NOW: dict[str, str] = {}


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """import-linter on the `nhilint` under `project`/src, with `project`/pyproject.toml's contracts."""
    if importlib.util.find_spec("importlinter") is None:  # the test extra installs it from Python 3.11
        missing_tool("import-linter not installed: pip install -e '.[test]' -c constraints/test.txt")
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    command = (
        "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    )
    return subprocess.run(
        [sys.executable, "-c", command, "--no-cache", "--no-logo"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_layer_contract_holds() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the package and its contracts, to add a forbidden import to."""
    shutil.copytree(
        SRC / "nhilint", tmp_path / "src" / "nhilint", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "statement"),
    [
        ("report/text.py", "import nhilint.commands"),  # a reporter reaching for the click layer
        ("report/sarif.py", "import nhilint.pipeline.scan"),  # a reporter reaching into the pipeline
        ("parse/json.py", "import nhilint.rules"),  # a lower layer importing a higher one
        # rules and formats are independent
        ("rules/nhi206_rbac_wildcard.py", "import nhilint.formats.kubernetes"),
        ("pipeline/scan.py", "import nhilint.audit"),  # the pipeline importing a product feature
        ("catalogue/__init__.py", "import nhilint.findings"),  # the cycle findings -> catalogue -> findings
        ("inventory/model.py", "import nhilint.inventory.output"),  # output -> model -> output
        ("store.py", "import nhilint.formats"),  # the bottom store reaching up (config -> store -> formats)
    ],
)
def test_a_forbidden_import_breaks_the_contract(project: Path, module: str, statement: str) -> None:
    path = project / "src" / "nhilint" / module
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("from __future__ import annotations\n")
    path.write_text(head + sep + statement + "  # noqa\n" + rest, encoding="utf-8")
    done = lint_imports(project)
    assert done.returncode == 1, done.stdout + done.stderr


def test_the_copy_keeps_the_contract_until_an_import_is_added(project: Path) -> None:
    """The harness above checks the copy, not the installed package: unchanged, it passes."""
    done = lint_imports(project)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_module_is_longer_than_the_limit() -> None:
    lengths = {
        path.relative_to(SRC).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted((SRC / "nhilint").rglob("*.py"))
    }
    offenders = {name: n for name, n in lengths.items() if n > MAX_LINES and name not in TOO_LONG_FOR_NOW}
    assert offenders == {}, f"split these modules (at most {MAX_LINES} lines): {offenders}"
    done = [name for name in TOO_LONG_FOR_NOW if lengths.get(name, 0) <= MAX_LINES]
    assert done == [], f"no longer too long (or moved): delete from TOO_LONG_FOR_NOW: {done}"


def _format_names_in(source: str) -> list[tuple[int, str]]:
    """(line, literal) of each string literal of `source` that is a format's name, except a platform
    compared with a fact's `provider`/`platform` or mapped to in a `*PLATFORMS` table (the platform
    Kubernetes shares its spelling with the format)."""
    import ast

    from nhilint.formats.registry import FORMATS

    names = {f.name for f in FORMATS}
    tree = ast.parse(source)
    platforms: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr in ("provider", "platform") for s in sides):
                platforms.update(id(s) for s in sides)
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Dict)
            and any(isinstance(t, ast.Name) and t.id.endswith("PLATFORMS") for t in node.targets)
        ):
            platforms.update(id(v) for v in node.value.values)
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in names and id(node) not in platforms
    )


def test_rules_name_no_format() -> None:
    """What a rule needs to know of a format comes from its `Format` through the RuleContext
    (`ctx.nouns`, `ctx.ci_formats`, `ctx.literal_logins`, ...), never from its name in a rule."""
    found = {
        path.name: names
        for path in sorted((SRC / "nhilint" / "rules").glob("*.py"))
        if (names := _format_names_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_a_format_name_in_a_rule_is_found() -> None:
    rule = 'def f(ctx, v):\n    if ctx.format_of(v.loc) in ("gitlab-ci", "x"):\n        return "mcp"\n'
    assert _format_names_in(rule) == [(2, "gitlab-ci"), (3, "mcp")]
    platform = 'P_PLATFORMS = {"helm": "kubernetes"}\nok = i.provider == "kubernetes"\n'
    assert _format_names_in(platform) == []


def _dataclass_imports_in(source: str) -> list[int]:
    """The lines of `source` that import `dataclasses` (to declare a dataclass, or use its helpers)."""
    import ast

    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if (isinstance(node, ast.Import) and any(a.name.split(".")[0] == "dataclasses" for a in node.names))
        or (isinstance(node, ast.ImportFrom) and node.module == "dataclasses")
    )


def test_no_module_declares_a_dataclass() -> None:
    """Our classes are `msgspec.Struct`s. CPython builds each dataclass at every start by exec-ing the
    generated source of its methods (no .pyc keeps them): 73 cost a third of a one-file scan."""
    found = {
        str(path.relative_to(SRC)): lines
        for path in sorted((SRC / "nhilint").rglob("*.py"))
        if (lines := _dataclass_imports_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "declare a msgspec.Struct (msgspec.structs has replace, asdict, fields)"


def test_a_dataclass_import_is_found() -> None:
    source = "import dataclasses\nfrom dataclasses import dataclass as d\nfrom msgspec import Struct\n"
    assert _dataclass_imports_in(source) == [1, 2]
    assert _dataclass_imports_in("def f():\n    import dataclasses\n") == [2]


def test_a_one_file_scan_never_imports_dataclasses(tmp_path: Path) -> None:
    """Nothing a scan of one Terraform file runs, ours or the standard library's, loads `dataclasses`."""
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "iam.tf").write_text(
        'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n\n'
        'resource "aws_iam_access_key" "ci" {\n  user = aws_iam_user.ci.name\n}\n'
    )
    runner = (
        "import runpy, sys\n"
        "sys.argv = ['nhilint', 'scan', 'infra', '--format', 'json', '--no-cache']\n"
        "try:\n    runpy.run_module('nhilint', run_name='__main__', alter_sys=True)\n"
        "except SystemExit:\n    pass\n"
        "print('dataclasses' in sys.modules, 'nhilint.formats.terraform.extract' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", runner], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.splitlines()[-1] == "False True", done.stdout[-2000:] + done.stderr
    assert '"NHI102"' in done.stdout  # the scan ran: a long-lived access key
