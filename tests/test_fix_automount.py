"""NHI401's fix stops mounting the default ServiceAccount's token into a pod spec that names no
ServiceAccount, unless the workload visibly calls the Kubernetes API."""

from __future__ import annotations

from pathlib import Path

from tests.fix_harness import fixed_text
from tests.fix_oracle import MISSING, changes, yaml_docs

DATA = Path(__file__).parent / "data" / "fixes" / "automount"
REL = "k8s/shop.yaml"
BEFORE = (DATA / "workloads.before.yaml").read_text()
AFTER = (DATA / "workloads.after.yaml").read_text()


def test_the_fix_is_the_after_file_and_only_the_api_client_keeps_its_finding(tmp_path: Path) -> None:
    fixed, outcome = fixed_text(tmp_path, REL, BEFORE)
    assert fixed == AFTER
    assert not outcome.errors
    left = [f.message.split(" runs as")[0] for f in outcome.result.active if f.rule_id == "NHI401"]
    assert left == ["CronJob shop/reaper"]  # it runs kubectl: it needs a dedicated ServiceAccount instead


def test_only_the_setting_is_added(tmp_path: Path) -> None:
    fixed, _ = fixed_text(tmp_path, REL, BEFORE)
    assert changes(yaml_docs(BEFORE), yaml_docs(fixed)) == {
        "/0/spec/template/spec/automountServiceAccountToken": (MISSING, False),
        "/2/spec/automountServiceAccountToken": (MISSING, False),
    }


def test_a_crlf_file_stays_crlf(tmp_path: Path) -> None:
    fixed, _ = fixed_text(tmp_path, REL, BEFORE.replace("\n", "\r\n"))
    assert fixed == AFTER.replace("\n", "\r\n")


def test_fixing_the_fixed_file_changes_nothing(tmp_path: Path) -> None:
    fixed, outcome = fixed_text(tmp_path, REL, AFTER)
    assert fixed == AFTER
    assert not outcome.applied


def test_it_is_unsafe_so_safe_fixes_leave_the_file_alone(tmp_path: Path) -> None:
    fixed, outcome = fixed_text(tmp_path, REL, BEFORE, safeties=("safe",))
    assert fixed == BEFORE
    assert not outcome.applied


def test_a_workload_that_asks_for_the_token_is_left_alone(tmp_path: Path) -> None:
    before = (
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  template:\n    spec:\n"
        "      automountServiceAccountToken: true  # reads ConfigMaps through the API\n"
        "      restartPolicy: Never\n      containers:\n        - name: m\n          image: app:1\n"
    )
    fixed, outcome = fixed_text(tmp_path, "k8s/job.yaml", before)
    assert fixed == before
    assert [f.rule_id for f in outcome.result.active] == ["NHI401"]


def test_a_flow_pod_spec_is_left_alone(tmp_path: Path) -> None:
    before = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: 'nginx:1'}]}\n"
    )
    fixed, outcome = fixed_text(tmp_path, "k8s/pod.yaml", before)
    assert fixed == before
    assert [f.rule_id for f in outcome.result.active] == ["NHI401"]
