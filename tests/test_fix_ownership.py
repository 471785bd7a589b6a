"""NHI301/NHI302's fix writes the configured (or CODEOWNERS) owner and an expiry date into each
identity a finding covers, in the file's own style, or writes nothing."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from nhilint.fixes.base import FixOptions
from nhilint.fixes.codeowners import owner_of
from tests.fix_harness import fixed_text
from tests.fix_oracle import MISSING, changes, hcl_data, yaml_docs

DATA = Path(__file__).parent / "data" / "fixes" / "ownership"
TODAY = date.today()  # once: a run across midnight still expects the date the fix writes
OPTIONS = FixOptions(owner="@acme/payments", expires_in_days=90, today=TODAY)
EXPIRES = (TODAY + timedelta(days=90)).isoformat()
OWNER = "@acme/payments"

# case -> (path in the scan, the data the fix adds, lifecycle findings (rule, line) left after it)
CASES: dict[str, tuple[str, dict[str, tuple[object, object]], list[tuple[str, int]]]] = {
    "roles.tf": (
        "infra/roles.tf",
        {
            f'/resource/{index}/"{kind}"/"{name}"/tags/{key}': (MISSING, f'"{value}"')  # hcl2 keeps quotes
            for index, kind, name in (
                (0, "aws_iam_role", "deploy"),
                (1, "aws_iam_user", "reporting"),
                (2, "aws_iam_role", "audit"),
            )
            for key, value in (("owner", OWNER), ("expires", EXPIRES))
        },
        [],
    ),
    "stack.yaml": (
        "cfn/build.yaml",
        {
            **{
                f"/0/Resources/{resource}/Properties/Tags/{index}/{field}": (MISSING, value)
                for resource, first in (("BuildRole", 1), ("PublishRole", 1), ("ArtifactsUser", 0))
                for index, key, value in ((first, "owner", OWNER), (first + 1, "expires", EXPIRES))
                for field, value in (("Key", key), ("Value", value))
            },
        },
        [("NHI302", 56)],  # LegacyRole's passed expiry: someone must decide, not the fixer
    ),
    "accounts.yaml": (
        "k8s/accounts.yaml",
        {
            f"/{doc}/metadata/annotations/{key}": (MISSING, value)
            for doc in (0, 1, 2)
            for key, value in (("owner", OWNER), ("expires", EXPIRES))
        },
        [],
    ),
}


def _case(name: str) -> tuple[str, str]:
    stem, ext = name.rsplit(".", 1)
    after = (DATA / f"{stem}.after.{ext}").read_text().replace("{EXPIRES}", EXPIRES)
    return (DATA / f"{stem}.before.{ext}").read_text(), after


def _data(name: str, text: str) -> object:
    return hcl_data(text) if name.endswith(".tf") else yaml_docs(text)


def _lifecycle(outcome: object, rel: str) -> list[tuple[str, int]]:
    found = outcome.result.active  # type: ignore[attr-defined]
    return sorted(
        (f.rule_id, f.loc.line) for f in found if f.rule_id in ("NHI301", "NHI302") and f.loc.file == rel
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_fix_is_the_after_file_and_the_findings_are_gone(tmp_path: Path, name: str) -> None:
    rel, added, left = CASES[name]
    before, after = _case(name)
    fixed, outcome = fixed_text(tmp_path, rel, before, options=OPTIONS)
    assert fixed == after
    assert not outcome.errors
    assert _lifecycle(outcome, rel) == left
    assert changes(_data(name, before), _data(name, fixed)) == added


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_crlf_file_stays_crlf(tmp_path: Path, name: str) -> None:
    rel, _, _ = CASES[name]
    before, after = _case(name)
    fixed, _ = fixed_text(tmp_path, rel, before.replace("\n", "\r\n"), options=OPTIONS)
    assert fixed == after.replace("\n", "\r\n")


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixing_the_fixed_file_changes_nothing(tmp_path: Path, name: str) -> None:
    rel, _, _ = CASES[name]
    _, after = _case(name)
    fixed, outcome = fixed_text(tmp_path, rel, after, options=OPTIONS)
    assert fixed == after
    assert not outcome.applied


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_is_unsafe_so_safe_fixes_leave_the_file_alone(tmp_path: Path, name: str) -> None:
    rel, _, _ = CASES[name]
    before, _ = _case(name)
    fixed, _ = fixed_text(tmp_path, rel, before, options=OPTIONS, safeties=("safe",))
    assert fixed == before


def test_without_a_configured_owner_or_codeowners_no_owner_is_invented(tmp_path: Path) -> None:
    before, _ = _case("accounts.yaml")
    fixed, outcome = fixed_text(tmp_path, "k8s/accounts.yaml", before, options=FixOptions())
    assert fixed == before
    fixed, outcome = fixed_text(
        tmp_path, "k8s/accounts.yaml", before, options=FixOptions(expires_in_days=90, today=TODAY)
    )
    assert "owner:" not in fixed and fixed.count(f'expires: "{EXPIRES}"') == 3
    assert {rule for rule, _ in _lifecycle(outcome, "k8s/accounts.yaml")} == {"NHI301"}


def test_the_owner_comes_from_the_codeowners_line_that_matches_last(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text(
        "# owners\n*       @acme/everyone\n/k8s/   @acme/platform admin@example.com  # SRE\n/k8s/legacy/\n"
    )
    before, _ = _case("accounts.yaml")
    fixed, outcome = fixed_text(tmp_path, "k8s/accounts.yaml", before)
    assert fixed.count('owner: "@acme/platform"') == 3 and "expires:" not in fixed
    assert {rule for rule, _ in _lifecycle(outcome, "k8s/accounts.yaml")} == {"NHI302"}
    fixed, _ = fixed_text(tmp_path, "k8s/legacy/accounts.yaml", before)
    assert fixed == before  # a matching line without owners: deliberately un-owned


def test_a_group_with_an_identity_that_cannot_be_edited_is_not_fixed_at_all(tmp_path: Path) -> None:
    before, _ = _case("accounts.yaml")
    before = before.replace(
        "metadata:\n  name: worker\n  namespace: shop\n", "metadata: {name: worker, namespace: shop}\n"
    )
    fixed, outcome = fixed_text(tmp_path, "k8s/accounts.yaml", before, options=OPTIONS)
    assert fixed == before  # two of three identities fixed would still be one finding, half true
    assert _lifecycle(outcome, "k8s/accounts.yaml") == [("NHI301", 4)]


def test_tags_from_an_expression_are_not_edited(tmp_path: Path) -> None:
    before = (
        'provider "aws" {\n  region = "eu-west-1"\n}\n\n'
        'resource "aws_iam_user" "ci" {\n  name = "ci"\n  tags = local.tags # shared\n}\n\n'
        'locals {\n  tags = { team = "x" }\n}\n'
    )
    fixed, outcome = fixed_text(tmp_path, "infra/main.tf", before, options=OPTIONS)
    assert fixed == before  # the local is shared: adding to it would tag every user of it
    assert _lifecycle(outcome, "infra/main.tf") == [("NHI301", 7)]


@pytest.mark.parametrize(
    ("lines", "path", "owner"),
    [
        ("* @a\n*.tf @b\n", "infra/main.tf", "@b"),
        ("*.tf @b\n* @a\n", "infra/main.tf", "@a"),  # the last matching line wins
        ("/infra/ @b @c\n", "infra/x/main.tf", "@b"),  # the first owner of the line
        ("infra/ @b\n", "modules/infra/main.tf", "@b"),  # a bare directory matches at any depth
        ("/infra/ @b\n", "modules/infra/main.tf", None),  # a leading / anchors it at the root
        ("docs/* @b\n", "docs/a/b.yaml", None),  # `dir/*`: not its subdirectories' files
        ("apps/**/k8s @b\n", "apps/a/b/k8s/sa.yaml", "@b"),
        ("\\#notes @b\n", "#notes", "@b"),
        ("* @a\n/k8s/ \n", "k8s/sa.yaml", None),  # no owners: un-owned
        ("* rm -rf\n", "k8s/sa.yaml", None),  # not an owner: never written into a file
        ("* team@example.com\n", "k8s/sa.yaml", "team@example.com"),
        ("[ab].tf @b\n", "a.tf", None),  # GitHub does not support ranges
    ],
)
def test_codeowners_semantics(tmp_path: Path, lines: str, path: str, owner: str | None) -> None:
    (tmp_path / "CODEOWNERS").write_text(lines)
    assert owner_of(tmp_path, path) == owner


def test_codeowners_location_order_and_symlinks(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("* @docs\n")
    assert owner_of(tmp_path, "a.tf") == "@docs"
    (tmp_path / "CODEOWNERS").write_text("* @root\n")
    assert owner_of(tmp_path, "a.tf") == "@root"
    (tmp_path / "outside").write_text("* @outside\n")
    (tmp_path / ".github").mkdir()
    os.symlink(tmp_path / "outside", tmp_path / ".github" / "CODEOWNERS")
    assert owner_of(tmp_path, "a.tf") == "@root"  # a link may point outside the repository: not read


def test_a_kept_block_scalar_keeps_its_trailing_blank_lines(tmp_path: Path) -> None:
    before = (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  annotations:\n"
        "    note: |+\n      kept\n\n\n  labels:\n    app: api\n"
    )
    fixed, _ = fixed_text(tmp_path, "k8s/sa.yaml", before, options=OPTIONS)
    assert changes(yaml_docs(before), yaml_docs(fixed)) == {
        "/0/metadata/annotations/owner": (MISSING, OWNER),
        "/0/metadata/annotations/expires": (MISSING, EXPIRES),
    }


@pytest.mark.parametrize(
    ("rel", "before"),
    [
        ("k8s/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  annotations:\n"),
        (
            "cfn/role.yaml",
            'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  BuildRole:\n    Type: AWS::IAM::Role\n'
            "    Properties:\n      AssumeRolePolicyDocument: {}\n      Tags:\n",
        ),
    ],
)
def test_a_key_written_without_a_value_is_not_written_a_second_time(
    tmp_path: Path, rel: str, before: str
) -> None:
    fixed, outcome = fixed_text(tmp_path, rel, before, options=OPTIONS)
    yaml_docs(fixed)  # a duplicate `annotations:`/`Tags:` key would be rejected here
    assert fixed == before  # replacing the empty value is not a plain insertion: left to the user
    assert [rule for rule, _ in _lifecycle(outcome, rel)] == ["NHI301"]


@pytest.mark.parametrize(
    ("rel", "before"),
    [
        ("k8s/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: shop"),
        (
            "cfn/role.yaml",
            'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  BuildRole:\n    Type: AWS::IAM::Role\n'
            "    Properties:\n      AssumeRolePolicyDocument:\n        Statement: []",
        ),
    ],
)
def test_a_file_without_a_final_newline_keeps_it_so_when_entries_are_appended(
    tmp_path: Path, rel: str, before: str
) -> None:
    fixed, _ = fixed_text(tmp_path, rel, before, options=OPTIONS)
    assert fixed.startswith(before + "\n") and not fixed.endswith("\n")
    assert fixed.endswith(f'Value: "{EXPIRES}"' if rel.startswith("cfn") else f'expires: "{EXPIRES}"')
