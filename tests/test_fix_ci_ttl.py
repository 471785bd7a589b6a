"""NHI303's CI fix (safe): the session lifetime a job asks for is lowered to the configured maximum."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.fixes.base import FixOptions
from tests.ci_fix_cases import case, changed, crlf, fix_case

RULES = ("NHI303",)
PATHS = {"github": ".github/workflows/nightly.yml", "gitlab": ".gitlab-ci.yml"}
EXPECTED_CHANGES = {
    "github": {
        ("jobs", "nightly", "steps", 0, "with", "role-duration-seconds"),
        ("jobs", "backfill", "steps", 0, "with", "role-duration-seconds"),
        ("jobs", "backfill", "steps", 1, "run"),
    },
    "gitlab": {("assume", "script", 0)},
}


@pytest.mark.parametrize("newline", ["lf", "crlf"])
@pytest.mark.parametrize("name", sorted(EXPECTED_CHANGES))
def test_fix_lowers_the_lifetime_and_changes_nothing_else(tmp_path: Path, name: str, newline: str) -> None:
    before, after = case("ci_ttl", name)
    if newline == "crlf":
        before, after = crlf(before), crlf(after)
    fixed, left = fix_case(tmp_path, PATHS[name], before, RULES, safeties=("safe",))
    assert fixed == after
    assert left == []
    assert changed(before, fixed) == EXPECTED_CHANGES[name]


def test_the_limit_comes_from_the_options(tmp_path: Path) -> None:
    before, after = case("ci_ttl", "gitlab")
    fixed, _ = fix_case(tmp_path, PATHS["gitlab"], before, RULES, options=FixOptions(max_ttl_seconds=900))
    assert fixed == after.replace("--duration-seconds=3600", "--duration-seconds=900")


def test_a_lifetime_from_an_expression_is_not_edited(tmp_path: Path) -> None:
    before = (
        "on: push\n"
        "jobs:\n"
        "  long:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: aws sts assume-role --duration-seconds ${{ inputs.seconds }} --role-arn r\n"
        "      - run: aws sts assume-role --duration-seconds 43200 --duration-seconds 7200\n"
    )
    fixed, left = fix_case(tmp_path, PATHS["github"], before, RULES)
    assert fixed == before and len(left) == 2
