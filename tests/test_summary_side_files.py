"""The summary counts a policy file read beside a .tf file among the files scanned: a finding in it
must never make "files with findings" exceed "files scanned"."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli
from .test_tf_values import ADMIN_JSON, write

MAIN_TF = """
resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "aws_iam_user_policy" "ci" {
  user   = aws_iam_user.ci.name
  policy = file("${path.module}/../policies/admin.json")
}
"""


def test_summary_counts_policy_files_read_beside_as_scanned(tmp_path: Path) -> None:
    write(tmp_path, {"infra/main.tf": MAIN_TF, "policies/admin.json": ADMIN_JSON})
    text = run_cli("scan", ".", "--no-cache", cwd=tmp_path)
    assert text.returncode == 1, text.stderr
    assert " in 2 of 2 files scanned" in text.stdout.splitlines()[-1]
    assert "not a format" not in text.stdout  # read, so not skipped
    proc = run_cli("scan", ".", "--no-cache", "--format", "json", cwd=tmp_path)
    summary = json.loads(proc.stdout)["summary"]
    files = {f["file"] for f in json.loads(proc.stdout)["findings"]}
    assert files == {"infra/main.tf", "policies/admin.json"}
    assert (summary["files_scanned"], summary["files_with_findings"], summary["files_skipped"]) == (2, 2, 0)
