"""Every command the README and docs/ show works as written: each `nhilint ...` line parses with the real
CLI (and the local ones run), every install line names something that can be installed today, and the
pre-commit/Action examples all pin the same ref, one that exists."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from nhilint.cli import main as cli

from .conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLES = [*sorted((ROOT / "docs" / "examples").glob("*.yml")), ROOT / ".pre-commit-hooks.yaml"]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"`(nhilint [^`]+)`")
PLACEHOLDER = re.compile(r"\[?[A-Z][A-Z0-9_]*\]?(\.\.\.)?")  # FILE, [PATHS]..., N: the user's values
PROMPT = re.compile(r"^\s*(?:\$ |- run: |run: )")
SEPARATORS = {"&&", "||", ";", "|", ">", ">>", "<", "(", ")", "2>", "&"}
# The only ways to name the package: a release of it (docs/install.md, after the first release) or the repo.
REPOSITORY = "https://github.com/nhilint/nhilint"


def shell_lines(text: str) -> Iterator[str]:
    """The lines of every fenced block (continuations joined, prompts and `run:` removed)."""
    for block in FENCE.finditer(text):
        for line in block.group(2).replace("\\\n", " ").splitlines():
            yield PROMPT.sub("", line).strip()


def commands(tokens: list[str]) -> Iterator[list[str]]:
    """Each simple command of a tokenised shell line, split at operators and redirections."""
    current: list[str] = []
    for token in tokens:
        if token in SEPARATORS or token.startswith(("$(", '"$(')):
            if current:
                yield current
            current = []
        else:
            current.append(token)
    if current:
        yield current


def tokenise(line: str) -> list[str]:
    line = re.sub(r"\$\{\{[^}]*\}\}", "1", line)  # a workflow expression (${{ matrix.shard }}) is a value
    lexer = shlex.shlex(line.replace("$(", " ( "), posix=True, punctuation_chars=";&|<>()")
    lexer.whitespace_split, lexer.commenters = True, "#"
    try:
        return list(lexer)
    except ValueError:  # an unbalanced quote: not a shell line (YAML, prose)
        return []


def documented_nhilint_commands() -> list[tuple[str, list[str]]]:
    """(file, argv after `nhilint`) for every nhilint command line in a code block or inline code span."""
    found: list[tuple[str, list[str]]] = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        # An inline span like `nhilint baseline write` names a command in prose: spans with a path or an
        # option are command lines.
        spans = [span for span in INLINE.findall(text) if re.search(r"\s(-|\S*[./])", span)]
        lines = [*shell_lines(text), *spans]
        for line in lines:
            for argv in commands(tokenise(line)):
                if argv and (argv[0] == "nhilint" or argv[0].endswith("/bin/nhilint")):
                    found.append((doc.relative_to(ROOT).as_posix(), argv[1:]))
    return found


DOCUMENTED = documented_nhilint_commands()


def parse(argv: list[str], cwd: Path) -> None:
    """Parse ARGV as the installed `nhilint` would, down to the subcommand's options and arguments, without
    running it. A placeholder (N, FILE) stands for a number or a path; the paths a command names are
    created in CWD (a name with a suffix as a file, else a directory): the docs name the user's files."""
    argv = ["2" if token == "N" else "x" if PLACEHOLDER.fullmatch(token) else token for token in argv]
    for token in argv:
        if token.startswith("-"):
            continue
        target = cwd / token
        if Path(token).suffix:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
        else:
            target.mkdir(parents=True, exist_ok=True)
    command: click.Command = cli
    ctx: click.Context | None = None
    name, rest = "nhilint", list(argv)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        while True:
            ctx = command.make_context(name, rest, parent=ctx, resilient_parsing=False)
            if not isinstance(command, click.Group):
                return
            # What the group left for its subcommand (click 8.2 renamed the attribute).
            protected = ctx._protected_args if hasattr(ctx, "_protected_args") else ctx.protected_args
            rest = [*protected, *ctx.args]
            if not rest:
                return  # `nhilint` alone prints the help
            sub = command.get_command(ctx, rest[0])
            if sub is None:
                raise click.UsageError(f"no such command {rest[0]!r}", ctx)
            command, name, rest = sub, rest[0], rest[1:]


def test_the_docs_show_nhilint_commands() -> None:
    files = {doc for doc, _ in DOCUMENTED}
    assert {"README.md", "docs/quick-start.md", "docs/install.md", "docs/json-output.md"} <= files
    assert len(DOCUMENTED) > 40


@pytest.mark.parametrize(("doc", "argv"), DOCUMENTED, ids=[f"{d}:{' '.join(a)}" for d, a in DOCUMENTED])
def test_every_documented_nhilint_command_parses(doc: str, argv: list[str], tmp_path: Path) -> None:
    try:
        parse(argv, tmp_path)
    except click.exceptions.Exit:
        pass  # --version, --help
    except click.ClickException as exc:
        pytest.fail(f"{doc}: `nhilint {shlex.join(argv)}` is not a valid command: {exc.format_message()}")


@pytest.mark.parametrize("argv", ["--format json .", "scan --format yaml .", "scan --jobs 0 ."])
def test_the_parser_rejects_what_the_cli_rejects(argv: str, tmp_path: Path) -> None:
    """The check above can fail: the example issue 23 found (`nhilint --format json .`) does not parse."""
    with pytest.raises(click.UsageError):
        parse(shlex.split(argv), tmp_path)


def test_the_json_validation_example_runs_as_written(tmp_path: Path) -> None:
    """docs/json-output.md's two lines, run in a directory with a finding: the report validates."""
    page = (ROOT / "docs" / "json-output.md").read_text()
    lines = [line for line in shell_lines(page) if "report.json" in line]
    assert len(lines) == 2 and lines[0].startswith("nhilint scan")
    shutil.copytree(ROOT / "fixtures" / "insecure", tmp_path / "repo")
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "check-jsonschema").exists():
        pytest.skip("check-jsonschema is not installed beside this Python")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c")}
    script = "\n".join(["set -e", 'python3() { python "$@"; }', *lines])  # `python3` is the venv's here
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path / "repo", env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "repo" / "report.json").stat().st_size > 100


LOCAL_COMMANDS = {"scan", "rules", "explain", "checkov-dir"}


def runnable(argv: list[str]) -> bool:
    """A documented command that needs nothing but the repository's fixtures and writes only to its cwd."""
    if not argv or argv[0] not in LOCAL_COMMANDS or any("$" in t or PLACEHOLDER.fullmatch(t) for t in argv):
        return False
    if {"--baseline", "--config"} & set(argv):  # the user's files
        return False
    paths = [t for t in argv[1:] if not t.startswith("-") and ("/" in t or t == ".")]
    return all(t == "." or t.startswith("fixtures/") for t in paths)


RUNNABLE = sorted({shlex.join(argv) for _, argv in DOCUMENTED if runnable(argv)})


def test_some_documented_commands_run_locally() -> None:
    assert "scan fixtures/" in RUNNABLE and "rules" in RUNNABLE


@pytest.mark.parametrize("command", RUNNABLE)
def test_documented_local_commands_run(command: str, tmp_path: Path) -> None:
    """Run in a directory holding a copy of the fixtures: a scan reports (0 or 1), never a usage error."""
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    done = subprocess.run(
        [sys.executable, "-m", "nhilint", *shlex.split(command)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    assert done.returncode in (0, 1), f"nhilint {command}: {done.returncode}\n{done.stderr}"


INSTALL = re.compile(r"\b(pipx?) install ([^\n]*)")


def install_targets() -> list[tuple[str, str]]:
    """(file, what is installed) for every pip/pipx install of nhilint in the docs' code blocks."""
    found = []
    for doc in DOCS:
        for line in shell_lines(doc.read_text(encoding="utf-8")):
            for match in INSTALL.finditer(line):
                for target in tokenise(match.group(2)):
                    if target in SEPARATORS:
                        break
                    if "nhilint" in target or target in (".", "-e"):
                        found.append((doc.relative_to(ROOT).as_posix(), target))
    return found


def test_every_install_line_names_something_installable_today() -> None:
    """Before the first release there is no `nhilint` on PyPI: install lines name the repository at a ref,
    a clone (`.`), or a release only in install.md's "after the first release" block."""
    targets = install_targets()
    assert any(t.startswith("git+") for _, t in targets)
    after_release = (ROOT / "docs" / "install.md").read_text().split("## After the first release")[1]
    for doc, target in targets:
        if target in (".", "-e", ".[test]") or target.startswith("git+"):
            assert not target.startswith("git+") or re.fullmatch(
                rf"git\+{re.escape(REPOSITORY)}@[\w.-]+", target
            ), f"{doc}: {target}"
            continue
        assert doc == "docs/install.md" and f"install {target}" in after_release, f"{doc}: `install {target}`"


def pinned_refs() -> list[tuple[str, str]]:
    """(file, ref) of every pre-commit `rev:` under our repository and every `uses: nhilint/nhilint@ref`."""
    refs = []
    for path in [*DOCS, *EXAMPLES]:
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT).as_posix()
        revs = re.findall(rf"repo: {re.escape(REPOSITORY)}\s+#?\s*rev: ([\w.-]+)", text)
        refs += [(rel, ref) for ref in revs]
        refs += [(rel, ref) for ref in re.findall(r"uses: nhilint/nhilint@([\w.-]+)", text)]
    return refs


def test_examples_pin_one_ref_that_exists() -> None:
    """All pre-commit and Action examples name the same ref (one edit per release, docs/install.md), and
    it exists: `main` before the first release, else a release tag or commit SHA of this repository."""
    refs = pinned_refs()
    files = {rel for rel, _ in refs}
    assert {"README.md", "docs/four-doors.md", "docs/github-actions.md", "docs/install.md"} <= files
    assert {".pre-commit-hooks.yaml", "docs/examples/nhilint-pr.yml"} <= files
    assert len({ref for _, ref in refs}) == 1, refs
    ref = refs[0][1]
    if ref == "main":
        return
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: cannot check the ref exists")
    known = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert known.returncode == 0, f"the examples pin {ref}, which is not a tag or commit of this repository"
