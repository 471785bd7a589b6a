"""GitHub Actions: static cloud keys, token scope, personal and shared tokens, through the real scanner."""

from __future__ import annotations

from nhilint.config import Config
from nhilint.facts import Lifetime
from nhilint.formats import SourceFile
from nhilint.formats.github_actions.extract import extract

WF = ".github/workflows/"


def findings(result, rule_id):
    return [f for f in result.findings if f.rule_id == rule_id]


def lines(result, rule_id):
    return sorted(f.loc.line for f in findings(result, rule_id))


def only(rule_id: str) -> Config:
    return Config(select=(rule_id,))


def test_forked_sha_pinned_aws_action_with_keys_is_one_finding_at_the_key(scan):
    result = scan(
        {
            WF + "deploy.yml": """\
on: push
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: acme-forks/configure-aws-credentials@0123456789abcdef0123456789abcdef01234567
        with:
          aws-region: eu-west-1
          aws-access-key-id: ${{ secrets.KEY_ID }}
          aws-secret-access-key: ${{ secrets.SECRET }}
"""
        },
        only("NHI103"),
    )
    (finding,) = findings(result, "NHI103")
    assert finding.loc.line == 10
    assert "job `deploy`" in finding.message and "AWS" in finding.message
    assert "role-to-assume" in finding.suggestion.snippet and "id-token: write" in finding.suggestion.snippet
    assert "role-duration-seconds: 900" in finding.suggestion.snippet


def test_gcp_azure_and_shell_logins_each_point_at_their_line(scan):
    result = scan(
        {
            WF + "infra.yml": """\
on: push
permissions: {}
jobs:
  gcp:
    runs-on: ubuntu-latest
    steps:
      - uses: google-github-actions/auth@v2
        with:
          credentials_json: ${{ secrets.GCP_KEY }}
  azure:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo start
          az login --service-principal -u "$APP_ID" -p "$APP_SECRET" --tenant "$TENANT"
  terraform:
    runs-on: ubuntu-latest
    env:
      ARM_CLIENT_SECRET: ${{ secrets.ARM_CLIENT_SECRET }}
    steps:
      - run: terraform apply
"""
        },
        only("NHI103"),
    )
    by_line = {f.loc.line: f for f in findings(result, "NHI103")}
    assert sorted(by_line) == [9, 15, 19]
    assert "workload_identity_provider" in by_line[9].suggestion.snippet
    assert "client-id" in by_line[15].suggestion.snippet and "Azure" in by_line[19].message


def test_federated_logins_are_clean(scan):
    result = scan(
        {
            WF + "deploy.yml": """\
on: push
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
      - uses: azure/login@v2
        with:
          client-id: ${{ vars.AZURE_CLIENT_ID }}
          tenant-id: ${{ vars.AZURE_TENANT_ID }}
          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}
      - run: az login --service-principal -u "$ID" --tenant "$T" --federated-token "$(cat $TOKEN_FILE)"
        env:
          GOOGLE_APPLICATION_CREDENTIALS: ${{ steps.auth.outputs.credentials_file_path }}
"""
        }
    )
    assert result.findings == []


def test_workflow_level_env_keys_are_one_finding_for_all_jobs(scan):
    result = scan(
        {
            WF + "sync.yml": """\
on: push
permissions: {}
env:
  AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
  AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: aws s3 ls}]
  b:
    runs-on: ubuntu-latest
    steps: [{run: aws s3 ls}]
"""
        },
        only("NHI103"),
    )
    (finding,) = findings(result, "NHI103")
    assert finding.loc.line == 4 and "every job" in finding.message
    assert [r.loc.line for r in finding.related] == [5]


def test_composite_action_keys_fire_but_it_has_no_token_scope(scan):
    result = scan(
        {
            "deploy/action.yml": """\
name: deploy
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        aws-access-key-id: ${{ inputs.key-id }}
        aws-secret-access-key: ${{ inputs.secret }}
        aws-region: eu-west-1
"""
        }
    )
    assert [(f.rule_id, f.loc.line) for f in result.findings] == [("NHI103", 7)]


def test_missing_permissions_reported_once_at_jobs(scan):
    result = scan(
        {
            WF + "ci.yml": """\
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps: [{run: make lint}]
  test:
    runs-on: ubuntu-latest
    steps: [{run: make test}]
"""
        },
        only("NHI208"),
    )
    (finding,) = findings(result, "NHI208")
    assert finding.loc.line == 2 and "`test`" in finding.message and "`lint`" not in finding.message


def test_every_job_scoped_or_called_only_is_clean(scan):
    result = scan(
        {
            WF + "ci.yml": """\
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps: [{run: make test}]
""",
            WF + "reusable.yml": """\
on:
  workflow_call:
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{run: make}]
""",
        },
        only("NHI208"),
    )
    assert result.findings == []


def test_write_all_on_workflow_and_job(scan):
    result = scan(
        {
            WF + "a.yml": "on: push\npermissions: write-all\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
            "    steps: [{run: 'true'}]\n",
            WF + "b.yml": "on: push\npermissions: {}\njobs:\n  x:\n    permissions: write-all\n"
            "    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n",
        },
        only("NHI208"),
    )
    assert [(f.loc.file, f.loc.line) for f in result.findings] == [(WF + "a.yml", 2), (WF + "b.yml", 5)]


def test_workflow_id_token_flagged_only_when_some_jobs_do_not_federate(scan):
    workflow = """\
on: push
permissions:
  contents: read
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: google-github-actions/auth@v2
        with:
          workload_identity_provider: projects/1/locations/global/workloadIdentityPools/p/providers/gh
"""
    idle = "  test:\n    runs-on: ubuntu-latest\n    steps: [{run: make test}]\n"
    assert scan({WF + "one.yml": workflow}, only("NHI208")).findings == []
    (finding,) = scan({WF + "two.yml": workflow + idle}, only("NHI208")).findings
    assert finding.loc.line == 4 and "`test`" in finding.message


def test_pat_used_for_checkout_and_push_is_one_finding_per_job(scan):
    result = scan(
        {
            WF + "release.yml": """\
on: push
permissions: {}
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          token: ${{ secrets.GH_PAT }}
      - run: git push https://x-access-token:${{ secrets.GH_PAT }}@github.com/acme/app.git
      - run: gh workflow run deploy.yml
        env:
          GH_TOKEN: ${{ secrets.DISPATCH_TOKEN }}
"""
        },
        only("NHI107"),
    )
    (finding,) = findings(result, "NHI107")
    assert finding.loc.line == 9 and "GH_PAT" in finding.message and "checkout" in finding.message
    assert [r.loc.line for r in finding.related] == [10]
    assert "create-github-app-token" in finding.suggestion.snippet


def test_literal_github_token_is_redacted(scan):
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    result = scan(
        {
            WF + "x.yml": f"on: push\npermissions: {{}}\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
            f"    env:\n      GH_TOKEN: {token}\n    steps: [{{run: gh pr list}}]\n"
        },
        only("NHI107"),
    )
    (finding,) = findings(result, "NHI107")
    assert finding.loc.line == 7 and token not in finding.message and "ghp_****" in finding.message


def test_secret_shared_by_workflows_is_one_finding_with_every_use(scan):
    use = (
        "on: push\npermissions: {{}}\njobs:\n  {job}:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: npm publish\n        env:\n          NODE_AUTH_TOKEN: ${{{{ secrets.NPM_TOKEN }}}}\n"
        "          GH_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}\n"
    )
    result = scan(
        {
            WF + "b.yml": use.format(job="b"),
            WF + "a.yml": use.format(job="a"),
            WF + "c.yml": use.format(job="c"),
        },
        only("NHI403"),
    )
    (finding,) = findings(result, "NHI403")
    assert (finding.loc.file, finding.loc.line) == (WF + "a.yml", 9)
    assert [(r.loc.file, r.loc.line) for r in finding.related] == [(WF + "b.yml", 9), (WF + "c.yml", 9)]
    assert "3 workflows" in finding.message


def test_inherit_and_tojson_secrets(scan):
    result = scan(
        {
            WF + "ci.yml": """\
on: push
permissions: {}
jobs:
  call:
    uses: acme/shared/.github/workflows/build.yml@v1
    secrets: inherit
  dump:
    runs-on: ubuntu-latest
    steps:
      - run: ./configure
        env:
          ALL: ${{ toJSON(secrets) }}
"""
        },
        only("NHI403"),
    )
    assert lines(result, "NHI403") == [6, 12]


def test_lifetimes_of_role_sessions():
    text = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          role-duration-seconds: "43200"
      - run: |
          aws sts assume-role --role-arn "$ROLE" --role-session-name ci \\
            --duration-seconds 7200
"""
    facts = extract([SourceFile(WF + "d.yml", "github-actions", text)]).facts
    found = [(f.setting, f.seconds, f.loc.line, f.platform) for f in facts if isinstance(f, Lifetime)]
    assert found == [("role-duration-seconds", 43200, 9, "aws"), ("--duration-seconds", 7200, 12, "aws")]


def test_broken_workflow_is_a_parse_error_not_a_crash(scan):
    result = scan({WF + "bad.yml": "on: push\njobs:\n  x: {a: [\n"})
    (finding,) = result.findings
    assert finding.rule_id == "NHI001" and "internal error" not in finding.message
