"""Kubernetes manifests: the facts the extractor produces and the rules they drive, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhilint import catalogue
from nhilint.config import Config
from nhilint.facts import (
    Credential,
    EnvVar,
    Fact,
    Grant,
    Identity,
    Lifetime,
    RbacRule,
    StringValue,
    Suppression,
    Workload,
)
from nhilint.formats import SourceFile
from nhilint.formats.kubernetes import extract as kubernetes

from .conftest import FIXTURES

DATA = Path(__file__).parent / "data" / "k8s"


def extract(rel: str, text: str | None = None) -> list[Fact]:
    source = SourceFile(rel, "kubernetes", text if text is not None else (DATA / rel).read_text())
    extraction = kubernetes.extract([source])
    assert extraction.problems == []
    return extraction.facts


def of(facts: list[Fact], kind: type) -> list:
    return [f for f in facts if type(f) is kind]


def lines(result, rule_id: str) -> list[int]:
    return sorted(f.loc.line for f in result.findings if f.rule_id == rule_id)


needs_entry = {
    rid: pytest.mark.skipif(rid not in catalogue.load(), reason=f"{rid} has no catalogue entry yet")
    for rid in ("NHI106", "NHI301", "NHI302", "NHI303", "NHI402")
}


def test_service_account_identity_with_tags_and_workload_identity() -> None:
    (sa,) = of(extract("stream.yaml"), Identity)
    assert (sa.kind, sa.provider, sa.address) == (
        "k8s_service_account",
        "kubernetes",
        "ServiceAccount/shop/web",
    )
    assert sa.name == "shop/web (from shop/templates/serviceaccount.yaml)"
    assert (sa.loc.line, sa.tags_loc.line) == (5, 4)
    assert sa.tags["owner"] == "shop-team" and sa.tag_locs["expires"].line == 10
    assert sa.automount_token is False
    assert sa.workload_identity == {"aws": "arn:aws:iam::123456789012:role/shop-web"}


def test_workloads_of_a_list_a_cronjob_and_a_pod() -> None:
    workloads = {w.kind: w for w in of(extract("stream.yaml"), Workload)}
    deployment, cronjob, pod = workloads["Deployment"], workloads["CronJob"], workloads["Pod"]
    assert (deployment.name, deployment.identity, deployment.identity_loc.line) == (
        "shop/web",
        "ServiceAccount/shop/web",
        29,
    )
    assert (deployment.uses_default, deployment.token_mounted) == (False, None)
    # no serviceAccountName: the default SA, located at the pod template's `spec:` line
    assert (cronjob.identity, cronjob.identity_loc.line, cronjob.uses_default) == (
        "ServiceAccount/shop/default",
        58,
        True,
    )
    assert cronjob.token_mounted is True
    # the deprecated `serviceAccount` field; no namespace means `default`
    assert (pod.name, pod.identity, pod.identity_loc.line) == (
        "default/debug",
        "ServiceAccount/default/web",
        70,
    )


def test_env_literals_are_env_vars_and_references_produce_nothing() -> None:
    facts = extract("stream.yaml")
    assert [(e.name, e.value, e.loc.line, e.workload) for e in of(facts, EnvVar)] == [
        ("SESSION_SECRET", "not-so-secret", 35, "Deployment shop/web")
    ]
    strings = of(facts, StringValue)
    assert [(s.key, s.loc.line) for s in strings if s.context == "env"] == [("SESSION_SECRET", 35)]
    assert [s.path for s in strings if "valueFrom" in s.path or "envFrom" in s.path] == []


def test_projected_token_lifetime_and_suppressions() -> None:
    facts = extract("stream.yaml")
    (lifetime,) = of(facts, Lifetime)
    assert (lifetime.setting, lifetime.seconds, lifetime.identity, lifetime.loc.line) == (
        "expirationSeconds",
        86400,
        "ServiceAccount/shop/web",
        47,
    )
    first, second = of(facts, Suppression)
    assert (first.rules, first.reason, first.expires) == (["NHI302"], "reviewed by security", None)
    assert (second.rules, second.reason, second.expires) == (
        ["NHI301", "NHI402"],
        "shared on purpose",
        "2030-06-30",
    )
    assert (first.loc.line, first.start_line, first.end_line) == (12, 2, 13)


def test_rbac_rules_and_bindings_from_json() -> None:
    facts = extract("rbac.json")
    minted, pods = of(facts, RbacRule)
    assert (minted.role, minted.cluster_scoped, minted.resources, minted.loc.line) == (
        "token-minter",
        True,
        ["serviceaccounts/token"],
        10,
    )
    assert pods.verbs == ["get"]
    grants = [(g.grantee_kind, g.grantee, g.identity, g.scope, g.loc.line) for g in of(facts, Grant)]
    assert grants == [
        ("group", "system:authenticated", None, "cluster", 20),
        ("service_account", "tools/ci", "ServiceAccount/tools/ci", "cluster", 21),
        ("user", "alice@example.com", None, "cluster", 22),
    ]


def test_rbac_rules_fire_on_token_minting_and_everyone_groups(scan) -> None:
    result = scan({"rbac.json": (DATA / "rbac.json").read_text()})
    assert lines(result, "NHI206") == [10]
    assert "`create` on `serviceaccounts/token`" in result.findings[0].message
    assert lines(result, "NHI207") == [20]


def test_legacy_token_secret_names_its_service_account(scan) -> None:
    result = scan(
        {
            "k8s/token.yaml": (
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci-token\n  namespace: tools\n"
                "  annotations:\n"
                "    kubernetes.io/service-account.name: ci\ntype: kubernetes.io/service-account-token\n"
                "data:\n  token: ZXlKaGJHY2lPaUpTVXpJMU5pSjk=\n"
            )
        }
    )
    (finding,) = [f for f in result.findings if f.rule_id == "NHI104"]
    assert finding.loc.line == 8
    assert "Secret tools/ci-token" in finding.message and "ServiceAccount tools/ci:" in finding.message
    assert "expirationSeconds" in finding.suggestion.snippet


def test_hardcoded_env_credential_is_keyed_by_the_variable_name(scan) -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: api}\nspec:\n  automountServiceAccountToken: false\n"
        "  containers:\n    - name: api\n      image: api:1\n      env:\n        - name: DB_PASSWORD\n"
        '          value: "Xk9#mP2$vR7qL4wZ"\n'
    )
    result = scan({"pod.yaml": pod})
    assert [(f.rule_id, f.loc.line) for f in result.findings] == [("NHI101", 11)]


DEFAULT_SA_OFF = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: shop\n"
CACHE = """apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cache
  namespace: shop
spec:
  selector: {matchLabels: {app: cache}}
  serviceName: cache
  template:
    spec:
      {mount}containers:
        - name: redis
          image: redis:7.2
"""


@pytest.mark.parametrize(
    ("sa_setting", "pod_setting", "expected"),
    [
        ("", "", [10]),
        ("automountServiceAccountToken: false\n", "", []),  # the default SA in another file says no
        ("automountServiceAccountToken: false\n", "automountServiceAccountToken: true\n      ", [10]),
        ("", "automountServiceAccountToken: false\n      ", []),
    ],
)
def test_default_service_account_across_files(
    scan, sa_setting: str, pod_setting: str, expected: list[int]
) -> None:
    result = scan(
        {"sa.yaml": DEFAULT_SA_OFF + sa_setting, "app/cache.yaml": CACHE.replace("{mount}", pod_setting)}
    )
    assert sorted(f.loc.line for f in result.findings if f.rule_id == "NHI401") == expected


def test_kustomize_patch_is_not_a_workload() -> None:
    patch = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n"
        "  template:\n    spec:\n      containers:\n        - name: web\n          resources: {}\n"
    )
    assert of(extract("overlays/prod/deployment.yaml", patch), Workload) == []


def test_unrendered_helm_template_is_skipped_but_a_broken_manifest_is_reported(scan) -> None:
    template = (FIXTURES / "insecure/kubernetes/billing-chart/templates/deployment.yaml").read_text()
    valid_yaml_template = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.sa }}-x\n"
    broken = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n"
    result = scan(
        {
            "chart/templates/deployment.yaml": template,
            "chart/templates/sa.yaml": valid_yaml_template,
            "broken.yaml": broken,
        }
    )
    assert [(f.rule_id, f.loc.file, f.loc.line > 1) for f in result.findings] == [
        ("NHI001", "broken.yaml", True)
    ]


def test_rendered_helm_output_keeps_alerting_templates() -> None:
    """`{{ $labels }}` in a rendered PrometheusRule is data, not an unrendered chart."""
    rendered = (
        "# Source: mon/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: mon\n"
        "---\n# Source: mon/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\n"
        "data:\n  rule: '{{ $labels.instance }} is down'\n"
    )
    (sa,) = of(extract("rendered.yaml", rendered), Identity)
    assert sa.name == "default/mon (from mon/templates/sa.yaml)"


def test_insecure_fixture_fires_each_kubernetes_rule_at_its_line(scan) -> None:
    files = {
        p.relative_to(FIXTURES).as_posix(): p.read_text()
        for p in (FIXTURES / "insecure" / "kubernetes").rglob("*.yaml")
    }
    result = scan(files, Config(max_identity_lifetime_days=3650))
    by_rule = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule_id, []).append(
            (finding.loc.file.rsplit("/", 1)[-1], finding.loc.line)
        )
    assert by_rule["NHI104"] == [("payments.yaml", 15)]
    assert sorted(by_rule["NHI206"]) == [("billing-rendered.yaml", 21), ("payments.yaml", 102)]
    assert sorted(by_rule["NHI207"]) == [
        ("kustomize-build.yaml", 18),
        ("payments.yaml", 115),
        ("payments.yaml", 129),
    ]
    assert sorted(by_rule["NHI401"]) == [
        ("billing-rendered.yaml", 41),
        ("kustomize-build.yaml", 31),
        ("kustomize-build.yaml", 53),
        ("payments.yaml", 91),
    ]
    assert "NHI001" not in by_rule  # the unrendered chart template is skipped


@needs_entry["NHI402"]
def test_shared_service_account_lists_every_user(scan) -> None:
    result = scan({"payments.yaml": (FIXTURES / "insecure/kubernetes/payments.yaml").read_text()})
    (finding,) = [f for f in result.findings if f.rule_id == "NHI402"]
    assert finding.loc.line == 5 and len(finding.related) == 2


@needs_entry["NHI303"]
def test_projected_token_above_the_limit(scan) -> None:
    result = scan({"stream.yaml": (DATA / "stream.yaml").read_text()})
    assert lines(result, "NHI303") == [47]


@needs_entry["NHI106"]
def test_credential_named_literal_env(scan) -> None:
    result = scan({"stream.yaml": (DATA / "stream.yaml").read_text()})
    assert lines(result, "NHI106") == [35]


@needs_entry["NHI301"]
@needs_entry["NHI302"]
def test_owner_and_expiry_on_service_accounts(scan) -> None:
    result = scan(
        {
            "billing.yaml": (FIXTURES / "insecure/kubernetes/billing-rendered.yaml").read_text(),
            "reports.yaml": (FIXTURES / "insecure/kubernetes/kustomize-build.yaml").read_text(),
        }
    )
    assert [(f.loc.file, f.loc.line) for f in result.unfolded if f.rule_id == "NHI301"] == [
        ("reports.yaml", 3)
    ]
    expiry = sorted((f.loc.file, f.loc.line) for f in result.unfolded if f.rule_id == "NHI302")
    assert expiry == [("billing.yaml", 13), ("reports.yaml", 3)]


def test_credential_fact_for_every_token_secret() -> None:
    facts = extract(
        "token.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: t}\ntype: kubernetes.io/service-account-token\n",
    )
    (cred,) = of(facts, Credential)
    assert (cred.identity, cred.name, cred.loc.line) == (None, "default/t", 4)


def test_custom_resource_definition_schemas_are_not_searched_for_credentials(scan) -> None:
    # CRD schemas are megabytes of prose and examples; their `spec` is an API, not configuration.
    crd = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.example.com
spec:
  group: example.com
  names: {kind: Backup, plural: backups}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            password:
              type: string
              description: "for example password=Xk9mP2vR7qL4wZ8t"
"""
    assert [f.rule_id for f in scan({"crd.yaml": crd}).findings] == []
    with_secret = crd.replace("kind: CustomResourceDefinition", "kind: BackupConfig")
    assert [f.rule_id for f in scan({"crd.yaml": with_secret}).findings] == ["NHI101"]
