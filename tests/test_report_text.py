"""Text output: per finding a header, the message, the source line with the span underlined (no
secret in it), the fix, related places and the rule's page; wrapped prose; counts per rule; and the
concise one-line format."""

from __future__ import annotations

import json
import re
import string
import sys
from pathlib import Path

import pytest
import yaml

from nhilint import catalogue
from nhilint.facts import Loc
from nhilint.findings import Finding, IdentityRef, Related, ScanResult
from nhilint.report import render
from nhilint.report.snippet import MAX_COLUMNS, snippet
from nhilint.report.text import RULE_DOCS

from .conftest import ROOT, run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SOURCE = re.compile(r"^ *(\d+) \| ?(.*)$")  # `12 | source line`
CARET = re.compile(r"^ +\| (.*)$")  # `   |    ^^^^`
KEY = "AKIAZ7VRSQ4IEXFDJ2QM"
SECRET = "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"
PROVIDER = f"""\
provider "aws" {{
  region     = "eu-west-1"
  access_key = "{KEY}"
  secret_key = "{SECRET}"
}}
"""
WORKFLOW = """\
name: deploy
on: push
permissions: write-all
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


def load_check(rule_id: str) -> catalogue.Check:
    path = catalogue.checks_dir() / f"{rule_id}.yaml"
    return catalogue._to_check(yaml.safe_load(path.read_text(encoding="utf-8")))


def finding(file: str, line: int, col: int, severity: str = "error", **extra) -> Finding:
    defaults = {
        "rule_id": "NHI101",
        "slug": "hardcoded-credential",
        "message": "AWS access key ID in aws_ssm_parameter.deploy_key (value AKIA****)",
        "suggestion": load_check("NHI101").suggestion("terraform"),
    }
    return Finding(severity=severity, loc=Loc(file, line, col), **{**defaults, **extra})


def result_of(*findings: Finding, lines: dict[str, list[str]] | None = None, files: int = 1) -> ScanResult:
    return ScanResult(findings=list(findings), rules={}, files_scanned=files, lines=lines or {})


def blocks(text: str) -> list[list[str]]:
    """The finding blocks of a text report (each starts with its `path:line:col:` header)."""
    return [b.splitlines() for b in text.split("\n\n") if re.match(r"\S+:\d+:\d+: ", b)]


def underlined(block: list[str]) -> str:
    """The text of the source line a block shows, under its caret."""
    (index,) = [i for i, line in enumerate(block) if SOURCE.match(line)]
    source = SOURCE.match(block[index])[2]  # type: ignore[index]
    marks = CARET.match(block[index + 1])[1]  # type: ignore[index]
    start = marks.index("^")
    return source[start : start + marks.count("^")]


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


# --- the full report, through the CLI ---


def test_each_finding_shows_where_what_the_line_the_fix_and_the_rules_page(tmp_path: Path) -> None:
    write(tmp_path, {".github/workflows/deploy.yml": WORKFLOW})
    out = run_cli("scan", ".", "--select", "NHI208", cwd=tmp_path, env={"COLUMNS": "100"})
    (block,) = blocks(out.stdout)
    assert block[0] == ".github/workflows/deploy.yml:3:1: warning NHI208 broad-ci-token"
    assert block[1].startswith("  the workflow grants ") and "`write-all`" in " ".join(block[1:3])
    assert "3 | permissions: write-all" in block
    assert underlined(block) == "permissions: write-all"
    assert any(line.startswith("  = fix: ") for line in block)
    assert block[-1] == f"  = docs: {RULE_DOCS}NHI208.md"


def test_the_caret_is_under_the_secret_and_the_secret_is_not_in_the_line(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": PROVIDER})
    out = run_cli("scan", ".", "--select", "NHI101", cwd=tmp_path, env={"COLUMNS": "100"})
    assert KEY[4:] not in out.stdout and SECRET[4:] not in out.stdout
    by_header = {b[0]: b for b in blocks(out.stdout)}
    key = next(b for h, b in by_header.items() if h.startswith("main.tf:3:") and "NHI101" in h)
    assert '3 |   access_key = "AKIA****"' in key
    assert underlined(key) == '"AKIA****"'
    # the provider's own finding (NHI105, the root cause) shows the line with the value cut too
    whole = run_cli("scan", ".", cwd=tmp_path, env={"COLUMNS": "100"}).stdout
    assert "NHI105" in whole and '3 |   access_key = "AKIA****"' in whole
    assert KEY[4:] not in whole and SECRET[4:] not in whole


def test_messages_do_not_repeat_the_path_the_header_shows(tmp_path: Path) -> None:
    pat = "ghp_R4nd0mL00k1ngT0k3nF0rT3st1ngPurp0s3x"
    workflow = WORKFLOW + f"      - run: gh release list\n        env:\n          GH_TOKEN: {pat}\n"
    gitlab = f'variables:\n  SENTRY_AUTH_TOKEN: "{SECRET[:32]}"\ndeploy:\n  script: [make]\n'
    broken = 'resource "aws_iam_user" "u" {\n  name = "u\n}\n'
    files = {".github/workflows/deploy.yml": workflow, ".gitlab-ci.yml": gitlab, "iam/broken.tf": broken}
    write(tmp_path, files)
    out = run_cli("scan", ".", "--format", "json", cwd=tmp_path)
    findings = json.loads(out.stdout)["findings"]
    rules = {f["rule_id"] for f in findings}
    assert {"NHI001", "NHI101", "NHI103", "NHI208"} <= rules
    assert [(f["rule_id"], f["message"]) for f in findings if f["file"] in f["message"]] == []


def test_related_places_are_path_line_message(tmp_path: Path) -> None:
    nightly = WORKFLOW.replace("permissions: write-all", "permissions: {}").replace("deploy", "report")
    write(tmp_path, {".github/workflows/deploy.yml": WORKFLOW, ".github/workflows/nightly.yml": nightly})
    out = run_cli("scan", ".", "--select", "NHI403", cwd=tmp_path, env={"COLUMNS": "200"})
    related = [line.strip() for line in out.stdout.splitlines() if line.strip().startswith("= related: ")]
    assert related and all(re.match(r"= related: \.github/workflows/\w+\.yml:\d+: \S", r) for r in related)


def test_prose_wraps_to_the_terminal_width_and_source_lines_never_do(tmp_path: Path) -> None:
    long_value = "x" * 30
    write(
        tmp_path, {".github/workflows/deploy.yml": WORKFLOW.replace("ubuntu-latest", f"ubuntu-{long_value}")}
    )
    out = run_cli("scan", ".", cwd=tmp_path, env={"COLUMNS": "60"})
    lines = out.stdout.splitlines()
    prose = [line for line in lines if not SOURCE.match(line) and not CARET.match(line) and line[:1] == " "]
    too_wide = [line for line in prose if len(line) > 60 and " " in line.strip().removeprefix("= docs: ")]
    assert too_wide == []
    assert any(line.startswith("    ") and "=" not in line[:8] for line in prose)  # a wrapped continuation
    assert any(len(line) > 60 for line in lines if SOURCE.match(line))  # a source line kept whole


def test_no_colour_off_a_terminal_and_colour_when_forced(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": PROVIDER})
    plain = run_cli("scan", ".", cwd=tmp_path, env={"NO_COLOR": ""})
    assert "\x1b" not in plain.stdout and "AKIA****" in plain.stdout
    forced = run_cli("scan", ".", cwd=tmp_path, env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\x1b[31merror\x1b[0m" in forced.stdout
    assert ANSI.sub("", forced.stdout) == plain.stdout
    assert "\x1b" not in run_cli("scan", ".", cwd=tmp_path, env={"NO_COLOR": "", "FORCE_COLOR": "0"}).stdout
    assert "\x1b" not in run_cli("scan", ".", cwd=tmp_path, env={"NO_COLOR": "1", "FORCE_COLOR": "1"}).stdout
    concise = run_cli("scan", ".", "-f", "concise", cwd=tmp_path, env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\x1b[31m[error]\x1b[0m" in concise.stdout


def test_concise_is_one_line_per_finding(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": PROVIDER, ".github/workflows/deploy.yml": WORKFLOW})
    json_out = run_cli("scan", ".", "--format", "json", cwd=tmp_path)
    findings = json.loads(json_out.stdout)["findings"]
    out = run_cli("scan", ".", "--output-format", "concise", cwd=tmp_path)
    assert out.returncode == 1
    rows = [line for line in out.stdout.splitlines() if re.match(r"\S+:\d+:\d+: NHI\d{3} \[\w+\] \S", line)]
    assert len(rows) == len(findings) >= 3
    first = findings[0]
    assert rows[0] == (
        f"{first['file']}:{first['line']}:{first['column']}: {first['rule_id']} [{first['severity']}] "
        f"{first['message']}"
    )
    assert run_cli("scan", ".", "-f", "concise", cwd=tmp_path).stdout == out.stdout
    assert KEY[4:] not in out.stdout and out.stdout.rstrip().splitlines()[-1].startswith("✖ ")


def test_closing_summary_counts_findings_per_rule_and_says_one_note(tmp_path: Path) -> None:
    one_key = PROVIDER.replace(f'  secret_key = "{SECRET}"\n', "")
    notes = "severity: {NHI101: note}\n"
    write(tmp_path, {"two/a.tf": one_key, "two/b.tf": one_key, "two/.nhilint.yaml": notes})
    write(tmp_path, {"one/main.tf": one_key, "one/.nhilint.yaml": notes})
    two = run_cli("scan", ".", "--select", "NHI101", cwd=tmp_path / "two")
    assert two.stdout.rstrip().splitlines()[-3:] == [
        "NHI101 hardcoded-credential  2",
        "",
        "✖ 2 findings (2 notes) in 2 of 2 files scanned",
    ]
    one = run_cli("scan", ".", "--select", "NHI101", cwd=tmp_path / "one")
    assert one.stdout.rstrip().splitlines()[-3:] == [
        "NHI101 hardcoded-credential  1",
        "",
        "✖ 1 finding (1 note) in 1 of 1 file scanned",
    ]


def test_the_audit_summary_says_one_repository_one_finding_one_file(tmp_path: Path) -> None:
    write(tmp_path, {"repo/main.tf": PROVIDER.replace(f'  secret_key = "{SECRET}"\n', "")})
    out = run_cli("audit", "repo", "--jobs", "1", "--cache-dir", str(tmp_path / "cache"), cwd=tmp_path)
    summary = out.stdout.rstrip().splitlines()[-1]
    assert re.fullmatch(
        r"1 repository \(0 failed\), 1 finding \((1 error|1 warning), .*\) in 1 file", summary
    )


def test_the_text_output_page_shows_real_output(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "text-output.md").read_text(encoding="utf-8")
    source = page.split("```hcl\n", 1)[1].split("```", 1)[0]
    full, concise = (block.split("```", 1)[0] for block in page.split("```text\n")[1:3])
    write(tmp_path, {"main.tf": source})
    assert run_cli("scan", ".", cwd=tmp_path, env={"COLUMNS": "100"}).stdout == full
    assert run_cli("scan", ".", "-f", "concise", cwd=tmp_path).stdout.startswith(concise)


def test_rule_pages_exist_and_match_the_documentation_url() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Documentation"].replace("/tree/", "/blob/") + "/rules/" == RULE_DOCS
    for rule_id in ("NHI001", "NHI101", "NHI208", "NHI404"):  # docs/rules/ is generated from checks/
        assert (ROOT / "docs" / "rules" / f"{rule_id}.md").is_file(), rule_id


# --- the source line: redaction, escaping, bounds ---


def test_a_credential_value_is_cut_even_when_no_detector_knows_it() -> None:
    line = '        - {name: DB_CONN, value: "pl41n-s3cret-n0-detector-knows"}  # db'
    col = line.index('"pl41n') + 1
    shown = snippet([line], Loc("k.yaml", 1, 1), secret_columns=[col])
    assert shown is not None and "s3cret" not in shown.text and '"pl41****"' in shown.text
    plain = snippet(['  password = "hunter2-is-long"'], Loc("a.tf", 1, 3))  # assigned to a credential name
    assert plain is not None and "hunter2" not in plain.text


def test_a_line_the_parser_could_not_read_hides_every_word_that_could_be_a_secret(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": 'locals {\n  x = Pw9-7Qm2Vx9Lp4Rt8Kw3 @@ "y"\n}\n'})
    out = run_cli("scan", ".", cwd=tmp_path)
    assert "main.tf:2:" in out.stdout and "NHI001" in out.stdout and "2 |   x = " in out.stdout
    assert "7Qm2Vx9Lp4Rt8Kw3" not in out.stdout


def test_references_are_shown_not_cut() -> None:
    line = "          token: ${{ secrets.DEPLOY_BOT_PAT }}"
    shown = snippet([line], Loc("w.yml", 1, line.index("$") + 1), secret_columns=[line.index("$") + 1])
    assert shown is not None and shown.text == line


def test_controls_tabs_and_wide_characters_keep_the_caret_aligned() -> None:
    line = '\tname = "b\x1b[2Jd" # 日本 "target"'
    col = line.index('"target"') + 1
    shown = snippet([line], Loc("a.tf", 1, col))
    assert shown is not None and "\x1b" not in shown.text and "\\x1b[2Jd" in shown.text
    assert shown.text.startswith("    name")
    before = shown.text[: shown.text.index('"target"')]
    assert shown.start == len(before) + sum(1 for c in before if c in "日本") and shown.width == len(
        '"target"'
    )


def test_a_huge_line_is_cut_around_the_span_and_hides_every_secret_in_the_window() -> None:
    token = "ghp_" + "".join(string.ascii_letters[i % 52] for i in range(36))
    line = '{"a":"' + "y" * 5000 + '","deploy":{"note":"' + token[:-3] + '","key":"' + token + '"}}'
    col = line.index(token) + 1
    shown = snippet([line], Loc("x.json", 1, col - 1), secret_columns=[col - 1])
    assert shown is not None and len(shown.text) <= MAX_COLUMNS
    assert shown.text.startswith("…")  # cut before the span; the window reaches the line's end
    assert token[4:12] not in shown.text and token[4:-3] not in shown.text
    assert shown.text[shown.start : shown.start + shown.width].startswith('"ghp_')


def test_a_window_never_starts_inside_a_word_so_no_middle_of_a_secret_shows() -> None:
    alphabet = string.ascii_letters + string.digits
    blob = "".join(alphabet[(i * 7 + i // 3) % 62] for i in range(1500))  # no detector knows it
    line = '{"data":"' + blob + '","name":"target"}'
    shown = snippet([line], Loc("x.json", 1, line.index('"target"') + 1))
    assert shown is not None and shown.text.startswith("…")
    assert not any(blob[i : i + 4] in shown.text for i in range(len(blob) - 3))
    assert shown.text[shown.start : shown.start + shown.width] == '"target"'


def test_no_line_no_snippet() -> None:
    assert snippet([], Loc("gone.tf", 3, 1)) is None
    text = render(result_of(finding("gone.tf", 3, 1)), "text")
    assert " | " not in text and "gone.tf:3:1: error NHI101 hardcoded-credential" in text


# --- the renderer on its own ---


def sample_result() -> ScanResult:
    findings = [
        finding(
            "infra/main.tf",
            3,
            11,
            identity=IdentityRef("aws_iam_user", "deploy"),
            related=[Related(Loc("infra/iam.tf", 12, 3), "the key belongs to aws_iam_user.deploy")],
        ),
        finding("k8s/secret.yaml", 7, 3, "warning", message="Slack token in data.token (value xoxb****)"),
        finding(
            "k8s/secret.yaml", 9, 3, message="Stripe key in data.stripe (value sk_l****)", suppression="x"
        ),
    ]
    lines = {
        "infra/main.tf": ["", "", f'  value = "{KEY}"'],
        "k8s/secret.yaml": [""] * 6 + ["  token: xoxb-1"],
    }
    return result_of(*findings, lines=lines, files=12)


def test_colour_paints_without_changing_the_text() -> None:
    plain = render(sample_result(), "text")
    coloured = render(sample_result(), "text", color=True)
    assert "\x1b" not in plain and ANSI.sub("", coloured) == plain
    assert "\x1b[31merror\x1b[0m" in coloured and "\x1b[33mwarning\x1b[0m" in coloured
    assert "\x1b[1;31m✖ 2 findings\x1b[0m" in coloured


def test_suppressed_findings_are_counted_not_listed() -> None:
    text = render(sample_result(), "text")
    assert "sk_l****" not in text and "k8s/secret.yaml:9:" not in text
    assert text.endswith("✖ 2 findings (1 error, 1 warning) in 2 of 12 files scanned · 1 suppressed\n")


@pytest.mark.parametrize(
    ("findings", "files", "summary"),
    [
        ([], 12, "✓ no findings in 12 files scanned\n"),
        ([], 1, "✓ no findings in 1 file scanned\n"),
        ([finding("a.tf", 1, 1, suppression="")], 3, "✓ no findings in 3 files scanned · 1 suppressed\n"),
        ([finding("a.tf", 1, 1, "note")], 1, "✖ 1 finding (1 note) in 1 of 1 file scanned\n"),
    ],
)
def test_summary_line(findings: list[Finding], files: int, summary: str) -> None:
    assert render(result_of(*findings, files=files), "text").endswith(summary)
    assert render(result_of(*findings, files=files), "concise").endswith(summary)


def test_clean_scan_is_only_the_summary_and_colours_green() -> None:
    result = result_of(files=4)
    assert render(result, "text") == "✓ no findings in 4 files scanned\n"
    assert render(result, "text", color=True).startswith("\x1b[1;32m✓\x1b[0m")


def test_unknown_format_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml': choose one of text, json, sarif"):
        render(sample_result(), "xml")


def test_line_breaks_bidi_and_commands_in_scanned_text_cannot_forge_lines() -> None:
    hostile = finding(
        "::error::x.tf",
        1,
        1,
        message="token in a\n::add-mask::b\r✓ no findings in 1 file scanned\u2028c\u202ed (value ghp_****)",
        related=[Related(Loc("r\n.tf", 2, 1), "m\n::error::z")],
    )
    source = {"::error::x.tf": ["::warning::\x1b]0;pwned\x07 = \u202eevil"]}
    for fmt, width in (("text", 100), ("text", 40), ("concise", 100)):
        text = render(result_of(hostile, lines=source), fmt, width=width)
        lines = text.split("\n")
        assert len(text.splitlines()) == len(lines) - 1  # no hidden line break
        assert all(not line.lstrip().startswith(("::", "##[", "✓")) for line in lines), fmt
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert lines[0].startswith("\\x3a:error::x.tf:1:1: ")
        assert "c\\u202ed" in text
