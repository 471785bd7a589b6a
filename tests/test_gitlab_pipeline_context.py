"""GitLab CI files are read with the rest of their pipeline: a fragment pulled in by `include: local`
gets its parent's `default: id_tokens`, and a job sees the `id_tokens` (or their absence) of templates
it extends from other files. Through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli

ROOT = """\
# Deploys with AWS. AWS_ACCESS_KEY_ID is never stored: every job assumes a role.
stages: [build, deploy]
default:
  id_tokens:
    AWS_ID_TOKEN:
      aud: https://gitlab.com
include:
  - local: ci/deploy.yml
build:
  stage: build
  script:
    - make site
"""
DEPLOY = """\
deploy:
  stage: deploy
  image: amazon/aws-cli
  script:
    - aws s3 sync public/ s3://acme-site/ --delete
"""


def warned(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, int]]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    proc = run_cli("scan", ".", "--format", "json", "--no-cache", "--select", "NHI103", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return {(f["file"], f["line"]) for f in json.loads(proc.stdout)["findings"]}


def test_a_fragment_gets_its_parents_default_id_tokens(tmp_path: Path) -> None:
    assert warned(tmp_path, {".gitlab-ci.yml": ROOT, "ci/deploy.yml": DEPLOY}) == set()
    without = ROOT.replace("default:\n  id_tokens:\n    AWS_ID_TOKEN:\n      aud: https://gitlab.com\n", "")
    assert warned(tmp_path, {".gitlab-ci.yml": without}) == {("ci/deploy.yml", 5)}


def test_a_job_that_opts_out_of_the_default_gets_no_id_tokens(tmp_path: Path) -> None:
    opted_out = DEPLOY.replace("  stage: deploy\n", "  stage: deploy\n  inherit:\n    default: false\n")
    assert warned(tmp_path, {".gitlab-ci.yml": ROOT, "ci/deploy.yml": opted_out}) == {("ci/deploy.yml", 7)}
    in_one_file = ROOT.replace("include:\n  - local: ci/deploy.yml\n", "") + opted_out.replace(
        "    default: false", "    default: [before_script]"
    )
    line = in_one_file.splitlines().index("    - aws s3 sync public/ s3://acme-site/ --delete") + 1
    assert warned(tmp_path / "single", {".gitlab-ci.yml": in_one_file}) == {(".gitlab-ci.yml", line)}


def test_the_parent_gets_the_default_and_templates_of_what_it_includes(tmp_path: Path) -> None:
    root = """\
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are project CI/CD variables.
include:
  - local: ci/templates.yml
publish:
  extends: .aws
  script:
    - aws s3 cp dist/ s3://acme-releases/ --recursive
"""
    keyed = ".aws:\n  image: amazon/aws-cli\n  variables:\n    AWS_DEFAULT_REGION: eu-west-1\n"
    federated = (
        ".aws:\n  image: amazon/aws-cli\n  id_tokens:\n    AWS_ID_TOKEN:\n      aud: https://gitlab.com\n"
    )
    by_default = "default:\n  id_tokens:\n    AWS_ID_TOKEN:\n      aud: https://gitlab.com\n" + keyed
    assert warned(tmp_path, {".gitlab-ci.yml": root, "ci/templates.yml": keyed}) == {(".gitlab-ci.yml", 7)}
    assert warned(tmp_path, {"ci/templates.yml": federated}) == set()
    assert warned(tmp_path, {"ci/templates.yml": by_default}) == set()


def test_a_fragment_two_pipelines_include_gets_neither_default(tmp_path: Path) -> None:
    """The nightly pipeline gives no `id_tokens`: the fragment's job still runs there with stored keys."""
    (tmp_path / ".git").mkdir()
    nightly = "# AWS_ACCESS_KEY_ID is a CI/CD variable.\ninclude:\n  - local: ci/deploy.yml\n"
    files = {".gitlab-ci.yml": ROOT, "pipelines/nightly.gitlab-ci.yml": nightly, "ci/deploy.yml": DEPLOY}
    assert warned(tmp_path, files) == {("ci/deploy.yml", 5)}


def test_context_costs_at_most_about_two_more_reads_of_the_pipeline() -> None:
    """Every file of a pipeline is read with all the others: past twice the GitLab text (plus 1 MB),
    the remaining files are read alone, so a wide tree of includes cannot make the scan quadratic."""
    from nhilint.formats import SourceFile
    from nhilint.pipeline.units import units

    big = "# " + "x" * 300_000 + "\n"
    files = [SourceFile(f"ci/{n}.yml", "gitlab-ci", big) for n in "abcd"]
    root = SourceFile(".gitlab-ci.yml", "gitlab-ci", big)
    includes = {root.rel: [f.rel for f in files]}
    assert [len(unit) for unit in units([root, *files], includes)] == [5, 5, 5, 1, 1]
