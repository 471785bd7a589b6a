"""ServiceAccounts (their labels, annotations, token automount and cloud workload identity) and
the Secrets that hold a ServiceAccount's long-lived token."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import Credential, Fact, Identity
from nhilint.formats.kubernetes.manifest import Manifest, sa_address
from nhilint.parse.tree import LMap

WORKLOAD_IDENTITY_ANNOTATIONS = {
    "eks.amazonaws.com/role-arn": "aws",
    "iam.gke.io/gcp-service-account": "gcp",
    "azure.workload.identity/client-id": "azure",
}
SA_TOKEN_TYPE = "kubernetes.io/service-account-token"


def service_account(m: Manifest) -> Iterator[Fact]:
    kustomization = m.kustomization
    tags: dict[str, str] = dict(kustomization.labels) if kustomization else {}
    tag_locs = (
        {key: kustomization.loc(line) for key, line in kustomization.label_lines.items()}
        if kustomization
        else {}
    )
    for key in ("labels", "annotations"):
        values = m.meta.get(key)
        if not isinstance(values, LMap):
            continue
        for tag, value in values.items():
            if isinstance(value, (str, int, float, bool)):
                tags[str(tag)] = str(value)
                tag_locs[str(tag)] = m.loc(values.kpos(tag))
    automount = m.obj.get("automountServiceAccountToken")
    yield Identity(
        loc=m.loc(m.meta.kpos("name")),
        kind="k8s_service_account",
        name=m.display(m.qualified),
        provider="kubernetes",
        address=sa_address(m.namespace, m.name),
        tags=tags,
        tag_locs=tag_locs,
        tags_loc=m.loc(m.obj.kpos("metadata")),
        automount_token=automount if isinstance(automount, bool) else None,
        workload_identity={
            cloud: tags[key] for key, cloud in WORKLOAD_IDENTITY_ANNOTATIONS.items() if tags.get(key)
        },
        chart=m.chart(),
        fix_place=kustomization.loc() if kustomization else None,
        fix_place_name=f"kustomization {kustomization.rel}" if kustomization else "",
    )


def secret(m: Manifest) -> Iterator[Fact]:
    if m.obj.get("type") != SA_TOKEN_TYPE:
        return
    owner = m.annotations().get("kubernetes.io/service-account.name")
    yield Credential(
        loc=m.loc(m.obj.kpos("type")),
        kind="k8s_service_account_token",
        resource_type="Secret",
        identity=sa_address(m.namespace, owner) if isinstance(owner, str) else None,
        name=m.display(m.qualified),
    )
