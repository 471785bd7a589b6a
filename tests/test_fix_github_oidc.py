"""NHI103's GitHub Actions fix: static cloud keys given to a login action -> OIDC federation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nhilint.config import Config
from nhilint.fixes.base import FixOptions
from tests.ci_fix_cases import case, changed, crlf, fix_case, load
from tests.fix_harness import fixed_text

WORKFLOW = ".github/workflows/deploy.yml"
RULES = ("NHI103",)
DEPLOY_WITH = ("jobs", "deploy", "steps", 1, "with")
EXPECTED_CHANGES = {
    "aws_keys": {
        ("jobs", "deploy", "permissions"),
        (*DEPLOY_WITH, "aws-access-key-id"),
        (*DEPLOY_WITH, "aws-secret-access-key"),
        (*DEPLOY_WITH, "role-to-assume"),
    },
    "gcp_azure": {
        ("jobs", "gcp", "permissions"),
        ("jobs", "gcp", "steps", 1, "with", "credentials_json"),
        ("jobs", "gcp", "steps", 1, "with", "workload_identity_provider"),
        ("jobs", "gcp", "steps", 1, "with", "service_account"),
        ("jobs", "azure", "permissions", "id-token"),
        ("jobs", "azure", "steps", 0, "with", "creds"),
        ("jobs", "azure", "steps", 0, "with", "client-id"),
        ("jobs", "azure", "steps", 0, "with", "tenant-id"),
        ("jobs", "azure", "steps", 0, "with", "subscription-id"),
    },
    "role_chaining": {
        ("jobs", "deploy", "steps", 0, "with", "aws-access-key-id"),
        ("jobs", "deploy", "steps", 0, "with", "aws-secret-access-key"),
        ("jobs", "deploy", "steps", 0, "with", "aws-session-token"),
    },
}
# Findings each case leaves on purpose (a key handed over in `env:` is not the login action's input).
LEFT = {"aws_keys": [], "gcp_azure": ["keys-in-env"], "role_chaining": []}


@pytest.mark.parametrize("newline", ["lf", "crlf"])
@pytest.mark.parametrize("name", sorted(EXPECTED_CHANGES))
def test_fix_rewrites_the_login_and_nothing_else(tmp_path: Path, name: str, newline: str) -> None:
    before, after = case("github_oidc", name)
    if newline == "crlf":
        before, after = crlf(before), crlf(after)
    fixed, left = fix_case(tmp_path, WORKFLOW, before, RULES)
    assert fixed == after
    assert sorted(f.identity.name for f in left if f.identity) == LEFT[name]
    assert changed(before, fixed) == EXPECTED_CHANGES[name]


def test_the_new_job_permissions_keep_the_workflow_scopes(tmp_path: Path) -> None:
    """A job's `permissions:` replace the workflow's: the block the fix creates repeats them."""
    before, _ = case("github_oidc", "gcp_azure")
    fixed, _ = fix_case(tmp_path, WORKFLOW, before, RULES)
    assert load(fixed)["jobs"]["gcp"]["permissions"] == {
        "contents": "read",
        "actions": "read",
        "id-token": "write",
    }


def test_what_cannot_be_edited_line_by_line_is_left_as_it_is(tmp_path: Path) -> None:
    before, _ = case("github_oidc", "unfixable")
    fixed, left = fix_case(tmp_path, WORKFLOW, before, RULES)
    assert fixed == before
    assert sorted(f.identity.name for f in left if f.identity) == [
        "flow-inputs",
        "key-also-in-env",
        "multi-line-value",
        "read-all-workflow",
    ]


def test_an_unsafe_fix_waits_for_unsafe_fixes(tmp_path: Path) -> None:
    before, _ = case("github_oidc", "aws_keys")
    fixed, left = fix_case(tmp_path, WORKFLOW, before, RULES, safeties=("safe",))
    assert fixed == before and len(left) == 1


def test_the_role_variable_comes_from_the_options(tmp_path: Path) -> None:
    before, after = case("github_oidc", "aws_keys")
    options = FixOptions(aws_role_variable="DEPLOY_ROLE")
    fixed, _ = fix_case(tmp_path, WORKFLOW, before, RULES, options=options)
    assert fixed == after.replace("vars.AWS_ROLE_ARN", "vars.DEPLOY_ROLE")


def test_the_advice_is_the_trust_policy_for_this_repository(tmp_path: Path) -> None:
    before, _ = case("github_oidc", "aws_keys")
    _, outcome = fixed_text(tmp_path, WORKFLOW, before, config=Config(select=RULES))
    (fix,) = [f for _, f in outcome.applied]
    assert fix.safety == "unsafe" and fix.rule_id == "NHI103"
    policy = json.loads(fix.advice[fix.advice.index("{") :])
    (statement,) = policy["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions = statement["Condition"]
    assert conditions["StringEquals"] == {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
    assert conditions["StringLike"] == {"token.actions.githubusercontent.com:sub": "repo:OWNER/REPO:*"}
    assert "AWS_ROLE_ARN" in fix.advice


def test_a_login_step_shared_through_an_anchor_is_left_as_it_is(tmp_path: Path) -> None:
    """Editing the anchored step would change the job that aliases it too (which gets no `id-token`)."""
    before = (
        "on: push\n"
        "jobs:\n"
        "  staging:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - &login\n"
        "        uses: aws-actions/configure-aws-credentials@v4\n"
        "        with:\n"
        "          aws-access-key-id: ${{ secrets.KEY_ID }}\n"
        "          aws-secret-access-key: ${{ secrets.SECRET }}\n"
        "          aws-region: eu-west-1\n"
        "  production:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - *login\n"
    )
    fixed, left = fix_case(tmp_path, WORKFLOW, before, RULES)
    assert fixed == before
    assert sorted(f.identity.name for f in left if f.identity) == ["production", "staging"]
