"""One root cause, one finding (nhilint.pipeline.fold), through the real CLI: folded after selection,
suppressions and the baseline, so every rule ID keeps its meaning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import run_cli

# An untagged Lambda role of a root module (a backend: no caller adds default_tags): no owner
# (NHI301) and no expiry (NHI302), both at its header.
UNTAGGED_ROLE = """\
resource "aws_iam_role" "worker" {
  name = "order-worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

terraform {
  backend "s3" {}
}
"""

# A provider block with literal keys: NHI105 and NHI101 on each key.
PROVIDER_WITH_KEYS = """\
provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAQX7ZP3LMN4RT2WUV"
  secret_key = "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"
}
"""

# One stored AWS key pair, written in the job's env and again as the login action's inputs.
WORKFLOW_WITH_KEYS = """\
name: release
on: push
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-latest
    env:
      AWS_ACCESS_KEY_ID: AKIAQX7ZP3LMN4RT2WUV
      AWS_SECRET_ACCESS_KEY: 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
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: AKIAQX7ZP3LMN4RT2WUV
          aws-secret-access-key: 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
          aws-region: eu-west-1
      - run: aws s3 sync dist s3://acme-releases
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _scan(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = run_cli("scan", ".", "--format", "json", *args, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def _active(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in document["findings"] if not f["suppressed"]]


def test_an_untagged_identity_is_one_finding_naming_owner_and_expiry(tmp_path: Path) -> None:
    _write(tmp_path, {"iam.tf": UNTAGGED_ROLE})
    code, document = _scan(tmp_path)
    [finding] = _active(document)
    assert (finding["rule_id"], finding["also"]) == ("NHI301", ["NHI302"])
    assert "no owner" in finding["message"] and "no expiry" in finding["message"]
    assert code == 1 and document["summary"]["total"] == 1


def test_ignoring_one_lifecycle_rule_reports_the_other_on_its_own(tmp_path: Path) -> None:
    _write(tmp_path, {"iam.tf": UNTAGGED_ROLE})
    _, document = _scan(tmp_path, "--ignore", "NHI301")
    [finding] = _active(document)
    assert (finding["rule_id"], finding["also"]) == ("NHI302", [])
    assert "owner" not in finding["message"]


def test_an_inline_ignore_of_one_lifecycle_rule_leaves_the_other_reported(tmp_path: Path) -> None:
    suppressed = UNTAGGED_ROLE.replace(
        'resource "aws_iam_role" "worker" {',
        "# nhilint: ignore[NHI301] owned by the platform team through CODEOWNERS\n"
        'resource "aws_iam_role" "worker" {',
    )
    _write(tmp_path, {"iam.tf": suppressed})
    code, document = _scan(tmp_path)
    [finding] = _active(document)
    assert (finding["rule_id"], finding["also"]) == ("NHI302", [])
    assert [f["rule_id"] for f in document["findings"] if f["suppressed"]] == ["NHI301"]
    assert code == 1


def test_a_baseline_of_a_folded_finding_covers_every_rule_folded_into_it(tmp_path: Path) -> None:
    _write(tmp_path, {"iam.tf": UNTAGGED_ROLE, "providers.tf": PROVIDER_WITH_KEYS})
    _, before = _scan(tmp_path)
    assert sorted((f["rule_id"], f["also"]) for f in _active(before)) == [
        ("NHI105", ["NHI101"]),
        ("NHI301", ["NHI302"]),
    ]
    written = run_cli("baseline", "write", "baseline.json", ".", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    entries = json.loads((tmp_path / "baseline.json").read_text())["findings"]
    assert sorted(e["rule_id"] for e in entries) == ["NHI101", "NHI101", "NHI105", "NHI301", "NHI302"]
    code, after = _scan(tmp_path, "--baseline", "baseline.json")
    assert (code, _active(after), after["summary"]["suppressed"]) == (0, [], 5)


def test_literal_provider_keys_are_one_provider_finding_with_the_keys_related(tmp_path: Path) -> None:
    _write(tmp_path, {"providers.tf": PROVIDER_WITH_KEYS})
    code, document = _scan(tmp_path)
    [finding] = _active(document)
    assert (finding["rule_id"], finding["line"], finding["also"]) == ("NHI105", 3, ["NHI101"])
    assert {(r["line"], r["message"].split(":")[0]) for r in finding["related"]} == {
        (3, "NHI101"),
        (4, "NHI101"),
    }
    assert "AWS secret access key" in finding["message"] and "9sR2vL0q" not in json.dumps(document)
    assert code == 1


def test_ignoring_the_provider_rule_still_reports_the_literal_keys(tmp_path: Path) -> None:
    _write(tmp_path, {"providers.tf": PROVIDER_WITH_KEYS})
    _, document = _scan(tmp_path, "--ignore", "NHI105")
    [finding] = _active(document)  # the key pair: one NHI101, the second key related
    assert (finding["rule_id"], finding["line"], finding["also"]) == ("NHI101", 3, [])
    assert [r["line"] for r in finding["related"]] == [4]
    assert "AWS secret access key" in finding["message"]


def test_the_most_severe_finding_of_a_cause_speaks_for_it_and_sets_the_exit_code(tmp_path: Path) -> None:
    _write(tmp_path, {"providers.tf": PROVIDER_WITH_KEYS, ".nhilint.yaml": "severity: {NHI105: note}\n"})
    code, document = _scan(tmp_path, "--fail-on", "error")
    [finding] = _active(document)
    assert (finding["rule_id"], finding["severity"], finding["also"]) == ("NHI101", "error", ["NHI105"])
    assert code == 1


def test_a_stored_key_pair_in_a_workflow_is_one_finding(tmp_path: Path) -> None:
    _write(tmp_path, {".github/workflows/release.yml": WORKFLOW_WITH_KEYS})
    _, document = _scan(tmp_path)
    [finding] = _active(document)
    assert (finding["rule_id"], finding["also"]) == ("NHI103", ["NHI101"])
    assert {8, 9, 13, 14} <= {r["line"] for r in finding["related"]}


def test_sarif_lists_the_folded_rules_and_their_places(tmp_path: Path) -> None:
    _write(tmp_path, {"providers.tf": PROVIDER_WITH_KEYS})
    done = run_cli("scan", ".", "--format", "sarif", cwd=tmp_path)
    [result] = json.loads(done.stdout)["runs"][0]["results"]
    assert (result["ruleId"], result["properties"]["also"]) == ("NHI105", ["NHI101"])
    lines = {r["physicalLocation"]["region"]["startLine"] for r in result["relatedLocations"]}
    assert lines == {3, 4}


def test_an_azure_secret_is_not_said_to_live_until_revoked_beside_its_end_date(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "main.tf": """\
resource "azuread_application" "deployer" {
  display_name = "acme-deployer"
  tags         = ["owner:platform", "expires:2099-01-01"]
}

resource "azuread_application_password" "deployer" {
  application_id = azuread_application.deployer.id
}
"""
        },
    )
    _, document = _scan(tmp_path)
    by_rule = {f["rule_id"]: f["message"] for f in _active(document)}
    assert "NHI303" in by_rule and "730 d" in by_rule["NHI303"]
    assert "until someone revokes it" not in by_rule["NHI102"]
    assert "end date" in by_rule["NHI102"]


def test_a_secret_shared_by_workflows_gets_a_fix_about_sharing(tmp_path: Path) -> None:
    workflow = """\
on: push
permissions: {}
jobs:
  %s:
    runs-on: ubuntu-latest
    steps:
      - run: ./%s.sh
        env:
          DATADOG_API_KEY: ${{ secrets.DATADOG_API_KEY }}
"""
    _write(
        tmp_path,
        {
            ".github/workflows/deploy.yml": workflow % ("deploy", "deploy"),
            ".github/workflows/report.yml": workflow % ("report", "report"),
        },
    )
    _, document = _scan(tmp_path)
    [shared] = [f for f in _active(document) if f["rule_id"] == "NHI403"]
    assert "used by 2 workflows" in shared["message"]
    assert "called workflow" not in shared["suggestion"]["text"]
    assert "its own credential" in shared["suggestion"]["text"]


def test_a_hardcoded_webhook_in_cloudformation_is_not_told_about_rds_first(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "template.yaml": """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Notifier:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: {S3Bucket: acme-artifacts, S3Key: notifier.zip}
      Role: arn:aws:iam::123456789012:role/notifier
      Environment:
        Variables:
          API_TOKEN: 9f8e7d6c5b4a39281706f5e4d3c2b1a0
"""
        },
    )
    _, document = _scan(tmp_path)
    [literal] = [f for f in _active(document) if f["rule_id"] == "NHI101"]
    text = " ".join(literal["suggestion"]["text"].split())
    assert "for an RDS master password" in text  # RDS only as the aside it is for a token


# --- tests, fixtures, examples and docs (nhilint.pipeline.production) ---------------------------------------


def test_findings_in_a_tests_directory_are_notes_that_never_fail(tmp_path: Path) -> None:
    _write(tmp_path, {"tests/integration/iam.tf": UNTAGGED_ROLE})
    code, document = _scan(tmp_path, "--fail-on", "note")
    [finding] = _active(document)
    assert (finding["severity"], finding["non_production"]) == ("note", True)
    assert document["summary"]["non_production"] == 1
    assert code == 0


def test_a_credential_in_a_tests_directory_keeps_its_level(tmp_path: Path) -> None:
    """The literal keys (NHI101) keep their level and speak for the provider's note-level NHI105."""
    _write(tmp_path, {"tests/fixtures/providers.tf": PROVIDER_WITH_KEYS})
    code, document = _scan(tmp_path)
    [finding] = _active(document)
    assert (finding["rule_id"], finding["severity"], finding["non_production"]) == ("NHI101", "error", False)
    assert "NHI105" in finding["also"]
    assert code == 1


def test_a_key_resource_in_a_test_setup_is_a_note(tmp_path: Path) -> None:
    """An `aws_iam_access_key` in a module's integration-test setup mints a key only when someone
    applies the test: it leaks nothing, so it does not fail every scan of the module."""
    key = """\
resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}
"""
    _write(tmp_path, {"test/setup/iam.tf": key})
    code, document = _scan(tmp_path)
    levels = {(f["rule_id"], f["severity"]) for f in _active(document)}
    assert ("NHI102", "note") in levels
    assert code == 0


def test_a_path_the_user_names_is_production(tmp_path: Path) -> None:
    _write(tmp_path, {"examples/iam.tf": UNTAGGED_ROLE})
    done = run_cli("scan", "examples", "--format", "json", cwd=tmp_path)
    [finding] = _active(json.loads(done.stdout))
    assert (finding["severity"], finding["non_production"], done.returncode) == ("warning", False, 1)


def test_an_empty_non_production_list_treats_every_path_as_production(tmp_path: Path) -> None:
    _write(tmp_path, {"docs/iam.tf": UNTAGGED_ROLE, ".nhilint.yaml": "non-production-paths: []\n"})
    code, document = _scan(tmp_path)
    [finding] = _active(document)
    assert (finding["severity"], finding["non_production"], code) == ("warning", False, 1)


def test_non_production_segments_are_whole_directory_names(tmp_path: Path) -> None:
    _write(
        tmp_path, {"contests/iam.tf": UNTAGGED_ROLE, "infra/tests.tf": UNTAGGED_ROLE.replace("worker", "w2")}
    )
    code, document = _scan(tmp_path)
    assert {(f["file"], f["severity"]) for f in _active(document)} == {
        ("contests/iam.tf", "warning"),
        ("infra/tests.tf", "warning"),
    }
    assert code == 1


def test_a_configured_list_replaces_the_default_and_names_directories_only(tmp_path: Path) -> None:
    files = {
        "qa/iam.tf": UNTAGGED_ROLE,
        "tests/iam.tf": UNTAGGED_ROLE.replace("worker", "w2"),
        ".nhilint.yaml": "non-production-paths: [QA]\n",
    }
    _write(tmp_path, files)
    _, document = _scan(tmp_path)
    assert {(f["file"], f["severity"]) for f in _active(document)} == {
        ("qa/iam.tf", "note"),
        ("tests/iam.tf", "warning"),
    }
    (tmp_path / ".nhilint.yaml").write_text("non-production-paths: [tests/unit]\n")
    done = run_cli("scan", ".", cwd=tmp_path)
    assert done.returncode == 2 and "non-production-paths" in done.stderr


def test_an_audit_is_not_failed_by_notes_from_test_paths(tmp_path: Path) -> None:
    _write(tmp_path / "service", {"tests/iam.tf": UNTAGGED_ROLE})
    done = run_cli("audit", "service", "--fail-on", "note", "--json", "audit.json", cwd=tmp_path)
    [repo] = json.loads((tmp_path / "audit.json").read_text())["repositories"]
    assert [(f["severity"], f["non_production"]) for f in repo["findings"]] == [("note", True)]
    assert done.returncode == 0, done.stderr
