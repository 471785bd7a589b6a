"""A scan loads only what its files need: the compiled catalogue, no jsonschema, no tree-sitter for a
workflow, no audit/inventory/merge code. Behaviour tests (what is imported), not timing tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from nhilint import __version__, catalogue

WORKFLOW = """\
name: deploy
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: eu-west-1
"""

# Runs a module as `python -m` would, then writes the names of every module the run imported.
RUNNER = """\
import runpy, sys
out, module = sys.argv[1:3]
sys.argv = ["nhilint", *sys.argv[3:]]
try:
    runpy.run_module(module, run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(out, "w") as f:
    f.write("\\n".join(sorted(sys.modules)))
sys.exit(code)
"""

NOT_FOR_A_WORKFLOW = ("tree_sitter", "tree_sitter_hcl", "jsonschema", "nhilint.formats.terraform.extract")
NOT_FOR_SCAN = (  # audit: merge too; a command's module is imported only when it runs
    "nhilint.audit",
    "nhilint.inventory",
    "nhilint.catalogue.docs",
    "nhilint.commands.audit",
    "nhilint.commands.inventory",
    "nhilint.commands.baseline",
    "nhilint.commands.fix",
    "nhilint.commands.rules",
)


def modules_of(
    tmp_path: Path, *args: str, module: str = "nhilint"
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -m MODULE ARGS` cold (a fresh, empty cache); return it and the modules it imported.
    `nhilint` is what the installed `nhilint` command runs."""
    runner, listing = tmp_path / "runner.py", tmp_path / "modules.txt"
    runner.write_text(RUNNER)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "fresh-cache")}
    env.pop("NHILINT_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, str(runner), str(listing), module, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, set(listing.read_text().split())


def test_a_cold_workflow_scan_imports_no_tree_sitter_jsonschema_or_other_commands(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "deploy.yml").write_text(WORKFLOW)
    done, modules = modules_of(tmp_path, "scan", "repo", "--format", "json", module="nhilint.cli")
    assert done.returncode == 1, done.stderr
    assert "NHI103" in {f["rule_id"] for f in json.loads(done.stdout)["findings"]}
    assert {"nhilint.pipeline.scan", "yaml"} <= modules  # the runner saw the scan's imports
    assert sorted(m for m in modules if m.startswith(NOT_FOR_A_WORKFLOW + NOT_FOR_SCAN)) == []


TERRAFORM = """\
resource "aws_iam_user" "deployer" {
  name = "deployer"
}

resource "aws_iam_access_key" "deployer" {
  user = aws_iam_user.deployer.name
}
"""
# Pipelines pull in their includes/templates before extraction: a scan without a pipeline has none;
# nor does a scan without a plan read one.
NOT_FOR_TERRAFORM = (
    "nhilint.formats.gitlab_ci.extract",
    "nhilint.formats.azure_pipelines.extract",
    "nhilint.formats.terraform.plan",  # a `.tf` is no plan by its name alone
    "nhilint.formats.terraform.planned",
)


def test_a_terraform_scan_imports_no_pipeline_extractor(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "iam.tf").write_text(TERRAFORM)
    done, modules = modules_of(tmp_path, "scan", "infra", "--format", "json")
    assert done.returncode == 1, done.stderr
    assert "NHI102" in {f["rule_id"] for f in json.loads(done.stdout)["findings"]}  # a long-lived key
    assert "nhilint.formats.terraform.extract" in modules  # the runner saw the scan's imports
    assert sorted(m for m in modules if m.startswith(NOT_FOR_TERRAFORM + NOT_FOR_SCAN)) == []


def test_a_one_process_scan_imports_no_pickle_or_difflib(tmp_path: Path) -> None:
    """Only workers (`--jobs`) pickle, only `--diff` diffs; marking the fixable findings needs neither."""
    (tmp_path / "deploy.yml").write_text(WORKFLOW)
    done, modules = modules_of(tmp_path, "scan", "deploy.yml", "--format", "json")
    assert done.returncode == 1, done.stderr
    assert "nhilint.fixes.session" in modules  # the runner saw the marking's imports
    assert sorted(modules & {"pickle", "difflib", "multiprocessing"}) == []


def test_a_warm_json_scan_imports_no_extractor_or_shutil(tmp_path: Path) -> None:
    """The cache answers: telling a `.tf` from a plan needs no extractor; and only `text` wraps to the
    terminal's width (shutil imports the compression modules)."""
    (tmp_path / "iam.tf").write_text(TERRAFORM)
    modules_of(tmp_path, "scan", "iam.tf", "--format", "json")  # fills the cache
    done, modules = modules_of(tmp_path, "scan", "iam.tf", "--format", "json")
    assert done.returncode == 1 and "NHI102" in done.stdout, done.stderr
    assert "nhilint.pipeline.scan" in modules and "tree_sitter" not in modules  # warm: the cache answered
    assert sorted(modules & {"shutil", "bz2", "lzma"}) == []
    assert sorted(
        m for m in modules if m.startswith(("nhilint.formats.terraform.", "nhilint.parse.hcl"))
    ) == [
        "nhilint.formats.terraform.modules"  # how a module's calls are found: what the cache key holds
    ]


def test_a_config_file_is_still_validated_on_a_cold_scan(tmp_path: Path) -> None:
    """jsonschema is imported only when a configuration file needs validating, and then it is."""
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "deploy.yml").write_text(WORKFLOW)
    (repo / ".nhilint.yaml").write_text("fail-on: sometimes\n")
    done, modules = modules_of(tmp_path, "scan", "repo")
    assert done.returncode == 2 and "fail-on" in done.stderr
    assert "jsonschema" in modules


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_answers_without_importing_the_cli(tmp_path: Path, flag: str) -> None:
    done, modules = modules_of(tmp_path, flag)
    assert done.returncode == 0 and done.stdout == f"nhilint, version {__version__}\n"
    # nhilint._version: the version written at install time from the git tag, one assignment
    assert sorted(m for m in modules if m.startswith(("click", "nhilint.", "yaml"))) == ["nhilint._version"]
    # the same answer as the CLI's own --version
    cli = subprocess.run([sys.executable, "-m", "nhilint.cli", flag], capture_output=True, text=True)
    assert cli.stdout == done.stdout


def test_the_command_runs_the_cli_for_everything_else(tmp_path: Path) -> None:
    (tmp_path / "deploy.yml").write_text(WORKFLOW)
    done, modules = modules_of(tmp_path, "scan", "deploy.yml", "--format", "concise")
    assert done.returncode == 1 and "NHI103" in done.stdout and "nhilint.cli" in modules
    assert subprocess.run([sys.executable, "-m", "nhilint", "--help"], capture_output=True).returncode == 0


def test_the_compiled_catalogue_is_what_checks_compile_to() -> None:
    stale = json.loads(catalogue.COMPILED.read_text(encoding="utf-8")) != json.loads(
        catalogue.compiled_text()
    )
    assert not stale, "run `python scripts/generate_docs.py` (it compiles checks/ to catalogue.json)"


@pytest.fixture
def compiled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the compiled catalogue that `catalogue.load()` reads instead of the real one."""
    copy = tmp_path / "catalogue.json"
    copy.write_text(catalogue.COMPILED.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(catalogue, "COMPILED", copy)
    catalogue.load.cache_clear()
    yield copy
    catalogue.load.cache_clear()


def test_a_scan_reads_the_compiled_catalogue(compiled_copy: Path) -> None:
    data = json.loads(compiled_copy.read_text(encoding="utf-8"))
    data["checks"]["NHI101"]["summary"] = "compiled"
    compiled_copy.write_text(json.dumps(data), encoding="utf-8")
    assert catalogue.load()["NHI101"].summary == "compiled"


@pytest.mark.parametrize("damage", ["stale", "missing"])
def test_a_checkout_whose_entries_changed_reads_them_from_checks(compiled_copy: Path, damage: str) -> None:
    """An engineer who edited checks/*.yaml and did not regenerate yet still scans with the edit."""
    if damage == "missing":
        compiled_copy.unlink()
    else:
        data = json.loads(compiled_copy.read_text(encoding="utf-8"))
        data["source"] = "0" * 64  # compiled from other entries than those in checks/ now
        data["checks"]["NHI101"]["summary"] = "compiled"
        compiled_copy.write_text(json.dumps(data), encoding="utf-8")
    assert catalogue.load() == catalogue.from_sources()


def test_the_help_lists_each_command_with_its_own_help_line() -> None:
    """`nhilint --help` imports no command: its table must say what each command's help says."""
    from nhilint.commands import COMMANDS, main

    ctx = click.Context(main, info_name="nhilint")
    assert main.list_commands(ctx) == sorted(COMMANDS)
    for name, (_, _, line) in COMMANDS.items():
        command = main.get_command(ctx, name)
        assert command is not None and command.name == name
        for limit in (20, 45, 60, 200):  # click cuts the line to the terminal's width
            shown = click.Command(name, help=line).get_short_help_str(limit)
            assert shown == command.get_short_help_str(limit)
    assert main.get_command(ctx, "nonsense") is None


def test_the_help_imports_no_command(tmp_path: Path) -> None:
    done, modules = modules_of(tmp_path, "--help")
    assert done.returncode == 0 and "scan " in done.stdout and "audit " in done.stdout
    assert sorted(m for m in modules if m.startswith("nhilint.commands.")) == []


@pytest.mark.skipif(
    not hasattr(click, "NoSuchCommand"), reason="click < 8.2 suggests no close command name at all"
)
def test_a_mistyped_command_is_still_told_the_close_name(tmp_path: Path) -> None:
    done, modules = modules_of(tmp_path, "scna")
    assert done.returncode == 2 and "'scan'" in done.stderr
