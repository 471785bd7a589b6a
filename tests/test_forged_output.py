"""Names from a scanned repository cannot forge, break or inject into any output (issue 14, items 9-11).

A hostile repository names its files and resources with line breaks, GitHub workflow commands,
bidi overrides, Markdown/HTML and spreadsheet formulas; every report is produced by the real CLI.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from nhilint.report.escape import code_span, csv_cell, printable, terminal_line
from tests.conftest import run_cli

# Each is a resource name and (where a file system allows it) a directory name.
HOSTILE_NAMES = [
    "a\n::error file=x.tf::forged\n✓ no findings in 1 file scanned",
    "b\r::add-mask::x",
    "c\u2028::stop-commands::tok",
    "d\u202eflipped\u2066",
    "@org/team",
    "![x](http://evil.example/p.png)",
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://evil.example","click")',
]
USER_TF = """resource "aws_iam_user" "u{i}" {{
  name = "{name}"
}}

resource "aws_iam_access_key" "k{i}" {{
  user = aws_iam_user.u{i}.name
}}
"""


def _hcl_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("forged")
    for i, name in enumerate(HOSTILE_NAMES):
        directory = root / ("::error::dir" if i == 0 else f"m{i}")
        directory.mkdir(exist_ok=True)
        (directory / f"n{i}.tf").write_text(USER_TF.format(i=i, name=_hcl_string(name)), encoding="utf-8")
    (root / "=cmd|' x'!A1.tf").write_text(USER_TF.format(i=99, name="+plain"), encoding="utf-8")
    return root


def _scan(repo: Path, *args: str) -> str:
    proc = run_cli("scan", ".", *args, cwd=repo, env={"NHILINT_NO_CACHE": "1"})
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def test_the_hostile_names_reach_the_findings(repo: Path) -> None:
    import json

    names = {f["identity"]["name"] for f in json.loads(_scan(repo, "--format", "json"))["findings"]}
    assert {"@org/team", "d\u202eflipped\u2066"} <= names  # the rest of the test is not vacuous


def test_text_report_lines_are_all_ours(repo: Path) -> None:
    text = _scan(repo)
    lines = text.split("\n")
    for line in lines:
        assert not line.lstrip().startswith(("::", "##[")), line  # no GitHub workflow command
        assert not line.startswith("✓"), line  # no forged verdict
    assert lines[-2].startswith("✖ ")  # the real verdict is the last line
    assert len(text.splitlines()) == len(lines) - 1  # no CR, U+2028 or other hidden break
    assert not any(c in text for c in "\r\u2028\u202e\u2066")
    assert "d\\u202eflipped\\u2066" in text


def test_github_annotations_cannot_issue_other_commands(repo: Path) -> None:
    out = _scan(repo, "--format", "github")
    lines = out.splitlines()
    assert len(lines) == len(out.split("\n")) - 1
    commands = [line for line in lines if line.startswith("::")]
    assert commands and all(re.match(r"::(error|warning|notice) file=[^:,]*,line=\d+,", c) for c in commands)
    assert all(not line.startswith("::") for line in lines if line not in commands)
    assert "file=%3A%3Aerror%3A%3Adir/n0.tf," in out  # the `::` of a directory name is escaped


def _outside_code(markdown: str) -> str:
    """The Markdown with every inline code span removed: what GitHub would render live."""
    return re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)


def test_markdown_report_keeps_names_inert(repo: Path) -> None:
    md = _scan(repo, "--format", "markdown")
    assert "\r" not in md and "\u2028" not in md and "HYPERLINK" in md
    live = _outside_code(md)
    for inert in ("<img", "@org/team", "http://evil", "](", "::error", "\u202e"):
        assert inert not in live, inert
    assert not any(line.startswith("::") for line in md.splitlines())


def test_inventory_markdown_cells_are_code(repo: Path) -> None:
    proc = run_cli("inventory", ".", "--format", "markdown", cwd=repo, env={"NHILINT_NO_CACHE": "1"})
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| `")]
    assert len(rows) >= len(HOSTILE_NAMES) and "HYPERLINK" in proc.stdout
    assert "\r" not in proc.stdout
    live = _outside_code("\n".join(rows))
    assert set(live) <= {"|", " ", "\n"}, live  # every non-empty cell is one code span


def test_inventory_html_keeps_names_as_text(repo: Path) -> None:
    proc = run_cli("inventory", ".", "--format", "html", cwd=repo, env={"NHILINT_NO_CACHE": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "&lt;img src=x onerror=alert(1)&gt;" in proc.stdout and "<img" not in proc.stdout
    assert proc.stdout.count("<script>") == 1 and '<option value="aws_iam_user">' in proc.stdout


def _formula_cells(text: str) -> list[str]:
    starters = ("=", "+", "-", "@", "\t", "\r")
    return [c for row in csv.reader(io.StringIO(text)) for c in row if c.startswith(starters)]


def test_inventory_csv_has_no_formula(repo: Path) -> None:
    proc = run_cli("inventory", ".", "--format", "csv", cwd=repo, env={"NHILINT_NO_CACHE": "1"})
    assert "HYPERLINK" in proc.stdout
    assert [c for c in _formula_cells(proc.stdout) if not re.fullmatch(r"-\d+", c)] == []


def test_audit_csv_has_no_formula(repo: Path, tmp_path: Path) -> None:
    run_cli("audit", str(repo), "--csv", str(tmp_path / "a.csv"), cwd=tmp_path, env={"NHILINT_NO_CACHE": "1"})
    text = (tmp_path / "a.csv").read_text(encoding="utf-8")
    assert "HYPERLINK" in text and "'=cmd|" in text
    assert _formula_cells(text) == []


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb\rc\td", "a\\x0ab\\x0dc\\x09d"),
        ("x\u2028y\u2029z\x85", "x\\u2028y\\u2029z\\x85"),
        ("\u202egnp.exe\u2066\u200b\u200e", "\\u202egnp.exe\\u2066\\u200b\\u200e"),
        ("\x1b[31m", "\\x1b[31m"),
        ("nbsp\u00a0ideographic\u3000", "nbsp\\xa0ideographic\\u3000"),
        ("plain ünïcödé 名前 ✓", "plain ünïcödé 名前 ✓"),
    ],
)
def test_printable_escapes_every_invisible_or_breaking_character(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_a_line_never_starts_a_workflow_command() -> None:
    assert terminal_line("::error::x") == "\\x3a:error::x"
    assert terminal_line("  ##[warning]x") == "  \\x23#[warning]x"
    assert terminal_line("\u3000::error::x") == "\\u3000::error::x"
    assert terminal_line("a::b") == "a::b"


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("@org/team", "`@org/team`"),
        ("a`b", "``a`b``"),
        ("`x`", "`` `x` ``"),
        ("line\r\nbreak\u2028here", "`line break here`"),
        ("", ""),
    ],
)
def test_code_span_fences_and_collapses(text: str, span: str) -> None:
    assert code_span(text) == span


def test_code_span_in_a_table_escapes_pipes() -> None:
    assert code_span("a|b", in_table=True) == "`a\\|b`"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+x", "'+x"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("-31", "-31"),
        ("plain", "plain"),
        (12, 12),
    ],
)
def test_csv_cell_neutralises_formulas(cell: object, safe: object) -> None:
    assert csv_cell(cell) == safe


def test_no_name_path_or_message_holds_a_line_break(tmp_path: Path) -> None:
    """Issue 13: an unterminated heredoc used to put `...never ends\\n` into a name."""
    (tmp_path / "main.tf").write_text('resource "aws_iam_user" "u" {\n  name = <<EOT\nnever ends\n')
    import json

    report = json.loads(run_cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    texts = [
        text
        for f in report["findings"]
        for text in (
            f["message"],
            (f["identity"] or {}).get("name", ""),
            *(r["message"] for r in f["related"]),
        )
    ]
    assert texts and not [t for t in texts if len(t.splitlines()) > 1 or t.endswith("\n")]


# Red-team review: error messages on stderr quoted paths raw. GitHub reads workflow commands from
# stderr too, and a directory name can hold a line break.
FORGED_DIRECTORY = "ok\n::error title=forged::pwned\n✓ no findings in 1 file scanned"


def _stderr_lines_are_ours(stderr: str) -> None:
    assert stderr, "an error was expected"
    assert [line for line in stderr.splitlines() if not line.startswith("nhilint: ")] == []


@pytest.mark.parametrize("config", ["symlink", "invalid-yaml", "unknown-rule"])
def test_a_configuration_error_cannot_forge_stderr_lines(tmp_path: Path, config: str) -> None:
    directory = tmp_path / FORGED_DIRECTORY
    directory.mkdir()
    (directory / "main.tf").write_text('resource "aws_iam_user" "u" {\n  name = "u"\n}\n', encoding="utf-8")
    if config == "symlink":
        (tmp_path / "real.yaml").write_text("fail-on: error\n", encoding="utf-8")
        (directory / ".nhilint.yaml").symlink_to(tmp_path / "real.yaml")
    elif config == "invalid-yaml":
        (directory / ".nhilint.yaml").write_text("ignore: [\n  - x\n", encoding="utf-8")
    else:
        (directory / ".nhilint.yaml").write_text('ignore: ["NHI\\n::error::x"]\n', encoding="utf-8")
    proc = run_cli("scan", str(directory), cwd=tmp_path, env={"NHILINT_NO_CACHE": "1"})
    assert proc.returncode == 2
    _stderr_lines_are_ours(proc.stderr)


def test_a_missing_path_cannot_forge_stderr_lines(tmp_path: Path) -> None:
    proc = run_cli("inventory", FORGED_DIRECTORY, cwd=tmp_path, env={"NHILINT_NO_CACHE": "1"})
    assert proc.returncode == 2
    _stderr_lines_are_ours(proc.stderr)


def test_a_skipped_file_line_cannot_forge_stderr_lines(tmp_path: Path) -> None:
    named = tmp_path / "notes\n::error::forged.txt"
    named.write_text("nothing to read\n", encoding="utf-8")
    proc = run_cli("scan", named.name, "--verbose", cwd=tmp_path, env={"NHILINT_NO_CACHE": "1"})
    assert "skipped" in proc.stderr
    _stderr_lines_are_ours(proc.stderr)
