"""Terraform azuread and azurerm providers: applications, service principals, user-assigned managed
identities, their client secrets and certificates, role assignments and federated credentials.

Conventions (RULES.md NHI301/302): Azure AD applications and service principals take owners from
`owners`; their `tags` (a set of strings) and `notes` are read as `key: value` / `key=value`
pairs. A service principal of an application declared in the same module is not a separate
identity: the application carries its metadata and its secrets.

Who a role assignment reaches (`grantee_kind`, NHI204): `principal_type` when written
(`ServicePrincipal` -> service_principal, `User` -> person, `Group` -> group); else the resource
`principal_id` refers to (`azurerm_user_assigned_identity` and any system-assigned `identity` /
`kubelet_identity` block -> managed_identity, `azuread_service_principal` -> service_principal,
`azuread_user` -> person, `azuread_group` -> group); a bare object id is unknown (never reported).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from nhilint.facts import Credential, Fact, Grant, Identity, Lifetime, Loc, Trust
from nhilint.formats.terraform.instances import expand
from nhilint.formats.terraform.module import Module, Resource, reference
from nhilint.formats.terraform.shared import description_tags, provider_credentials
from nhilint.knowledge.credential_names import lazy
from nhilint.parse.tree import Call, Expr, LMap, LSeq

APP = "azuread_application"
SP = "azuread_service_principal"
UAI = "azurerm_user_assigned_identity"
ROLE_DEFINITION = "azurerm_role_definition"
# the provider's lifetime of a client secret when neither end date is written
DEFAULT_PASSWORD_SECONDS = 2 * 365 * 86400
_DURATION = lazy(r"(\d+(?:\.\d+)?)(h|m|s)")
_SUBSCRIPTION = lazy(r'^"?/subscriptions/[^/"]+/?"?$')
_MANAGEMENT_GROUP = lazy(r"/providers/Microsoft\.Management/managementGroups/[^/]+/?\"?$", re.I)
_PRINCIPAL_TYPES = {"ServicePrincipal": "service_principal", "User": "person", "Group": "group"}
_PRINCIPAL_RESOURCES = {
    UAI: "managed_identity",
    SP: "service_principal",
    f"data.{SP}": "service_principal",
    "azuread_user": "person",
    "data.azuread_user": "person",
    "azuread_group": "group",
    "data.azuread_group": "group",
}


def extract(module: Module) -> Iterator[Fact]:
    yield from _applications(module)
    yield from _managed_identities(module)
    yield from _secrets(module)
    yield from _role_assignments(module)
    yield from _federated(module)
    for name in ("azurerm", "azuread"):
        yield from provider_credentials(module, name, ("client_secret", "client_certificate_password"))


# --- identities ------------------------------------------------------------------------------


def _app_of(module: Module, resource: Resource, *attrs: str) -> str | None:
    """The address of the application (or service principal) an attribute refers to."""
    for attr in attrs:
        ref = reference(resource.raw(attr))
        if ref:
            return ref
    return None


def _string_tags(module: Module, resource: Resource) -> tuple[dict[str, str], dict[str, Loc], bool]:
    """`tags = ["owner:team"]` and `notes = "owner: team"` as tags; known False if unresolved."""
    tags: dict[str, str] = {}
    locs: dict[str, Loc] = {}
    known = True
    for attr in ("tags", "notes"):
        if not resource.has(attr):
            continue
        value = module.resolve_deep(resource.raw(attr))
        items = [value] if isinstance(value, str) else list(value) if isinstance(value, LSeq) else None
        if items is None or not all(isinstance(i, str) for i in items):
            known = False
            continue
        for item in items:
            for key, found in description_tags(item).items():
                tags[key], locs[key] = found, resource.attr_loc(attr)
    return tags, locs, known


def _display_name(resource: Resource) -> str:
    name = resource.get("display_name")
    return name if isinstance(name, str) and name else resource.name


def _applications(module: Module) -> Iterator[Fact]:
    apps = {r.address for r in module.resources(APP)}
    for resource in module.resources(APP, SP):
        if resource.type == SP and _app_of(module, resource, "client_id", "application_id") in apps:
            continue
        tags, locs, known = _string_tags(module, resource)
        owners = module.resolve(resource.raw("owners"))
        app = module.by_address(_app_of(module, resource, "client_id", "application_id") or "")
        yield Identity(
            loc=resource.loc,
            kind="azure_application" if resource.type == APP else "azure_service_principal",
            name=_display_name(app or resource),
            provider="azure",
            address=resource.address,
            tags=tags,
            tag_locs=locs,
            tags_loc=resource.attr_loc("tags") if resource.has("tags") else resource.loc,
            tags_known=known,
            tags_open=any(module.from_caller(resource.raw(attr)) for attr in ("tags", "notes")),
            has_owners=owners is not None and not (isinstance(owners, LSeq) and len(owners) == 0),
        )


def _managed_identities(module: Module) -> Iterator[Fact]:
    for resource in module.resources(UAI):
        raw = resource.raw("tags")
        value = module.resolve_deep(raw)
        tags: dict[str, str] = {}
        locs: dict[str, Loc] = {}
        if isinstance(value, LMap):
            for key, item in value.items():
                tags[str(key)] = str(item)
                locs[str(key)] = (
                    resource.pos_loc(value.kpos(key)) if isinstance(raw, LMap) else resource.attr_loc("tags")
                )
        name = resource.get("name")
        yield Identity(
            loc=resource.loc,
            kind="azure_managed_identity",
            name=name if isinstance(name, str) else resource.name,
            provider="azure",
            address=resource.address,
            tags=tags,
            tag_locs=locs,
            tags_loc=resource.attr_loc("tags") if resource.has("tags") else resource.loc,
            tags_known=raw is None or isinstance(value, LMap),
            tags_open=module.from_caller(raw),
        )


# --- secrets and certificates ----------------------------------------------------------------


def duration_seconds(text: str) -> int | None:
    """A Go duration (`8760h`, `240h30m`) in seconds; None when it is not one."""
    parts = _DURATION().findall(text)
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        return None
    return int(sum(float(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in parts))


def _end(resource: Resource, now: datetime) -> tuple[str, int | None, Loc] | None:
    """(setting, seconds from now, where) of a credential's end date; None when unknown."""
    for attr in ("end_date_relative", "end_date"):
        if not resource.has(attr):
            continue
        value = resource.get(attr)
        if not isinstance(value, str):
            return None
        if attr == "end_date_relative":
            seconds = duration_seconds(value)
        else:
            try:
                end = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return None
            end = end if end.tzinfo else end.replace(tzinfo=timezone.utc)
            seconds = max(0, int((end - now).total_seconds()))
        return (attr, seconds, resource.attr_loc(attr)) if seconds is not None else None
    return None


def _secrets(module: Module) -> Iterator[Fact]:
    now = datetime.now(timezone.utc)
    kinds = {
        "azuread_application_password": (
            "azure_application_password",
            ("application_id", "application_object_id"),
        ),
        "azuread_service_principal_password": ("azure_service_principal_password", ("service_principal_id",)),
        "azuread_application_certificate": ("", ("application_id", "application_object_id")),
    }
    for resource in module.resources(*kinds):
        kind, attrs = kinds[resource.type]
        owner = _owner(module, _app_of(module, resource, *attrs))
        if kind:
            yield Credential(
                loc=resource.loc, kind=kind, resource_type=resource.type, identity=owner, name=resource.name
            )
        end = _end(resource, now)
        if end is None and kind and not resource.has("end_date") and not resource.has("end_date_relative"):
            end = (
                "end_date (not set: the provider's 2-year default)",
                DEFAULT_PASSWORD_SECONDS,
                resource.loc,
            )
        if end is not None:
            setting, seconds, where = end
            yield Lifetime(loc=where, setting=setting, seconds=seconds, identity=owner, platform="azure")


def _owner(module: Module, ref: str | None) -> str | None:
    """A service principal of an application in the module is that application (see module doc)."""
    declared = module.by_address(ref) if ref else None
    if declared is not None and declared.type == SP:
        app = _app_of(module, declared, "client_id", "application_id")
        if app and module.by_address(app) is not None:
            return app
    return ref


# --- role assignments ------------------------------------------------------------------------


def _scope(module: Module, raw: Any) -> str:
    ref = reference(raw)
    if ref:
        if ref.startswith(("data.azurerm_subscription.", "azurerm_subscription.")):
            return "subscription"
        if "management_group" in ref:
            return "management_group"
    value = module.resolve(raw)
    text = value if isinstance(value, str) else value.text if isinstance(value, Expr) else ""
    if _SUBSCRIPTION().match(text):
        return "subscription"
    if _MANAGEMENT_GROUP().search(text):
        return "management_group"
    return "resource_group" if "/resourceGroups/" in text else ("" if not text else "resource")


def _principal(module: Module, resource: Resource) -> tuple[str, str, str | None]:
    """(grantee name, grantee kind, identity address) of a role assignment's principal."""
    raw = resource.raw("principal_id")
    ref = reference(raw)
    declared = module.by_address(_owner(module, ref) or "") if ref else None
    name = declared.get("display_name") or declared.get("name") if declared else None
    grantee = name if isinstance(name, str) else ref or _text(module, raw)
    principal_type = resource.get("principal_type")
    if isinstance(principal_type, str) and principal_type in _PRINCIPAL_TYPES:
        return grantee, _PRINCIPAL_TYPES[principal_type], ref
    if ref:
        type_ = ref.rsplit(".", 1)[0]
        if type_ in _PRINCIPAL_RESOURCES:
            return grantee, _PRINCIPAL_RESOURCES[type_], _owner(module, ref)
        if isinstance(raw, Expr) and re.search(
            r"\b(?:identity|kubelet_identity)\[\d+\]\.(?:principal|object)_id", raw.text
        ):
            return f"the managed identity of {ref}", "managed_identity", None
    return grantee, "unknown", None


def _text(module: Module, raw: Any) -> str:
    value = module.resolve(raw)
    return value if isinstance(value, str) else getattr(value, "text", "?")


def _role_definition(module: Module, resource: Resource) -> Resource | None:
    """The `azurerm_role_definition` in the module that an assignment names (by reference in
    `role_definition_id`/`role_definition_name`, or by the definition's literal name)."""
    for attr in ("role_definition_id", "role_definition_name"):
        ref = reference(resource.raw(attr))
        if ref and ref.startswith(f"{ROLE_DEFINITION}."):
            return module.by_address(ref)
    name = resource.get("role_definition_name")
    return module.by_attr(ROLE_DEFINITION, "name", name) if isinstance(name, str) else None


def _definition_actions(module: Module, definition: Resource) -> tuple[list[str] | None, list[str]]:
    """(actions, not_actions) of every `permissions` block; actions None when any is unresolved."""
    actions: list[str] = []
    excluded: list[str] = []
    for block in definition.block.children("permissions"):
        for attr, into in (("actions", actions), ("not_actions", excluded)):
            value = module.resolve_deep(block.attrs.get(attr))
            if value is None:
                continue
            if not isinstance(value, LSeq):
                return None, []
            into.extend(item if isinstance(item, str) else "${?}" for item in value)
    return actions, excluded


def _role_assignments(module: Module) -> Iterator[Fact]:
    for resource in expand(module, module.resources("azurerm_role_assignment")):
        role = resource.get("role_definition_name")
        definition = _role_definition(module, resource)
        actions, excluded = _definition_actions(module, definition) if definition else (None, [])
        if definition is not None and not isinstance(role, str):
            name = definition.get("name")
            role = name if isinstance(name, str) else definition.address
        if not isinstance(role, str):
            continue
        grantee, kind, identity = _principal(module, resource)
        written = "role_definition_name" if resource.has("role_definition_name") else "role_definition_id"
        yield Grant(
            loc=resource.attr_loc(written),
            platform="azure",
            role=role,
            grantee=grantee,
            grantee_kind=kind,
            scope=_scope(module, resource.raw("scope")),
            identity=identity,
            permissions=actions,
            not_permissions=excluded,
            permissions_loc=_permissions_loc(definition) if definition else None,
        )


def _permissions_loc(definition: Resource) -> Loc:
    block = definition.block.child("permissions")
    if block is None:
        return definition.loc
    return (
        definition.pos_loc(block.attrs.kpos("actions"))
        if "actions" in block.attrs
        else definition.pos_loc(block.pos)
    )


# --- federated identity credentials ----------------------------------------------------------


def _federated(module: Module) -> Iterator[Fact]:
    types = (
        "azurerm_federated_identity_credential",
        "azuread_application_federated_identity_credential",
        "azuread_application_flexible_federated_identity_credential",
    )
    for resource in module.resources(*types):
        flexible = resource.block.child("claims_matching_expression")
        holder = (
            Resource(resource.mode, resource.type, resource.name, flexible, resource.file, module)
            if (flexible is not None)
            else resource
        )
        attr = "value" if flexible is not None else "subject"
        issuer = resource.get("issuer")
        yield Trust(
            loc=holder.attr_loc(attr),
            kind="azure_federated_credential",
            issuer=issuer if isinstance(issuer, str) else "",
            subject=_subject(holder, attr),
            identity=_owner(
                module, _app_of(module, resource, "parent_id", "application_id", "application_object_id")
            )
            or resource.address,
        )


def _subject(resource: Resource, attr: str) -> str | None:
    """The subject (a flexible credential's expression) as written; `${...}` when unresolved."""
    if not resource.has(attr):
        return ""
    value = resource.get(attr)
    if isinstance(value, str):
        return value
    text = value.text if isinstance(value, Expr | Call) else "?"
    return "${" + text + "}"
