"""NHI303's fix lowers a literal lifetime to the configured maximum, in the literal's own style."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint.fixes.base import FixOptions
from nhilint.fixes.ttl import duration
from tests.fix_harness import fixed_text
from tests.fix_oracle import changes, hcl_data, yaml_docs

DATA = Path(__file__).parent / "data" / "fixes" / "ttl"

# case -> (path in the scan, the data paths the fix changes: old -> new, NHI303 lines left unfixed)
CASES = {
    "projected.yaml": (
        "k8s/payments.yaml",
        {
            "/0/spec/template/spec/volumes/0/projected/sources/0/serviceAccountToken/expirationSeconds": (
                86400,
                3600,
            ),
            "/1/spec/volumes/0/projected/sources/0/serviceAccountToken/expirationSeconds": (7200, 3600),
        },
        [],
    ),
    "roles.tf": (
        "infra/roles.tf",
        {
            '/resource/0/"aws_iam_role"/"deploy"/max_session_duration': (43200, 3600),
            '/resource/1/"vault_jwt_auth_backend_role"/"ci"/token_ttl': ('"768h"', '"1h"'),
            '/resource/1/"vault_jwt_auth_backend_role"/"ci"/token_max_ttl': ('"86400"', '"3600"'),
            '/resource/2/"vault_approle_auth_backend_role"/"app"/token_max_ttl': (0, 3600),
        },
        [36],  # token_ttl = var.ttl: set where the variable is, not here
    ),
    "role.yaml": (
        "cfn/roles.yaml",
        {"/0/Resources/DeployRole/Properties/MaxSessionDuration": ("43200", "3600")},
        [6],  # the parameter's default, read by ReportRole's !Ref: not lowered for every reader
    ),
}


def _case(name: str) -> tuple[str, str]:
    stem, ext = name.rsplit(".", 1)
    return (DATA / f"{stem}.before.{ext}").read_text(), (DATA / f"{stem}.after.{ext}").read_text()


def _data(name: str, text: str) -> object:
    return hcl_data(text) if name.endswith(".tf") else yaml_docs(text)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_fix_is_the_after_file_and_the_finding_is_gone(tmp_path: Path, name: str) -> None:
    rel, changed, unfixed = CASES[name]
    before, after = _case(name)
    fixed, outcome = fixed_text(tmp_path, rel, before)
    assert fixed == after
    assert not outcome.errors
    left = sorted(f.loc.line for f in outcome.result.active if f.rule_id == "NHI303" and f.loc.file == rel)
    assert left == unfixed
    assert changes(_data(name, before), _data(name, fixed)) == changed


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_crlf_file_stays_crlf(tmp_path: Path, name: str) -> None:
    rel, _, _ = CASES[name]
    before, after = _case(name)
    fixed, _ = fixed_text(tmp_path, rel, before.replace("\n", "\r\n"))
    assert fixed == after.replace("\n", "\r\n")


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixing_the_fixed_file_changes_nothing(tmp_path: Path, name: str) -> None:
    rel, _, _ = CASES[name]
    _, after = _case(name)
    fixed, outcome = fixed_text(tmp_path, rel, after)
    assert fixed == after
    assert not outcome.applied


def test_the_configured_maximum_is_written_in_the_literals_unit(tmp_path: Path) -> None:
    before, _ = _case("roles.tf")
    fixed, _ = fixed_text(tmp_path, "infra/roles.tf", before, options=FixOptions(max_ttl_seconds=1800))
    assert 'token_ttl       = "30m"   # 32 days' in fixed
    assert 'token_max_ttl   = "1800"' in fixed
    assert "max_session_duration = 1800 # 12 h" in fixed


def test_a_value_within_the_maximum_is_left_alone(tmp_path: Path) -> None:
    before, _ = _case("projected.yaml")
    fixed, _ = fixed_text(tmp_path, "k8s/payments.yaml", before, options=FixOptions(max_ttl_seconds=3600))
    assert "expirationSeconds: 600\n" in fixed  # below the limit: never raised


def test_a_value_behind_an_alias_is_not_edited(tmp_path: Path) -> None:
    before = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  serviceAccountName: p\n"
        "  containers: [{name: c, image: nginx}]\n  volumes:\n  - name: t\n    projected:\n      sources:\n"
        "      - serviceAccountToken: {expirationSeconds: &day 86400, path: a}\n"
        "      - serviceAccountToken: {expirationSeconds: *day, path: b}\n"
    )
    fixed, _ = fixed_text(tmp_path, "k8s/pod.yaml", before)
    assert fixed == before  # the anchored value is read by the alias too: not edited


@pytest.mark.parametrize(("seconds", "written"), [(3600, "1h"), (7200, "2h"), (1800, "30m"), (90, "90s")])
def test_vault_durations_use_the_largest_whole_unit(seconds: int, written: str) -> None:
    assert duration(seconds) == written
