"""Inline ignores and extractor suppressions through the real scanner."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from nhilint.config import Config
from nhilint.pipeline.scan import scan as scan_paths

TOKEN = "ghp_R8x2Lq9ZbT4mW7nK3vY6pJ1sD5fH0gC8aE2u"
NEXT_YEAR = (date.today() + timedelta(days=365)).isoformat()


def scan_files(root: Path, files: dict[str, str], **options: object):
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return scan_paths([root], Config(), root=root, **options)


def active(result, rule_id: str) -> list[int]:
    return [f.loc.line for f in result.active if f.rule_id == rule_id]


def test_trailing_comment_suppresses_its_line_with_the_reason(tmp_path: Path) -> None:
    result = scan_files(
        tmp_path,
        {
            "main.tf": f'locals {{\n  a = "{TOKEN}" # nhilint: ignore[NHI101] canary token\n'
            f'  b = "{TOKEN}"\n}}\n'
        },
    )
    assert active(result, "NHI101") == [3]
    suppressed = [f for f in result.findings if f.suppression is not None]
    assert [(f.loc.line, f.suppression) for f in suppressed] == [(2, "canary token")]


def test_comment_on_the_line_before_with_slashes_and_several_rules(tmp_path: Path) -> None:
    result = scan_files(
        tmp_path,
        {
            "main.tf": f"locals {{\n  // nhilint: ignore[NHI002, NHI101] canary token\n"
            f'  a = "{TOKEN}"\n  b = "{TOKEN}"\n}}\n'
        },
    )
    assert active(result, "NHI101") == [4]


def test_comment_above_a_block_header_covers_the_block(tmp_path: Path) -> None:
    hcl = (
        f"# nhilint: ignore[NHI101] canaries for the leak detector expires={NEXT_YEAR}\n"
        f'locals {{\n  a = "{TOKEN}"\n  nested = {{\n    b = "{TOKEN}"\n  }}\n}}\n'
        f'locals {{\n  c = "{TOKEN}"\n}}\n'
    )
    yaml = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: canary\n"
        "# nhilint: ignore[NHI101] canary for the leak detector\n"
        f"stringData:\n  token: {TOKEN}\n  other: {TOKEN}\n"
    )
    result = scan_files(tmp_path, {"main.tf": hcl, "k8s.yaml": yaml})
    assert active(result, "NHI101") == [9]
    assert {(f.loc.file, f.loc.line) for f in result.findings if f.suppression} == {
        ("main.tf", 3),
        ("main.tf", 5),
        ("k8s.yaml", 7),
        ("k8s.yaml", 8),
    }


def test_bare_ignore_suppresses_nothing_and_is_reported(tmp_path: Path) -> None:
    result = scan_files(
        tmp_path, {"main.tf": f'locals {{\n  # nhilint: ignore[NHI101]\n  a = "{TOKEN}"\n}}\n'}
    )
    assert active(result, "NHI101") == [3]
    (problem,) = [f for f in result.active if f.rule_id == "NHI002"]
    assert problem.loc.line == 2 and "has no reason" in problem.message


def test_expired_ignore_stops_suppressing_and_says_so(tmp_path: Path) -> None:
    result = scan_files(
        tmp_path,
        {"main.tf": f'locals {{\n  a = "{TOKEN}" # nhilint: ignore[NHI101] canary expires=2021-03-01\n}}\n'},
    )
    assert active(result, "NHI101") == [2]
    (problem,) = [f for f in result.active if f.rule_id == "NHI002"]
    assert "EXPIRED on 2021-03-01" in problem.message


def test_malformed_ignores_are_reported(tmp_path: Path) -> None:
    text = (
        f'locals {{\n  a = "{TOKEN}" # nhilint: ignore[NHI101] canary expires=soon\n'
        f'  b = "{TOKEN}" # nhilint: ignore[hardcoded] canary\n  c = 1 # nhilint: ignore[] canary\n}}\n'
    )
    result = scan_files(tmp_path, {"main.tf": text})
    assert active(result, "NHI101") == [2, 3]
    messages = {f.loc.line: f.message for f in result.active if f.rule_id == "NHI002"}
    assert sorted(messages) == [2, 3, 4]
    assert "not a YYYY-MM-DD date" in messages[2]
    assert "'HARDCODED', which is not a rule ID" in messages[3]
    assert "names no rule" in messages[4]


def test_unused_ignores_only_when_asked_and_only_for_rules_that_ran(tmp_path: Path) -> None:
    files = {"main.tf": 'locals {\n  a = "not-a-secret" # nhilint: ignore[NHI101] was a token once\n}\n'}
    assert [f.rule_id for f in scan_files(tmp_path, files).findings] == []
    result = scan_files(tmp_path, files, report_unused_ignores=True)
    assert [(f.rule_id, f.loc.line) for f in result.findings] == [("NHI002", 2)]
    assert "unused suppression of NHI101" in result.findings[0].message
    only_nhi002 = scan_paths(
        [tmp_path], Config(select=("NHI002",)), root=tmp_path, report_unused_ignores=True
    )
    assert only_nhi002.findings == []


def test_kubernetes_annotation_suppresses_the_object(tmp_path: Path) -> None:
    manifest = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: canary\n  annotations:\n"
        '    nhilint.io/ignore: "NHI101: canary for the leak detector"\n'
        f"stringData:\n  token: {TOKEN}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: real\n"
        f"stringData:\n  token: {TOKEN}\n"
    )
    result = scan_files(tmp_path, {"k8s.yaml": manifest})
    assert active(result, "NHI101") == [15]
    assert [f.suppression for f in result.findings if f.suppression] == ["canary for the leak detector"]


def test_suppressed_findings_do_not_fail_the_cli_but_stay_in_sarif(tmp_path: Path) -> None:
    from .conftest import run_cli

    (tmp_path / "main.tf").write_text(
        f'locals {{\n  a = "{TOKEN}" # nhilint: ignore[NHI101] canary token\n}}\n'
    )
    assert run_cli("scan", ".", cwd=tmp_path).returncode == 0
    sarif = run_cli("scan", ".", "--format", "sarif", cwd=tmp_path).stdout
    assert '"kind": "inSource"' in sarif and '"justification": "canary token"' in sarif


def test_cloudformation_json_metadata_suppresses_the_resource(tmp_path: Path) -> None:
    template = f"""{{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {{
    "Canary": {{
      "Type": "AWS::SSM::Parameter",
      "Metadata": {{"nhilint": {{"ignore": [{{"id": "NHI101", "reason": "canary for the leak detector"}}]}}}},
      "Properties": {{"Type": "String", "Name": "canary", "Value": "{TOKEN}"}}
    }},
    "Real": {{
      "Type": "AWS::SSM::Parameter",
      "Metadata": {{"nhilint": {{"ignore": [{{"id": "NHI101"}}]}}}},
      "Properties": {{"Type": "String", "Name": "real", "Value": "{TOKEN}"}}
    }}
  }}
}}
"""
    result = scan_files(tmp_path, {"template.json": template})
    assert active(result, "NHI101") == [12]
    assert [f.suppression for f in result.findings if f.suppression] == ["canary for the leak detector"]
    assert [f.rule_id for f in result.active if "has no reason" in f.message] == ["NHI002"]


def test_end_of_line_ignore_inside_a_resource_covers_its_header_line(tmp_path: Path) -> None:
    """The first example of docs/suppressions-and-baseline.md: NHI102 is reported on the header."""
    hcl = (
        'resource "aws_iam_user" "legacy_ci" {\n  name = "legacy-ci"\n}\n\n'
        'resource "aws_iam_access_key" "legacy_ci" {\n'
        "  user = aws_iam_user.legacy_ci.name # nhilint: ignore[NHI102] vendor appliance, replaced in"
        f" OPS-88 expires={NEXT_YEAR}\n}}\n"
        'resource "aws_iam_access_key" "other" {\n  user = aws_iam_user.legacy_ci.name\n}\n'
    )
    result = scan_files(tmp_path, {"main.tf": hcl}, report_unused_ignores=True)
    assert [(f.loc.line, f.suppression) for f in result.findings if f.rule_id == "NHI102"] == [
        (5, "vendor appliance, replaced in OPS-88"),
        (8, None),
    ]
    assert active(result, "NHI002") == []


def test_end_of_line_ignore_in_a_cloudformation_resource_covers_its_logical_id(tmp_path: Path) -> None:
    template = (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Ci:\n    Type: AWS::IAM::User\n"
        "  CiKey:\n    Type: AWS::IAM::AccessKey\n"
        "    Properties:\n      UserName: !Ref Ci # nhilint: ignore[NHI102] vendor appliance, OPS-88\n"
        "  OtherKey:\n    Type: AWS::IAM::AccessKey\n    Properties:\n      UserName: !Ref Ci\n"
    )
    result = scan_files(tmp_path, {"template.yaml": template}, report_unused_ignores=True)
    keys = {f.loc.line: f.suppression for f in result.findings if f.rule_id == "NHI102"}
    assert keys == {5: "vendor appliance, OPS-88", 9: None}
    assert active(result, "NHI002") == []


def test_block_extents_come_from_the_parser_not_from_braces_in_text(tmp_path: Path) -> None:
    """Braces inside a heredoc or a string do not end the block a comment above its header covers."""
    hcl = (
        "# nhilint: ignore[NHI101] canaries for the leak detector\n"
        'resource "aws_ssm_document" "d" {\n  content = <<-EOT\n    }\n    }\n  EOT\n'
        '  note = "}}} # not a comment"\n'
        f'  tags = {{ canary = "{TOKEN}" }}\n}}\n'
        f'locals {{\n  real = "{TOKEN}"\n}}\n'
    )
    result = scan_files(tmp_path, {"main.tf": hcl})
    assert active(result, "NHI101") == [11]


def test_many_stacked_and_trailing_ignores_each_cover_their_own_lines(tmp_path: Path) -> None:
    lines = [f'  k{i} = "{TOKEN}" # nhilint: ignore[NHI101] canary {i}' for i in range(300)]
    stacked = [f"  # nhilint: ignore[NHI101] stacked {i}" for i in range(300)]
    hcl = "locals {\n" + "\n".join([*lines, *stacked, f'  last = "{TOKEN}"', f'  bare = "{TOKEN}"']) + "\n}\n"
    result = scan_files(tmp_path, {"main.tf": hcl}, report_unused_ignores=True)
    assert active(result, "NHI101") == [603]
    reasons = {f.loc.line: f.suppression for f in result.findings if f.rule_id == "NHI101"}
    assert reasons[2] == "canary 0" and reasons[301] == "canary 299" and reasons[602] == "stacked 0"
    assert active(result, "NHI002") == []


def test_an_ignore_is_found_in_any_case_the_comment_pattern_accepts(tmp_path: Path) -> None:
    """Files are searched line by line only when their text may hold an ignore: that test must accept
    every spelling the comment pattern does (upper case; the Turkish dotted and dotless i, which
    `lower()` does not turn into `i`)."""
    spellings = ["NHILINT", "NhiLint", "nh\u0130lint", "nh\u0131lint"]
    files = {
        f"m{i}/main.tf": f'locals {{\n  a = "{TOKEN}" # {word}: ignore[NHI101] canary token\n}}\n'
        for i, word in enumerate(spellings)
    }
    result = scan_files(tmp_path, files)
    assert active(result, "NHI101") == []
    suppressed = sorted(f.loc.file for f in result.findings if f.suppression == "canary token")
    assert suppressed == sorted(files)
