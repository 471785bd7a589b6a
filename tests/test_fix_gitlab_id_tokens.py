"""NHI103's GitLab CI fix: a job reaching AWS with stored keys federates with `id_tokens`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.config import Config
from nhilint.fixes.base import FixOptions
from tests.ci_fix_cases import case, changed, crlf, fix_case, load
from tests.fix_harness import fixed_text

PIPELINE = ".gitlab-ci.yml"
RULES = ("NHI103",)
EXPECTED_CHANGES = {
    "keys": {
        ("deploy-site", "variables", "AWS_ACCESS_KEY_ID"),
        ("deploy-site", "variables", "AWS_SECRET_ACCESS_KEY"),
        ("deploy-site", "id_tokens"),
        ("deploy-site", "before_script"),
        ("invalidate-cache", "id_tokens"),
        ("invalidate-cache", "before_script"),  # one more item: a list of another length
    },
    "only_keys": {
        ("terraform-apply", "variables"),
        ("terraform-apply", "id_tokens"),
        ("terraform-apply", "before_script"),
    },
}


def _last(text: str) -> str:
    """The pipeline document of a file that may start with a `spec:` header."""
    return text.split("\n---\n")[-1].split("\r\n---\r\n")[-1]


@pytest.mark.parametrize("newline", ["lf", "crlf"])
@pytest.mark.parametrize("name", sorted(EXPECTED_CHANGES))
def test_fix_federates_the_job_and_changes_nothing_else(tmp_path: Path, name: str, newline: str) -> None:
    before, after = case("gitlab_id_tokens", name)
    if newline == "crlf":
        before, after = crlf(before), crlf(after)
    fixed, left = fix_case(tmp_path, PIPELINE, before, RULES)
    assert fixed == after
    assert left == []
    assert changed(_last(before), _last(fixed)) == EXPECTED_CHANGES[name]


def test_the_fixed_job_assumes_the_role_first(tmp_path: Path) -> None:
    before, _ = case("gitlab_id_tokens", "keys")
    fixed, _ = fix_case(
        tmp_path, PIPELINE, before, RULES, options=FixOptions(aws_role_variable="DEPLOY_ROLE")
    )
    job = load(fixed)["invalidate-cache"]
    assert job["id_tokens"] == {"AWS_ID_TOKEN": {"aud": "https://gitlab.com"}}
    first, second = job["before_script"]
    assert "assume-role-with-web-identity" in first and '"$DEPLOY_ROLE"' in first
    assert '--web-identity-token "$AWS_ID_TOKEN"' in first and second == "aws --version"


def test_keys_it_cannot_remove_are_left_to_the_user(tmp_path: Path) -> None:
    """Global variables (every job's), `aws configure set` in a script, a template's variables, a
    job whose before_script comes from `default:`: no fix."""
    before, _ = case("gitlab_id_tokens", "unfixable")
    fixed, left = fix_case(tmp_path, PIPELINE, before, RULES)
    assert fixed == before and len(left) == 3


def test_an_unsafe_fix_waits_for_unsafe_fixes(tmp_path: Path) -> None:
    before, _ = case("gitlab_id_tokens", "keys")
    fixed, left = fix_case(tmp_path, PIPELINE, before, RULES, safeties=("safe",))
    assert fixed == before and len(left) == 2


def test_the_advice_is_the_trust_policy_for_gitlab(tmp_path: Path) -> None:
    before, _ = case("gitlab_id_tokens", "only_keys")
    _, outcome = fixed_text(tmp_path, PIPELINE, before, config=Config(select=RULES))
    (fix,) = [f for _, f in outcome.applied]
    policy = json.loads(fix.advice[fix.advice.index("{") :])
    conditions = policy["Statement"][0]["Condition"]
    assert conditions["StringEquals"] == {"gitlab.com:aud": "https://gitlab.com"}
    assert conditions["StringLike"] == {
        "gitlab.com:sub": "project_path:GROUP/PROJECT:ref_type:branch:ref:main"
    }
