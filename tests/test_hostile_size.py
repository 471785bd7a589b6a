"""Memory per file is bounded for Terraform too: a `.tf` or `.tf.json` too big to hold is NHI001
"too complex to read" at that file, and the module's other files are still judged.

Real CLI runs under the hostile suite's address-space limit (tests/test_hostile.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from nhilint.parse.hcl import MAX_LINE, MAX_TOKENS
from nhilint.parse.yaml_builder import MAX_NODES
from tests.test_hostile import _by_file, _cli_json

ACCESS_KEY = """\
resource "aws_iam_user" "deployer" {
  name = "deployer"
}

resource "aws_iam_access_key" "deployer" {
  user = aws_iam_user.deployer.name
}
"""


def _users(count: int) -> str:
    """Terraform as a generator would write it: one small resource per user (11 tokens each)."""
    return "".join(
        f'resource "aws_iam_user" "u{i}" {{\n  name = "svc-{i}"\n  path = "/system/"\n}}\n\n'
        for i in range(count)
    )


def _too_complex(report: dict, rel: str) -> list[tuple[str, int, str]]:
    return [found for found in _by_file(report, rel) if "too complex" in found[2]]


def test_a_tf_file_over_the_token_budget_is_nhi001_and_its_sibling_is_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ACCESS_KEY)
    (tmp_path / "users.tf").write_text(_users(MAX_TOKENS // 10))
    report, _ = _cli_json(".", cwd=tmp_path)
    assert [rule for rule, _, _ in _too_complex(report, "users.tf")] == ["NHI001"]
    assert "NHI102" in [rule for rule, _, _ in _by_file(report, "main.tf")]


def test_a_tf_json_file_over_the_node_budget_is_nhi001_and_its_sibling_is_judged(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ACCESS_KEY)
    flood = {"locals": {"ports": [443] * MAX_NODES}}  # 4 MB: under max-file-size
    (tmp_path / "ports.tf.json").write_text(json.dumps(flood, separators=(",", ":")))
    report, _ = _cli_json(".", cwd=tmp_path)
    assert [rule for rule, _, _ in _too_complex(report, "ports.tf.json")] == ["NHI001"]
    assert "NHI102" in [rule for rule, _, _ in _by_file(report, "main.tf")]


def test_a_tf_line_over_the_line_budget_is_nhi001_and_its_key_is_still_reported(tmp_path: Path) -> None:
    """An unclosed string over one long line counts as one token, but tree-sitter's error recovery
    over it costs ~180 bytes per byte: such a line is refused before parsing (the raw lines are
    still searched for credentials)."""
    key = "AKIA" + "QWERTYUIOPASDFGH"
    line = ("key" + "-" * 60 + ": ") * (MAX_LINE // 60)
    (tmp_path / "main.tf").write_text(ACCESS_KEY)
    (tmp_path / "flood.tf").write_text(f'resource "x" "y" {{\n  a = "{line}\n  b = "{key}"\n')
    report, output = _cli_json(".", cwd=tmp_path)
    assert [rule for rule, _, _ in _too_complex(report, "flood.tf")] == ["NHI001"]
    assert ("NHI101", 3) in [(rule, line) for rule, line, _ in _by_file(report, "flood.tf")]
    assert "NHI102" in [rule for rule, _, _ in _by_file(report, "main.tf")]
    assert key[4:] not in output.stdout + output.stderr


def test_a_large_file_of_few_tokens_is_read(tmp_path: Path) -> None:
    """The budget counts tokens, not bytes: a long heredoc (a boot script) is one value."""
    script = "echo provisioning the build agent for the nightly pipeline\n" * 12_000  # about 700 KB
    (tmp_path / "main.tf").write_text(
        ACCESS_KEY + f'\nresource "aws_instance" "agent" {{\n  user_data = <<EOT\n{script}EOT\n}}\n'
    )
    report, _ = _cli_json(".", cwd=tmp_path)
    assert len(script) > MAX_TOKENS
    assert _too_complex(report, "main.tf") == []
    assert "NHI102" in [rule for rule, _, _ in _by_file(report, "main.tf")]


def _reference_chain(levels: int) -> str:
    """Templates that each `!reference` the script of the one before; the first one holds the risk."""
    lines = [".t0:", "  script: [aws sts assume-role --duration-seconds 43200]"]
    for i in range(1, levels):
        lines += [f".t{i}:", f"  script: [echo step {i}, !reference [.t{i - 1}, script]]"]
    lines += ["deploy:", f"  script: [!reference [.t{levels - 1}, script]]"]
    return "\n".join(lines) + "\n"


def test_a_reference_chain_deeper_than_gitlab_allows_is_nhi001_not_a_silent_pass(tmp_path: Path) -> None:
    """GitLab nests `!reference` at most 10 levels; the lines past that used to be dropped unread."""
    (tmp_path / ".gitlab-ci.yml").write_text(_reference_chain(12))
    report, _ = _cli_json(".", cwd=tmp_path)
    assert [rule for rule, _, _ in _too_complex(report, ".gitlab-ci.yml")] == ["NHI001"]


def test_a_reference_chain_gitlab_accepts_is_judged(tmp_path: Path) -> None:
    (tmp_path / ".gitlab-ci.yml").write_text(_reference_chain(9))
    report, _ = _cli_json(".", cwd=tmp_path)
    rules = [rule for rule, _, _ in _by_file(report, ".gitlab-ci.yml")]
    assert "NHI001" not in rules and "NHI303" in rules, rules
