"""Terraform Kubernetes provider (`kubernetes_*` and `kubernetes_*_v1`): service accounts, token
Secrets, RBAC, workloads, and `kubernetes_manifest` objects.

Identity keys are those of the YAML extractor (`ServiceAccount/NAMESPACE/NAME`, see
`nhilint.formats.kubernetes`), so Terraform-managed and YAML workloads that share a ServiceAccount
group together (NHI402). A name or namespace given by reference to a `kubernetes_service_account`
or `kubernetes_namespace` of the module is resolved to its `metadata.name`; any other unresolved
value is kept as its source text (stable within one module).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.facts import Credential, Fact, Grant, Identity, Loc, RbacRule, Workload
from nhilint.formats.kubernetes.extract import manifest_facts
from nhilint.formats.kubernetes.manifest import Manifest, sa_address
from nhilint.formats.kubernetes.rbac import aggregated_to
from nhilint.formats.kubernetes.service_accounts import SA_TOKEN_TYPE, WORKLOAD_IDENTITY_ANNOTATIONS
from nhilint.formats.terraform.module import Module, Resource, reference
from nhilint.formats.terraform.shared import block_credentials, env_blocks, provider_credentials
from nhilint.parse.tree import Block, Expr, LMap, LSeq

# workload type (without `_v1`) -> blocks from the resource to its pod spec
_POD_SPECS = {
    "kubernetes_pod": ("spec",),
    "kubernetes_deployment": ("spec", "template", "spec"),
    "kubernetes_stateful_set": ("spec", "template", "spec"),
    "kubernetes_daemonset": ("spec", "template", "spec"),
    "kubernetes_daemon_set": ("spec", "template", "spec"),
    "kubernetes_replication_controller": ("spec", "template", "spec"),
    "kubernetes_job": ("spec", "template", "spec"),
    "kubernetes_cron_job": ("spec", "job_template", "spec", "template", "spec"),
}
_CONTAINERS = ("init_container", "container")


def _types(*names: str) -> list[str]:
    return [t for name in names for t in (name, f"{name}_v1")]


def extract(module: Module) -> Iterator[Fact]:
    yield from _service_accounts(module)
    yield from _token_secrets(module)
    yield from _roles(module)
    yield from _bindings(module)
    yield from _workloads(module)
    yield from _manifests(module)
    yield from _providers(module)


# --- names -----------------------------------------------------------------------------------


def _text(module: Module, raw: Any) -> str | None:
    """A name as a string: literal, resolved variable, a module object's `metadata.name`, or the
    source text of anything else; None when absent."""
    if raw is None:
        return None
    ref = reference(raw)
    target = module.by_address(ref) if ref and ref.startswith("kubernetes_") else None
    if target is not None:
        meta = target.block.child("metadata")
        name = module.resolve(meta.attrs.get("name")) if meta else None
        if isinstance(name, str):
            return name
    value = module.resolve(raw)
    if isinstance(value, str | int):
        return str(value)
    return value.text if isinstance(value, Expr) else getattr(value, "text", None)


def _meta(resource: Resource) -> Block | None:
    return resource.block.child("metadata")


def _namespace(module: Module, meta: Block | None) -> str:
    return (_text(module, meta.attrs.get("namespace")) if meta else None) or "default"


def _name(module: Module, resource: Resource) -> str:
    meta = _meta(resource)
    name = _text(module, meta.attrs.get("name")) if meta else None
    return name or resource.name


def _sa_key(module: Module, raw: Any, namespace: str) -> str | None:
    """The identity key of a ServiceAccount named by `raw` (a reference carries its own namespace)."""
    ref = reference(raw)
    target = module.by_address(ref) if ref and ref.startswith("kubernetes_service_account") else None
    if target is not None:
        return sa_address(_namespace(module, _meta(target)), _name(module, target))
    name = _text(module, raw)
    return sa_address(namespace, name) if name else None  # "" is the default ServiceAccount


# --- service accounts and tokens -------------------------------------------------------------


def _map(module: Module, holder: Block, attr: str) -> tuple[LMap | None, bool]:
    """(resolved map, inline) of a labels/annotations attribute; (None, True) when absent."""
    if attr not in holder.attrs:
        return None, True
    value = module.resolve_deep(holder.attrs[attr])
    return (value if isinstance(value, LMap) else None), isinstance(holder.attrs[attr], LMap)


def _service_accounts(module: Module) -> Iterator[Fact]:
    for resource in module.resources(*_types("kubernetes_service_account")):
        meta = _meta(resource)
        if meta is None:
            continue
        namespace, name = _namespace(module, meta), _name(module, resource)
        tags: dict[str, str] = {}
        tag_locs: dict[str, Loc] = {}
        known = True
        for attr in ("labels", "annotations"):
            values, inline = _map(module, meta, attr)
            if values is None:
                known = known and attr not in meta.attrs
                continue
            for key, value in values.items():
                if isinstance(value, str | int | float | bool):
                    tags[str(key)] = str(value)
                    where = values.kpos(key) if inline else meta.attrs.kpos(attr)
                    tag_locs[str(key)] = resource.pos_loc(where)
        automount = resource.get("automount_service_account_token")
        yield Identity(
            loc=resource.loc,
            kind="k8s_service_account",
            name=f"{namespace}/{name}",
            provider="kubernetes",
            address=sa_address(namespace, name),
            tags=tags,
            tag_locs=tag_locs,
            tags_loc=resource.pos_loc(meta.pos),
            tags_known=known,
            tags_open=any(module.from_caller(meta.attrs.get(attr)) for attr in ("labels", "annotations")),
            automount_token=automount if isinstance(automount, bool) else None,
            workload_identity={
                cloud: tags[key] for key, cloud in WORKLOAD_IDENTITY_ANNOTATIONS.items() if tags.get(key)
            },
        )


def _token_secrets(module: Module) -> Iterator[Fact]:
    for resource in module.resources(*_types("kubernetes_secret")):
        if resource.get("type") != SA_TOKEN_TYPE:
            continue
        meta = _meta(resource)
        namespace = _namespace(module, meta)
        annotations, _ = _map(module, meta, "annotations") if meta else (None, True)
        owner = annotations.get("kubernetes.io/service-account.name") if annotations else None
        yield Credential(
            loc=resource.attr_loc("type"),
            kind="k8s_service_account_token",
            resource_type=resource.type,
            identity=_sa_key(module, owner, namespace),
            name=f"{namespace}/{_name(module, resource)}",
        )


# --- RBAC ------------------------------------------------------------------------------------


def _strings(module: Module, raw: Any) -> list[str]:
    value = module.resolve_deep(raw)
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if isinstance(v, str | int)] if isinstance(value, LSeq) else []


def _roles(module: Module) -> Iterator[Fact]:
    for resource in module.resources(*_types("kubernetes_role", "kubernetes_cluster_role")):
        if resource.block.child("aggregation_rule") is not None:
            continue  # filled in from the roles it selects
        cluster = resource.type.startswith("kubernetes_cluster_role")
        name = _name(module, resource)
        meta = _meta(resource)
        label = name if cluster else f"{_namespace(module, meta)}/{name}"
        labels = _map(module, meta, "labels")[0] if meta and cluster else None
        for item in resource.block.children("rule"):
            yield RbacRule(
                loc=resource.pos_loc(item.pos),
                role=label,
                cluster_scoped=cluster,
                verbs=_strings(module, item.attrs.get("verbs")),
                resources=_strings(module, item.attrs.get("resources")),
                api_groups=_strings(module, item.attrs.get("api_groups")),
                role_loc=resource.loc,
                aggregate_to=aggregated_to(labels),
                resource_names=_strings(module, item.attrs.get("resource_names")),
            )


def _bindings(module: Module) -> Iterator[Fact]:
    for resource in module.resources(*_types("kubernetes_role_binding", "kubernetes_cluster_role_binding")):
        ref = resource.block.child("role_ref")
        role = _text(module, ref.attrs.get("name")) if ref else None
        if role is None:
            continue
        cluster = resource.type.startswith("kubernetes_cluster_role_binding")
        namespace = _namespace(module, _meta(resource))
        to_cluster_role = ref is not None and module.resolve(ref.attrs.get("kind")) == "ClusterRole"
        role_ref = role if to_cluster_role else f"{namespace}/{role}"
        for subject in resource.block.children("subject"):
            kind, raw_name = module.resolve(subject.attrs.get("kind")), subject.attrs.get("name")
            name = _text(module, raw_name)
            if name is None:
                continue
            identity = None
            if kind == "ServiceAccount":
                own = _text(module, subject.attrs.get("namespace")) or namespace
                identity = _sa_key(module, raw_name, own)
                grantee = identity.removeprefix("ServiceAccount/") if identity else name
                grantee_kind = "service_account"
            else:
                grantee, grantee_kind = name, {"Group": "group", "User": "user"}.get(str(kind), "unknown")
            yield Grant(
                loc=resource.pos_loc(subject.pos),
                platform="kubernetes",
                role=role,
                grantee=grantee,
                grantee_kind=grantee_kind,
                scope="cluster" if cluster else "namespace",
                identity=identity,
                role_ref=role_ref,
            )


# --- workloads -------------------------------------------------------------------------------


def _pod_spec(resource: Resource) -> Block | None:
    path = _POD_SPECS[resource.type.removesuffix("_v1")]
    block: Block | None = resource.block
    for type_ in path:
        block = block.child(type_) if block is not None else None
    return block


def _workloads(module: Module) -> Iterator[Fact]:
    for resource in module.resources(*_types(*_POD_SPECS)):
        spec = _pod_spec(resource)
        if spec is None:
            continue
        namespace = _namespace(module, _meta(resource))
        label = f"{namespace}/{_name(module, resource)}"
        raw = spec.attrs.get("service_account_name")
        identity = _sa_key(module, raw, namespace)
        named = identity is not None
        automount = module.resolve(spec.attrs.get("automount_service_account_token"))
        yield Workload(
            loc=resource.loc,
            kind=resource.type,
            name=label,
            platform="kubernetes",
            identity=identity if named else sa_address(namespace, "default"),
            identity_loc=resource.pos_loc(spec.attrs.kpos("service_account_name") if named else spec.pos),
            uses_default=not named or identity == sa_address(namespace, "default"),
            token_mounted=automount if isinstance(automount, bool) else None,
        )
        path = ".".join((resource.address, *_POD_SPECS[resource.type.removesuffix("_v1")]))
        for kind in _CONTAINERS:
            for container in spec.children(kind):
                yield from env_blocks(resource, container, f"{path}.{kind}", label)


def _manifests(module: Module) -> Iterator[Fact]:
    """`kubernetes_manifest`: the object is a Kubernetes manifest written in HCL."""
    for resource in module.resources("kubernetes_manifest"):
        obj = module.resolve_deep(resource.raw("manifest"))
        if isinstance(obj, LMap) and isinstance(resource.raw("manifest"), LMap):
            manifest = Manifest.of(resource.file, obj, None)
            if manifest is not None:
                yield from manifest_facts(manifest)


def _providers(module: Module) -> Iterator[Fact]:
    attrs = ("token", "client_key", "password")
    yield from provider_credentials(module, "kubernetes", attrs)
    for file, block in module.providers("helm"):
        nested = block.child("kubernetes")  # provider "helm" { kubernetes { token = ... } }
        if nested is not None:
            yield from block_credentials(module, "helm", file, nested, attrs)
