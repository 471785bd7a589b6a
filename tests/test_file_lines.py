"""A scan's lines of each file (nhilint.pipeline.lines): split from the text when asked, never another
file's, numbered as the file's parser numbers them."""

from __future__ import annotations

from pathlib import Path

from .conftest import USER_WITH_KEY, scan_tree

WORKFLOW = (
    "name: release\non: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
    '    env:\n      NOTE: "a\u2028b"\n      GH_TOKEN: ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\n'
    "    steps:\n      - run: make release\n"
)


def test_each_file_gets_its_own_lines_in_any_order(tmp_path: Path):
    terraform = USER_WITH_KEY.replace("\n", "\r\n")
    result = scan_tree(tmp_path, {"iam.tf": terraform, ".github/workflows/release.yml": WORKFLOW})
    expected = {
        "iam.tf": [line.removesuffix("\r") for line in terraform.split("\n")[:-1]],
        ".github/workflows/release.yml": WORKFLOW.splitlines(),  # YAML also breaks at U+2028
    }
    assert set(result.lines) == set(expected) and len(result.lines) == 2
    for rel in [*expected, *reversed(expected), *expected]:
        assert rel in result.lines
        assert result.lines[rel] == expected[rel]
        assert result.lines.get(rel) == expected[rel]
    assert "other.tf" not in result.lines and result.lines.get("other.tf") is None
    # and the findings were fingerprinted from those lines: one per finding, in both files
    assert {f.loc.file for f in result.findings} == set(expected)
    assert all(f.fingerprint for f in result.findings)
