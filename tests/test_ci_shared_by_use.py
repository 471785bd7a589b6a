"""NHI403: a secret used as a cloud key in more than one workflow is shared, whatever its name says.

Through the real CLI, on workflows shaped like a Firebase site's deploy, preview and cleanup."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli

WF = ".github/workflows/"

DEPLOY = """\
name: Deploy
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: FirebaseExtended/action-hosting-deploy@v0
        with:
          repoToken: ${{ secrets.GITHUB_TOKEN }}
          firebaseServiceAccount: ${{ secrets.SERVICE_ACCOUNT }}
          channelId: live
          projectId: acme-site
"""

CLEANUP = """\
name: PR cleanup
on:
  pull_request:
    types: [closed]
permissions:
  contents: read
jobs:
  cleanup:
    runs-on: ubuntu-latest
    steps:
      - uses: w9jds/firebase-action@v13.0.0
        with:
          args: hosting:channel:delete pr-${{ github.event.number }} --force
        env:
          GCP_SA_KEY: ${{ secrets.SERVICE_ACCOUNT }}
          SLACK_CHANNEL: ${{ secrets.RELEASES_CHANNEL }}
"""

GCLOUD = """\
name: {name}
on: push
permissions:
  contents: read
jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - uses: google-github-actions/auth@v2
        with:
          credentials_json: ${{{{ secrets.GCP }}}}
      - run: gcloud {command}
      - uses: slackapi/slack-github-action@v1
        with:
          channel-id: ${{{{ secrets.RELEASES_CHANNEL }}}}
"""


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def shared(tmp_path: Path, files: dict[str, str]) -> list[dict]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    proc = run_cli("scan", ".", "--format", "json", "--no-cache", "--select", "NHI403", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


def test_a_key_given_to_deploy_actions_in_two_workflows_is_shared(tmp_path: Path) -> None:
    (finding,) = shared(tmp_path, {WF + "deploy.yml": DEPLOY, WF + "cleanup.yml": CLEANUP})
    assert finding["identity"]["name"] == "SERVICE_ACCOUNT"
    assert (finding["file"], finding["line"]) == (WF + "cleanup.yml", line_of(CLEANUP, "GCP_SA_KEY"))
    assert [(r["file"], r["line"]) for r in finding["related"]] == [
        (WF + "deploy.yml", line_of(DEPLOY, "firebaseServiceAccount"))
    ]


def test_credentials_json_from_any_secret_name_is_shared(tmp_path: Path) -> None:
    files = {
        WF + "build.yml": GCLOUD.format(name="Build", command="builds submit"),
        WF + "release.yml": GCLOUD.format(name="Release", command="run deploy api"),
    }
    (finding,) = shared(tmp_path, files)
    assert finding["identity"]["name"] == "GCP"  # not RELEASES_CHANNEL: never given to a key input


def test_a_key_in_one_workflow_and_settings_in_many_pass(tmp_path: Path) -> None:
    two_jobs = DEPLOY + DEPLOY[DEPLOY.index("  deploy:") :].replace("  deploy:", "  preview:", 1)
    federated = GCLOUD.replace("credentials_json", "workload_identity_provider")  # a provider name
    files = {
        WF + "deploy.yml": two_jobs,  # one key, two jobs of one workflow
        WF + "build.yml": federated.format(name="Build", command="builds submit"),
        WF + "release.yml": federated.format(name="Release", command="run deploy api"),
    }
    assert shared(tmp_path, files) == []
