"""A cloud key kept in a GitHub configuration variable (`vars.X`, plain text anyone with read access
sees) and given to a key-named input is a stored key (NHI103), and the finding says where it is."""

from __future__ import annotations

from pathlib import Path

from .test_ci_recall import WF, at, scan

WORKFLOW = """\
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
      - uses: example-org/ecs-deploy@v2
        with:
          aws-region: ${{ vars.AWS_REGION }}
          aws-access-key-id: ${{ vars.AWS_KEY_ID }}
          aws-secret-access-key: ${{ vars.AWS_SECRET }}
          cluster: prod
  region-only:
    runs-on: ubuntu-latest
    steps:
      - uses: example-org/ecs-deploy@v2
        with:
          aws-region: ${{ vars.AWS_REGION }}
          cluster: ${{ vars.CLUSTER }}
"""


def test_key_from_a_configuration_variable_is_a_stored_key_said_plain(tmp_path: Path) -> None:
    findings = at(scan(tmp_path, {WF + "deploy.yml": WORKFLOW}, "NHI103"), "NHI103")
    assert sorted(findings) == [(WF + "deploy.yml", 14)]
    message = findings[(WF + "deploy.yml", 14)]["message"]
    assert " logs in to AWS " in message
    assert "plain configuration variable `vars.AWS_KEY_ID`" in message
