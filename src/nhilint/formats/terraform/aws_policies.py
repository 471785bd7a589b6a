"""Terraform AWS policies and grants: inline, attached and customer-managed policies of roles, users
and groups (their statements), and AWS managed policies granted to them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nhilint.facts import Fact, Grant, Loc
from nhilint.formats.terraform.aws_documents import DOCUMENT, Documents
from nhilint.formats.terraform.aws_values import render, target
from nhilint.formats.terraform.instances import expand
from nhilint.formats.terraform.module import Module, Resource, reference
from nhilint.parse.tree import Block, Call, Expr, LMap, LSeq

_MANAGED_POLICY = re.compile(r":iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")
# consumer type -> (attribute naming the identity, identity type, grantee kind)
_POLICY_OWNERS = {
    "aws_iam_role_policy": ("role", "aws_iam_role", "role"),
    "aws_iam_user_policy": ("user", "aws_iam_user", "user"),
    "aws_iam_group_policy": ("group", "aws_iam_group", "group"),
}
_ATTACHMENTS = {
    "aws_iam_role_policy_attachment": ("role", "aws_iam_role", "role"),
    "aws_iam_user_policy_attachment": ("user", "aws_iam_user", "user"),
    "aws_iam_group_policy_attachment": ("group", "aws_iam_group", "group"),
}


def policies(module: Module) -> Iterator[Fact]:
    docs = Documents(module)
    used: set[str] = set()
    attached = _attached_policies(module)
    for role in module.resources("aws_iam_role"):
        if role.has("assume_role_policy"):
            used.update(_doc_refs(role, "assume_role_policy"))
            yield from docs.of(role, "assume_role_policy", "trust", role.address, f"{role.address} trust")
        for inline in role.block.children("inline_policy"):
            holder = Resource("resource", role.type, role.name, inline, role.file, module)
            used.update(_doc_refs(holder, "policy"))
            yield from docs.of(holder, "policy", "identity", role.address, role.address)
    for type_, (attr, owner_type, _) in _POLICY_OWNERS.items():
        for resource in expand(module, module.resources(type_)):
            used.update(_doc_refs(resource, "policy"))
            yield from docs.of(
                resource, "policy", "identity", target(module, resource, attr, owner_type), resource.address
            )
    for resource in expand(module, module.resources("aws_iam_policy")):
        used.update(_doc_refs(resource, "policy"))
        for identity in attached.get(resource.address, [None]):
            yield from docs.of(resource, "policy", "identity", identity, resource.address)
    yield from _unused_documents(module, docs, used)


def _doc_refs(resource: Resource, attr: str) -> list[str]:
    ref = reference(resource.raw(attr))
    return [ref] if ref and ref.startswith(f"data.{DOCUMENT}.") else []


def _unused_documents(module: Module, docs: Documents, used: set[str]) -> Iterator[Fact]:
    """Documents handed to something outside the scan (a module call, an output): still checked,
    unless another resource (a bucket or key policy) consumes them as a resource policy."""
    consumed = set(used)
    for _, root in module.bodies():
        for block in root.blocks:
            if block.type in ("resource", "data") and block.labels[:1] != [DOCUMENT]:
                consumed.update(_mentions(block))
            elif block.type == "data":
                consumed.update(ref for ref in _link_refs(block))
    for data in module.data(DOCUMENT):
        if data.address not in consumed:
            yield from docs.data_statements(data, "auto", None, data.address)


def _mentions(block: Block) -> set[str]:
    found: set[str] = set()
    for value in block.attrs.values():
        found.update(_doc_mentions(value))
    for child in block.blocks:
        found.update(_mentions(child))
    return found


def _doc_mentions(value: Any) -> set[str]:
    if isinstance(value, Expr):
        return {".".join(r.split(".")[:3]) for r in value.refs if r.startswith(f"data.{DOCUMENT}.")}
    if isinstance(value, LMap):
        return {m for v in value.values() for m in _doc_mentions(v)}
    if isinstance(value, (LSeq, Call)):
        items = value.args if isinstance(value, Call) else value
        return {m for v in items for m in _doc_mentions(v)}
    return set()


def _link_refs(block: Block) -> set[str]:
    """Documents only used as sources/overrides of another document are reached through it."""
    return {
        m
        for k in ("source_policy_documents", "override_policy_documents", "source_json", "override_json")
        for m in _doc_mentions(block.attrs.get(k))
    }


def _attached_policies(module: Module) -> dict[str, list[str | None]]:
    """Customer-managed policy address -> identities it is attached to in the module."""
    found: dict[str, list[str | None]] = {}
    for type_, (attr, owner_type, _) in _ATTACHMENTS.items():
        for resource in expand(module, module.resources(type_)):
            policy = reference(resource.raw("policy_arn"))
            if policy and policy.startswith("aws_iam_policy."):
                found.setdefault(policy, []).append(target(module, resource, attr, owner_type))
    for resource in module.resources("aws_iam_policy_attachment"):
        policy = reference(resource.raw("policy_arn"))
        if policy and policy.startswith("aws_iam_policy."):
            for ref in _list_refs(resource, "roles") + _list_refs(resource, "users"):
                found.setdefault(policy, []).append(ref)
    for role in module.resources("aws_iam_role"):
        for item in _items(role.raw("managed_policy_arns")):
            policy = reference(item)
            if policy and policy.startswith("aws_iam_policy."):
                found.setdefault(policy, []).append(role.address)
    return found


def _items(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, LSeq) else []


def _list_refs(resource: Resource, attr: str) -> list[str | None]:
    return [
        reference(item) or (item if isinstance(item, str) else None) for item in _items(resource.raw(attr))
    ]


# --- grants of AWS managed policies ----------------------------------------------------------


def _managed_name(module: Module, raw: Any) -> str | None:
    """`arn:aws:iam::aws:policy/AdministratorAccess` (literal, template or `data.aws_iam_policy`)."""
    ref = reference(raw)
    if ref and ref.startswith("data.aws_iam_policy."):
        data = module.by_address(ref)
        for attr in ("arn", "name"):
            value = data.get(attr) if data else None
            if isinstance(value, str):
                raw = value
                break
    for text in render(module, raw):
        match = _MANAGED_POLICY.search(text)
        if match:
            return match.group(1)
        if ref and "/" not in text and re.fullmatch(r"[\w+=,.@-]+", text):
            return text  # a data.aws_iam_policy looked up by name
    return None


def _grant(
    module: Module, resource: Resource, raw: Any, where: Loc, grantee: str | None, kind: str
) -> Iterator[Grant]:
    role = _managed_name(module, raw)
    if role and grantee:
        declared = module.by_address(grantee)
        name = declared.get("name") if declared else None
        yield Grant(
            loc=where,
            platform="aws",
            role=role,
            grantee=name if isinstance(name, str) else grantee,
            grantee_kind=kind,
            scope="account",
            identity=grantee,
        )


def grants(module: Module) -> Iterator[Fact]:
    for type_, (attr, owner_type, kind) in _ATTACHMENTS.items():
        for resource in expand(module, module.resources(type_)):
            yield from _grant(
                module,
                resource,
                resource.raw("policy_arn"),
                resource.attr_loc("policy_arn"),
                target(module, resource, attr, owner_type),
                kind,
            )
    for resource in module.resources("aws_iam_policy_attachment"):
        for attr, kind in (("roles", "role"), ("users", "user"), ("groups", "group")):
            for grantee in _list_refs(resource, attr):
                yield from _grant(
                    module,
                    resource,
                    resource.raw("policy_arn"),
                    resource.attr_loc("policy_arn"),
                    grantee,
                    kind,
                )
    for role in module.resources("aws_iam_role"):
        raw = role.raw("managed_policy_arns")
        value = role.get("managed_policy_arns")  # a module's list comes from its caller's arguments
        for i, item in enumerate(_items(value)):
            where = role.pos_loc(raw.ipos(i)) if value is raw else role.attr_loc("managed_policy_arns")
            yield from _grant(module, role, item, where, role.address, "role")
    for resource in module.resources("aws_iam_role_policy_attachments_exclusive"):
        raw = resource.raw("policy_arns")
        value = resource.get("policy_arns")
        grantee = target(module, resource, "role_name", "aws_iam_role")
        for i, item in enumerate(_items(value)):
            where = resource.pos_loc(raw.ipos(i)) if value is raw else resource.attr_loc("policy_arns")
            yield from _grant(module, resource, item, where, grantee, "role")
