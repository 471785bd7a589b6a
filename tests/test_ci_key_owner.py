"""Key names in AWS's words whose first word names another owner (`SENTRY_ACCESS_KEY_ID`,
`CLOUDFLARE_SECRET_ACCESS_KEY`) are a cloud's key, not AWS's; environment words keep AWS."""

from __future__ import annotations

from pathlib import Path

from .test_ci_recall import WF, at, scan

WORKFLOW = """\
on: push
permissions:
  contents: read
jobs:
  sourcemaps:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: some-org/upload-sourcemaps@v2
        with:
          sentry_access_key_id: ${{ secrets.SENTRY_ACCESS_KEY_ID }}
  assets:
    runs-on: ubuntu-latest
    env:
      CLOUDFLARE_ACCESS_KEY_ID: ${{ secrets.R2_KEY_ID }}
      CLOUDFLARE_SECRET_ACCESS_KEY: ${{ secrets.R2_SECRET }}
    steps:
      - run: ./upload.sh
  objects:
    runs-on: ubuntu-latest
    steps:
      - uses: some-org/s3-compatible-upload@v1
        with:
          scaleway_secret_access_key: ${{ secrets.SCALEWAY_SECRET_ACCESS_KEY }}
  deploy:
    runs-on: ubuntu-latest
    env:
      PROD_ACCESS_KEY_ID: ${{ secrets.PROD_ACCESS_KEY_ID }}
      PROD_SECRET_ACCESS_KEY: ${{ secrets.PROD_SECRET_ACCESS_KEY }}
    steps:
      - run: aws s3 sync dist s3://bucket
"""


def test_key_names_owned_by_another_vendor_are_not_called_aws(tmp_path: Path) -> None:
    findings = at(scan(tmp_path, {WF + "release.yml": WORKFLOW}, "NHI103"), "NHI103")
    clouds = {line: " logs in to AWS " in f["message"] for (_, line), f in findings.items()}
    assert clouds == {11: False, 15: False, 24: False, 28: True}
    assert all(
        " logs in to a cloud " in findings[(WF + "release.yml", line)]["message"] for line in (11, 15, 24)
    )
