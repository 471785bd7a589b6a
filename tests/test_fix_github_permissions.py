"""NHI208's fix: `permissions: {}` at the top of a workflow and the scopes each job visibly uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci_fix_cases import DATA, case, changed, crlf, fix_case, load

WORKFLOW = ".github/workflows/ci.yml"
RULES = ("NHI208",)
EXPECTED_CHANGES = {
    "no_permissions": {
        ("permissions",),
        ("jobs", "build", "permissions"),
        ("jobs", "image", "permissions"),
        ("jobs", "deploy", "permissions"),
        ("jobs", "report", "permissions"),
        ("jobs", "release", "permissions"),
    },
    "write_all": {("permissions",), ("jobs", "test", "permissions"), ("jobs", "publish", "permissions")},
}


@pytest.mark.parametrize("newline", ["lf", "crlf"])
@pytest.mark.parametrize("name", sorted(EXPECTED_CHANGES))
def test_fix_scopes_the_token_and_changes_nothing_else(tmp_path: Path, name: str, newline: str) -> None:
    before, after = case("github_permissions", name)
    if newline == "crlf":
        before, after = crlf(before), crlf(after)
    fixed, left = fix_case(tmp_path, WORKFLOW, before, RULES)
    assert fixed == after
    assert left == []
    assert changed(before, fixed) == EXPECTED_CHANGES[name]


def test_each_job_gets_the_scopes_it_visibly_uses(tmp_path: Path) -> None:
    before, _ = case("github_permissions", "no_permissions")
    fixed, _ = fix_case(tmp_path, WORKFLOW, before, RULES)
    jobs = load(fixed)["jobs"]
    assert load(fixed)["permissions"] == {}
    assert {name: job.get("permissions") for name, job in jobs.items()} == {
        "build": {"contents": "read"},
        "image": {"contents": "read", "packages": "write"},
        "deploy": {"id-token": "write"},
        "report": {"pull-requests": "write"},
        "lint": {"contents": "read"},  # its own, untouched
        "spellcheck": None,  # needs nothing: `{}` from the top
        "release": {"contents": "write"},  # git push, a release
    }


def test_a_job_whose_token_use_is_unknown_leaves_the_workflow_as_it_is(tmp_path: Path) -> None:
    """`gh release` with the job's token, a reusable workflow, `actions/github-script`: scopes this fix
    cannot tell."""
    before, _ = case("github_permissions", "unfixable")
    fixed, left = fix_case(tmp_path, WORKFLOW, before, RULES)
    assert fixed == before and len(left) == 1


def test_an_unsafe_fix_waits_for_unsafe_fixes(tmp_path: Path) -> None:
    before, _ = case("github_permissions", "no_permissions")
    fixed, left = fix_case(tmp_path, WORKFLOW, before, RULES, safeties=("safe",))
    assert fixed == before and len(left) == 1


def test_it_composes_with_the_oidc_fix(tmp_path: Path) -> None:
    """Both fixes create the deploy job's `permissions:` block: one waits a round and adds to the
    other's block instead of writing a second `permissions:` key."""
    before = (DATA / "github_oidc" / "aws_keys.before.yml").read_text()
    after = (DATA / "github_permissions" / "with_oidc_fix.after.yml").read_text()
    fixed, left = fix_case(tmp_path, WORKFLOW, before, ("NHI103", "NHI208"))
    assert fixed == after and left == []


def test_github_script_can_call_any_api_so_its_workflow_is_left_as_it_is(tmp_path: Path) -> None:
    before = (
        "on: issues\n"
        "jobs:\n"
        "  label:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/github-script@v7\n"
        "        with:\n"
        "          script: |\n"
        "            await github.rest.issues.addLabels({...context.issue, labels: ['triage']})\n"
    )
    fixed, left = fix_case(tmp_path, WORKFLOW, before, RULES)
    assert fixed == before and len(left) == 1
