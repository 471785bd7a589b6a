"""Terraform Google provider: service accounts, their keys, IAM grants, Workload Identity Federation
providers, and the workloads that run as a service account.

Identity keys: a `google_service_account` is keyed by its address; a workload that names it by
reference (`google_service_account.x.email`) or by literal email (`x@p.iam.gserviceaccount.com`
with `account_id = "x"` in the module) gets that address, so NHI402 groups them. GCP service
accounts have no labels: `owner: NAME` / `expires: YYYY-MM-DD` written in `description` stand for
tags (RULES.md NHI301/302).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.facts import (
    Credential,
    EnvVar,
    Fact,
    Grant,
    Identity,
    Loc,
    Trust,
    Workload,
)
from nhilint.formats.terraform.instances import expand
from nhilint.formats.terraform.module import Module, Resource, is_unknown, reference
from nhilint.formats.terraform.shared import description_tags, env_blocks, provider_credentials
from nhilint.knowledge.credential_names import lazy
from nhilint.parse.tree import Block, Expr, LMap, LSeq

SA_TYPE = "google_service_account"
_DEFAULT_EMAIL = lazy(r"-compute@developer\.gserviceaccount\.com$|@appspot\.gserviceaccount\.com$")
_SA_EMAIL = lazy(r"^([a-z][a-z0-9-]*)@[\w.-]+\.iam\.gserviceaccount\.com$")
_IAM_SCOPES = {"project": "project", "folder": "folder", "organization": "organization"}
# the first part of a custom role's id -> the resource that defines it
_CUSTOM_ROLES = {
    "projects": "google_project_iam_custom_role",
    "organizations": "google_organization_iam_custom_role",
}
DEFAULT_SA = "the default compute service account"


def extract(module: Module) -> Iterator[Fact]:
    yield from _identities(module)
    yield from _keys(module)
    yield from _grants(module)
    yield from _wif_providers(module)
    yield from _workloads(module)
    yield from _providers(module)


# --- service accounts ------------------------------------------------------------------------


def _identities(module: Module) -> Iterator[Fact]:
    for resource in module.resources(SA_TYPE):
        description = resource.get("description")
        known = not resource.has("description") or isinstance(description, str)
        tags = description_tags(description) if isinstance(description, str) else {}
        where = resource.attr_loc("description")
        yield Identity(
            loc=resource.loc,
            kind="gcp_service_account",
            name=_sa_name(resource),
            provider="gcp",
            address=resource.address,
            tags=tags,
            tag_locs=dict.fromkeys(tags, where),
            tags_loc=where,
            tags_known=known,
            tags_open=module.from_caller(resource.raw("description")),
        )


def _sa_name(resource: Resource) -> str:
    account = resource.get("account_id")
    return account if isinstance(account, str) and account else resource.name


def service_account_key(module: Module, raw: Any) -> str | None:
    """The identity key of a service account named by `raw`: its address when declared in the module
    (reference, email or `projects/p/serviceAccounts/email`), else the literal email; None if unknown."""
    ref = reference(raw)
    if ref and ref.startswith(f"{SA_TYPE}."):
        return ref
    if ref and ref.startswith(f"data.{SA_TYPE}."):
        return ref
    value = module.resolve(raw)
    if not isinstance(value, str) or not value:
        return None
    email = value.rsplit("/", 1)[-1].removeprefix("serviceAccount:")
    found = _SA_EMAIL().match(email)
    if found:
        candidate = module.by_attr(SA_TYPE, "account_id", found.group(1))
        if candidate is not None:
            return candidate.address
    return email


def _keys(module: Module) -> Iterator[Fact]:
    for resource in module.resources("google_service_account_key"):
        yield Credential(
            loc=resource.loc,
            kind="gcp_service_account_key",
            resource_type=resource.type,
            identity=service_account_key(module, resource.raw("service_account_id")),
            name=resource.name,
        )


# --- IAM grants ------------------------------------------------------------------------------


def _member_kind(module: Module, raw: Any) -> tuple[str, str, str | None] | None:
    """(grantee name, grantee kind, identity key) of one IAM member; None when unknown.

    `user:` members are people (kind `person`, never a machine grantee); principals of a Workload
    Identity pool are federated workloads and count as service accounts.
    """
    ref = reference(raw)
    if ref and ref.startswith((f"{SA_TYPE}.", f"data.{SA_TYPE}.")):
        declared = module.by_address(ref)
        return (_sa_name(declared) if declared else ref), "service_account", ref
    value = module.resolve(raw)
    if not isinstance(value, str):
        return None
    prefix, _, rest = value.partition(":")
    if prefix == "serviceAccount":
        key = service_account_key(module, rest)
        declared = module.by_address(key) if key and key.startswith(SA_TYPE) else None
        return (_sa_name(declared) if declared else rest), "service_account", key
    if value.startswith(("principal://", "principalSet://")):
        return value, "service_account", None
    kinds = {"user": "person", "group": "group", "domain": "group"}
    return value, kinds.get(prefix, "unknown"), None


def _members(block: Block, module: Module) -> list[Any]:
    if "member" in block.attrs:
        return [block.attrs["member"]]
    value = module.resolve(block.attrs.get("members"))
    return list(value) if isinstance(value, LSeq) else []


def _custom_role(module: Module, raw: Any) -> Resource | None:
    """The custom role a grant's `role` names: by reference (`google_project_iam_custom_role.x.id`)
    or by its literal id (`projects/acme/roles/deployer`, `organizations/1/roles/deployer`)."""
    ref = reference(raw)
    if ref and ref.split(".")[0] in _CUSTOM_ROLES.values():
        return module.by_address(ref)
    value = module.resolve(raw)
    parts = value.split("/") if isinstance(value, str) else []
    if len(parts) == 4 and parts[0] in _CUSTOM_ROLES and parts[2] == "roles":
        return module.by_attr(_CUSTOM_ROLES[parts[0]], "role_id", parts[3])
    return None


def _permissions(module: Module, definition: Resource) -> list[str] | None:
    """A custom role's permissions as written (an unresolved item kept as `${...}`); None if unknown."""
    value = module.resolve_deep(definition.raw("permissions"))
    if not isinstance(value, LSeq):
        return None
    return [item if isinstance(item, str) else "${?}" for item in value]


def _grant_facts(
    module: Module, role_raw: Any, members: list[Any], where: Loc, scope: str
) -> Iterator[Grant]:
    role = module.resolve(role_raw)
    definition = _custom_role(module, role_raw)
    permissions = _permissions(module, definition) if definition else None
    if definition is not None and not isinstance(role, str):
        role_id = definition.get("role_id")
        role = role_id if isinstance(role_id, str) else definition.address
    if not isinstance(role, str):
        return
    for raw in members:
        found = _member_kind(module, raw)
        if found is None:
            continue
        grantee, kind, identity = found
        yield Grant(
            loc=where,
            platform="gcp",
            role=role,
            grantee=grantee,
            grantee_kind=kind,
            scope=scope,
            identity=identity,
            permissions=permissions,
            permissions_loc=definition.attr_loc("permissions") if definition else None,
        )


def _grants(module: Module) -> Iterator[Fact]:
    policies = {r.address: r for r in module.data("google_iam_policy")}
    for level, scope in _IAM_SCOPES.items():
        types = [f"google_{level}_iam_member", f"google_{level}_iam_binding"]
        for resource in expand(module, module.resources(*types)):
            yield from _grant_facts(
                module,
                resource.raw("role"),
                _members(resource.block, module),
                resource.attr_loc("role"),
                scope,
            )
        for resource in module.resources(f"google_{level}_iam_policy"):
            data = policies.get(reference(resource.raw("policy_data")) or "")
            if data is None:
                continue
            for binding in data.block.children("binding"):
                where = data.pos_loc(binding.attrs.kpos("role")) if "role" in binding.attrs else data.loc
                yield from _grant_facts(
                    module, binding.attrs.get("role"), _members(binding, module), where, scope
                )


# --- Workload Identity Federation ------------------------------------------------------------


def _wif_providers(module: Module) -> Iterator[Fact]:
    for resource in module.resources("google_iam_workload_identity_pool_provider"):
        oidc = resource.block.child("oidc")
        issuer = module.resolve(oidc.attrs.get("issuer_uri")) if oidc else None
        if oidc is None and resource.block.child("aws") is not None:
            issuer = "aws"
        condition = resource.get("attribute_condition")
        yield Trust(
            loc=resource.attr_loc("attribute_condition"),
            kind="gcp_wif_provider",
            issuer=issuer if isinstance(issuer, str) else "",
            condition=_condition_text(condition) if resource.has("attribute_condition") else None,
            identity=resource.address,
        )


def _condition_text(value: Any) -> str:
    """The CEL condition as written; an unresolved expression is kept as `${...}` (unknown)."""
    if isinstance(value, str):
        return value
    return "${" + (value.text if isinstance(value, Expr) else str(getattr(value, "text", value))) + "}"


# --- workloads -------------------------------------------------------------------------------


def _label(resource: Resource, *attrs: str) -> str:
    for attr in attrs:
        value = resource.get(attr)
        if isinstance(value, str) and value:
            return value
    return resource.name


def _workload(
    module: Module,
    resource: Resource,
    holder: Block | None,
    attr: str,
    dynamic: tuple[str, ...] = (),
    default_when_absent: bool = True,
) -> Workload | None:
    """The workload `resource` whose service account is `holder.attr` (holder None: the block that
    should hold it is missing, so the header of `resource` is the line to edit)."""
    raw = holder.attrs.get(attr) if holder is not None else None
    where = (
        resource.pos_loc(holder.attrs.kpos(attr))
        if holder is not None and attr in holder.attrs
        else resource.pos_loc(holder.pos)
        if holder is not None
        else resource.loc
    )
    name = _label(resource, "name", "function_name", "location")
    if raw is None:
        if not default_when_absent or _dynamic(resource.block, dynamic):
            return None  # a `dynamic` block may well set it
        return Workload(
            loc=resource.loc,
            kind=resource.type,
            name=name,
            platform="gcp",
            identity=DEFAULT_SA,
            identity_loc=where,
            uses_default=True,
        )
    value = module.resolve(raw)
    if isinstance(value, str) and (value in ("default", "") or _DEFAULT_EMAIL().search(value)):
        return Workload(
            loc=resource.loc,
            kind=resource.type,
            name=name,
            platform="gcp",
            identity=value or DEFAULT_SA,
            identity_loc=where,
            uses_default=True,
        )
    key = service_account_key(module, raw)
    if key is None and not is_unknown(value):
        return None
    return Workload(
        loc=resource.loc,
        kind=resource.type,
        name=name,
        platform="gcp",
        identity=key,
        identity_loc=where,
        uses_default=False,
        token_mounted=None,
    )


def _dynamic(block: Block, types: tuple[str, ...]) -> bool:
    """Does `block` (at any depth) generate one of `types` with a `dynamic` block?"""
    return any(
        (child.type == "dynamic" and child.labels[:1] and child.labels[0] in types) or _dynamic(child, types)
        for child in block.blocks
    )


def _path(block: Block, *types: str) -> Block | None:
    for type_ in types:
        found = block.child(type_)
        if found is None:
            return None
        block = found
    return block


def _workloads(module: Module) -> Iterator[Fact]:
    for resource in module.resources(
        "google_compute_instance",
        "google_compute_instance_template",
        "google_compute_region_instance_template",
    ):
        found = _workload(
            module, resource, resource.block.child("service_account"), "email", ("service_account",)
        )
        if found:
            yield found
    for resource in module.resources("google_container_node_pool"):
        found = _workload(
            module, resource, resource.block.child("node_config"), "service_account", ("node_config",)
        )
        if found:
            yield found
    for resource in module.resources("google_container_cluster"):
        yield from _cluster(module, resource)
    yield from _cloud_run(module)
    yield from _functions(module)


def _cluster(module: Module, resource: Resource) -> Iterator[Fact]:
    """A cluster's own nodes: its default pool, inline `node_pool`s, or Autopilot's nodes. A default
    pool that is (or may be) removed after creation is not checked."""
    autopilot = resource.get("enable_autopilot")
    if autopilot is True:
        defaults = _path(resource.block, "cluster_autoscaling", "auto_provisioning_defaults")
        holder = defaults or resource.block.child("cluster_autoscaling")
        found = _workload(
            module, resource, holder, "service_account", ("cluster_autoscaling", "auto_provisioning_defaults")
        )
        yield from [found] if found else []
        return
    if resource.has("enable_autopilot") and autopilot is not False:
        return
    pools = resource.block.children("node_pool")
    if not pools and resource.get("remove_default_node_pool") in (None, False):
        pools = [resource.block]
    for pool in pools:
        found = _workload(module, resource, pool.child("node_config"), "service_account", ("node_config",))
        if found:
            yield found


def _cloud_run(module: Module) -> Iterator[Fact]:
    for resource in module.resources("google_cloud_run_service"):
        template = resource.block.child("template")
        spec = template.child("spec") if template else None
        found = _workload(module, resource, spec or template, "service_account_name", ("template", "spec"))
        if found:
            yield found
        yield from _container_env(resource, spec, f"{resource.address}.template.spec")
    for resource in module.resources("google_cloud_run_v2_service", "google_cloud_run_v2_job"):
        template = resource.block.child("template")
        if resource.type == "google_cloud_run_v2_job" and template is not None:
            template = template.child("template") or template
        found = _workload(module, resource, template, "service_account", ("template",))
        if found:
            yield found
        path = ".template.template" if resource.type == "google_cloud_run_v2_job" else ".template"
        yield from _container_env(resource, template, resource.address + path)


def _container_env(resource: Resource, holder: Block | None, path: str) -> Iterator[Fact]:
    for container in holder.children("containers") if holder else ():
        yield from env_blocks(resource, container, f"{path}.containers", _label(resource, "name"))


def _functions(module: Module) -> Iterator[Fact]:
    for resource in module.resources("google_cloudfunctions_function"):
        found = _workload(module, resource, resource.block, "service_account_email")
        if found:
            yield found
        yield from _env_map(module, resource, resource.block)
    for resource in module.resources("google_cloudfunctions2_function"):
        config = resource.block.child("service_config")
        found = _workload(module, resource, config, "service_account_email", ("service_config",))
        if found:
            yield found
        yield from _env_map(module, resource, config)


def _env_map(module: Module, resource: Resource, holder: Block | None) -> Iterator[Fact]:
    if holder is None or "environment_variables" not in holder.attrs:
        return
    raw = holder.attrs["environment_variables"]
    variables = module.resolve_deep(raw)
    if not isinstance(variables, LMap):
        return
    inline = isinstance(raw, LMap)
    for key, value in variables.items():
        if isinstance(value, str):
            where = variables.kpos(key) if inline else holder.attrs.kpos("environment_variables")
            yield EnvVar(
                loc=resource.pos_loc(where),
                name=str(key),
                value=value,
                workload=f"{resource.type} {_label(resource, 'name')}",
            )


# --- provider --------------------------------------------------------------------------------


def _providers(module: Module) -> Iterator[Fact]:
    for name in ("google", "google-beta"):
        yield from provider_credentials(module, name, ("credentials", "access_token"))
