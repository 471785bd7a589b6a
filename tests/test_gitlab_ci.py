"""GitLab CI: static cloud keys, global credentials and personal tokens, through the real scanner."""

from __future__ import annotations

from pathlib import Path

from nhilint.config import Config
from nhilint.facts import Lifetime
from nhilint.formats import SourceFile
from nhilint.formats.gitlab_ci.extract import extract
from nhilint.pipeline.discover import classify

from .conftest import ROOT, run_cli

CI = ".gitlab-ci.yml"


def found(result, rule_id=None):
    return [(f.rule_id, f.loc.line) for f in result.findings if rule_id in (None, f.rule_id)]


def test_extends_and_spec_header_reach_the_template_line(scan):
    result = scan(
        {
            CI: """\
spec:
  inputs:
    stage:
      default: deploy
---
.aws:
  variables:
    AWS_ACCESS_KEY_ID: $PROD_KEY_ID
    AWS_SECRET_ACCESS_KEY: $PROD_SECRET
deploy:
  extends: [.aws]
  script: aws s3 sync public s3://site
"""
        },
        Config(select=("NHI103",)),
    )
    (finding,) = result.findings
    assert finding.loc.line == 8 and "job `deploy`" in finding.message
    assert "id_tokens" in finding.suggestion.snippet and "aud:" in finding.suggestion.snippet


def test_reference_and_anchor_templates_are_reported_once_per_job(scan):
    result = scan(
        {
            CI: """\
.login: &login
  before_script:
    - gcloud auth activate-service-account --key-file "$KEY_FILE"
.azure:
  script:
    - az login --service-principal -u "$ID" -p "$SECRET" --tenant "$TENANT"
a:
  <<: *login
  script: [gcloud run deploy a]
b:
  script:
    - !reference [.azure, script]
    - terraform apply
"""
        },
        Config(select=("NHI103",)),
    )
    assert [(f.loc.line, f.identity.name) for f in result.findings] == [(3, "a"), (6, "b")]


def test_id_tokens_in_job_or_default_make_the_job_federated(scan):
    result = scan(
        {
            CI: """\
default:
  id_tokens:
    GCP_ID_TOKEN:
      aud: https://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/gl
deploy:
  variables:
    GOOGLE_APPLICATION_CREDENTIALS: $CI_PROJECT_DIR/.gcp_creds.json
  script:
    - gcloud auth login --cred-file="$GOOGLE_APPLICATION_CREDENTIALS"
"""
        }
    )
    assert result.findings == []


def test_cycles_in_extends_do_not_hang(scan):
    result = scan(
        {
            CI: """\
.a:
  extends: .b
  variables: {ARM_CLIENT_SECRET: $SP_SECRET}
.b:
  extends: .a
job:
  extends: .a
  script: [terraform plan]
"""
        },
        Config(select=("NHI103",)),
    )
    assert found(result) == [("NHI103", 3)]


def test_global_credentials_and_personal_tokens(scan):
    result = scan(
        {
            CI: """\
variables:
  GIT_DEPTH: "10"
  DEPLOY_TOKEN: $PROD_DEPLOY_TOKEN
  JOB_TOKEN: $CI_JOB_TOKEN
  AWS_SECRET_ACCESS_KEY: $AWS_SECRET
release:
  script:
    - 'curl --header "PRIVATE-TOKEN: $MAINTAINER_PAT" "$CI_API_V4_URL/projects/1/releases"'
"""
        }
    )
    assert found(result) == [("NHI403", 3), ("NHI103", 5), ("NHI403", 5), ("NHI107", 8)]
    nhi107 = next(f for f in result.findings if f.rule_id == "NHI107")
    assert "MAINTAINER_PAT" in nhi107.message and "api" in nhi107.message


def test_local_include_fragments_are_gitlab_ci(scan):
    fragment = (ROOT / "tests" / "data" / "ci" / "fragment.yml").read_text()
    assert classify(".gitlab/ci/aws.yml", fragment) == "gitlab-ci"
    assert classify(".gitlab/agents/prod/config.yaml", "gitops: {}\n") is None
    result = scan({".gitlab/ci/aws.yml": fragment}, Config(select=("NHI103",)))
    assert [(f.loc.file, f.loc.line) for f in result.findings] == [(".gitlab/ci/aws.yml", 4)]


def test_session_duration_lifetime():
    text = (
        "deploy:\n  script:\n"
        "    - aws sts assume-role --role-arn $R --role-session-name ci --duration-seconds 43200\n"
    )
    facts = extract([SourceFile(CI, "gitlab-ci", text)]).facts
    assert [(f.seconds, f.loc.line) for f in facts if isinstance(f, Lifetime)] == [(43200, 3)]


def test_fixtures_fire_at_the_lines_to_edit():
    from nhilint.config import read_file
    from nhilint.pipeline.scan import scan as scan_paths

    config = read_file(ROOT / "fixtures" / ".nhilint.yaml")
    insecure = scan_paths([ROOT / "fixtures" / "insecure"], config, root=ROOT)
    ci = {
        (f.rule_id, f.loc.file.rsplit("/", 1)[-1], f.loc.line)
        for f in insecure.findings
        if "/.git" in f.loc.file
    }
    assert {
        ("NHI208", "deploy.yml", 5),
        ("NHI107", "deploy.yml", 19),
        ("NHI103", "deploy.yml", 22),
        ("NHI103", "nightly.yml", 9),
        ("NHI403", "nightly.yml", 18),
        ("NHI403", ".gitlab-ci.yml", 3),
        ("NHI103", ".gitlab-ci.yml", 11),
        ("NHI103", ".gitlab-ci.yml", 22),
    } <= ci
    hardened = scan_paths([ROOT / "fixtures" / "hardened"], config, root=ROOT)
    assert [f for f in hardened.findings if "/.git" in f.loc.file] == []


def test_files_included_by_local_path_are_read_whatever_their_name(scan) -> None:
    key = "AKIA" + "Q3EGRT5YH7UJ2KLP"
    job = "{name}:\n  variables:\n    AWS_ACCESS_KEY_ID: " + key + "\n  script: [make {name}]\n"
    root = "include:\n  - local: /pipelines/deploy.yml\n  - local: 'templates/*.yml'\nstages: [deploy]\n"
    result = scan(
        {
            ".gitlab-ci.yml": root,
            "pipelines/deploy.yml": job.format(name="deploy"),
            "templates/lint.yml": job.format(name="lint"),
            "docs/not-included.yml": job.format(name="example"),
        }
    )
    files = {f.loc.file for f in result.findings if "NHI101" in (f.rule_id, *f.also)}  # folded into NHI103
    assert files == {"pipelines/deploy.yml", "templates/lint.yml"}


def test_a_tagged_top_level_key_is_no_job_and_no_internal_error(tmp_path: Path) -> None:
    """Found by the fuzzer: `!Ref variables:` made a key whose text named no job of the document."""
    (tmp_path / ".gitlab-ci.yml").write_text(
        "!Ref variables:\n  AWS_DEFAULT_REGION: eu-west-1\n"
        "deploy:\n  stage: deploy\n  variables:\n    AWS_SECRET_ACCESS_KEY: $AWS_KEY\n"
        "  script:\n    - aws s3 sync dist s3://bucket\n",
        encoding="utf-8",
    )
    result = run_cli("scan", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # findings, not an internal error (exit 2)
    assert "NHI103" in result.stdout
