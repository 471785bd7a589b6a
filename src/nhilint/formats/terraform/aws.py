"""Terraform AWS provider: IAM roles and users, their policies, trusts, keys, workloads and secrets.

Every policy form ends up in `knowledge.iam_policy.statements`: `jsonencode({...})` objects, JSON strings
and heredocs (positions shifted to the heredoc's lines), `file("x.json")` of a file in the module
directory, and `data "aws_iam_policy_document"` (with source/override documents).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from nhilint.facts import (
    Condition,
    Credential,
    EnvVar,
    Fact,
    Grant,
    Identity,
    Lifetime,
    Loc,
    PolicyStatement,
    ProviderCredentials,
    Via,
    Workload,
)
from nhilint.formats.terraform import conditional
from nhilint.formats.terraform.documents import SideDocument, side_document
from nhilint.formats.terraform.instances import expand
from nhilint.formats.terraform.module import Module, Resource, reference
from nhilint.knowledge import iam_policy
from nhilint.parse import ParseError
from nhilint.parse.tree import Block, Call, Expr, LMap, LSeq, Pos

_MANAGED_POLICY = re.compile(r":iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")
_DOCUMENT = "aws_iam_policy_document"
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
# workload type -> attribute naming the role it runs as
_WORKLOADS = {
    "aws_lambda_function": "role",
    "aws_ecs_task_definition": "task_role_arn",
    "aws_iam_instance_profile": "role",
    "aws_eks_pod_identity_association": "role_arn",
}


def extract(module: Module) -> Iterator[Fact]:
    yield from _identities(module)
    yield from _policies(module)
    yield from _grants(module)
    yield from _credentials(module)
    yield from _providers(module)
    yield from _workloads(module)


# --- values ----------------------------------------------------------------------------------


def render(module: Module, value: Any) -> list[str]:
    """Strings of a value; what cannot be resolved is kept as `${source}` (unknown to rules)."""
    value = module.resolve(value)
    if value is None:
        return []
    if isinstance(value, LSeq | list):
        # once per list, distinct strings only: lists of locals that name each other several times
        # per level would otherwise render to exponentially many strings
        return module.memo(
            "render", value, lambda: _distinct(s for item in value for s in render(module, item))
        )
    if isinstance(value, bool):
        return [str(value).lower()]
    if isinstance(value, str | int | float):
        return [str(value)]
    if isinstance(value, Expr):
        oidc = _oidc_provider_arn(module, value)
        if oidc:
            return [oidc]
        text = value.text.strip()
        if len(text) > 1 and text[0] == text[-1] == '"' and "${" in text:
            return [text[1:-1]]  # a template: keep its literal parts, `${...}` marks the unknown
        return ["${" + text + "}"]
    if isinstance(value, Call):
        return ["${" + value.text + "}"]
    return []


def _distinct(strings: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(strings))


def _oidc_provider_arn(module: Module, value: Expr) -> str | None:
    """`aws_iam_openid_connect_provider.x.arn` -> an ARN naming its issuer (for trust analysis)."""
    ref = reference(value)
    if not ref or not ref.startswith("aws_iam_openid_connect_provider.") or not value.text.endswith(".arn"):
        return None
    provider = module.by_address(ref)
    url = provider.get("url") if provider else None
    if not isinstance(url, str):
        return None
    return "arn:aws:iam::${account}:oidc-provider/" + url.split("://", 1)[-1]


def _target(module: Module, resource: Resource, attr: str, type_: str) -> str | None:
    """The address of the identity an attribute names (reference, name or ARN), else the text."""
    ref = reference(resource.raw(attr))
    if ref:
        return ref
    value = resource.get(attr)
    if not isinstance(value, str) or not value:
        return None
    return _by_name(module, type_, value.rsplit("/", 1)[-1] if value.startswith("arn:") else value) or value


def _by_name(module: Module, type_: str, name: str) -> str | None:
    found = module.by_attr(type_, "name", name)
    return found.address if found else None


def _literal_text(resource: Resource, pos: Pos) -> str:
    """The source text from `pos` to the end of that line."""
    lines = resource.module.lines(resource.file)
    return lines[pos.line - 1][pos.col - 1 :] if 0 < pos.line <= len(lines) else ""


# --- identities ------------------------------------------------------------------------------


def _default_tags(module: Module, alias: str | None) -> tuple[LMap | None, Loc | None, bool, bool]:
    """(default tags, where they are written, known, the caller's) of the aws provider a resource
    uses: a reusable module judged alone receives its provider, and so its default tags, from a
    caller (the last flag); judged for a call, they are the caller's provider's."""
    found = module.provider("aws", alias)
    if found is None:
        return None, None, True, True
    owner, block = found
    defaults = block.child("default_tags") if block is not None else None
    if block is None or defaults is None or "tags" not in defaults.attrs:
        return None, None, True, False
    tags = owner.resolve_deep(defaults.attrs["tags"])
    file = next(f for f, b in owner.providers("aws") if b is block)
    if not isinstance(tags, LMap):
        return None, None, False, False
    return tags, file.loc(*defaults.attrs.kpos("tags")), True, False


def _provider_alias(resource: Resource) -> str | None:
    raw = resource.raw("provider")
    text = raw.text if isinstance(raw, Expr) else raw if isinstance(raw, str) else ""
    return text.split(".", 1)[1] if text and "." in text else None


def _provider_block(module: Module, alias: str | None) -> Loc | None:
    """Where the aws provider block a resource uses is written (a caller's, for a module judged for
    a call): the one place that gives every identity of the module tags (`default_tags`)."""
    found = module.provider("aws", alias)
    if found is None or found[1] is None:
        return None
    owner, block = found
    file = next(f for f, b in owner.providers("aws") if b is block)
    return file.loc(*block.pos) if block is not None else None


def _identities(module: Module) -> Iterator[Fact]:
    for resource in module.resources("aws_iam_role", "aws_iam_user"):
        defaults, defaults_loc, known, from_caller = _default_tags(module, _provider_alias(resource))
        provider_loc = _provider_block(module, _provider_alias(resource))
        tags: dict[str, str] = {}
        tag_locs: dict[str, Loc] = {}
        if defaults is not None and defaults_loc is not None:
            for key, value in defaults.items():
                tags[str(key)], tag_locs[str(key)] = str(value), defaults_loc
        own = resource.get("tags")
        if resource.has("tags"):
            resolved = module.resolve_deep(own)
            if isinstance(resolved, LMap):
                inline = isinstance(resource.raw("tags"), LMap)
                for key, value in resolved.items():
                    tags[str(key)] = value if isinstance(value, str) else str(value)
                    where = resource.pos_loc(resolved.kpos(key)) if inline else resource.attr_loc("tags")
                    tag_locs[str(key)] = where
            elif own is not None:
                known = False
        name = resource.get("name")
        yield Identity(
            loc=resource.loc,
            kind=resource.type,
            name=name if isinstance(name, str) and name else resource.name,
            provider="aws",
            address=resource.address,
            tags=tags,
            tag_locs=tag_locs,
            tags_loc=resource.attr_loc("tags") if resource.has("tags") else resource.loc,
            tags_known=known,
            tags_open=from_caller or module.from_caller(resource.raw("tags")),
            fix_place=provider_loc,
            fix_place_name=f'provider "aws" block in {provider_loc.file}' if provider_loc else "",
        )
        duration = resource.get("max_session_duration")
        if resource.type == "aws_iam_role" and isinstance(duration, int) and not isinstance(duration, bool):
            yield Lifetime(
                loc=resource.attr_loc("max_session_duration"),
                setting="max_session_duration",
                seconds=duration,
                identity=resource.address,
                platform="aws",
            )


# --- policies --------------------------------------------------------------------------------


class _Documents:
    """Policy documents of one module, read once: data sources are shared by many consumers."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self._data = {r.address: _with_dynamic(module, r) for r in module.data(_DOCUMENT)}

    def of(
        self,
        resource: Resource,
        attr: str,
        kind: str,
        identity: str | None,
        policy: str,
        seen: frozenset[str] = frozenset(),
    ) -> list[PolicyStatement]:
        """The statements of the document in `resource.attr`, in whatever form it is written (both
        branches of a conditional whose condition is unknown)."""
        try:
            return [
                statement
                for raw in conditional.branches(self.module, resource.raw(attr))
                for statement in self._written(resource, attr, raw, kind, identity, policy, seen)
            ]
        except conditional.TooManyVariants as exc:  # unreadable, not absent: NHI001 at the attribute
            self.module.problems.append((resource.attr_loc(attr), exc.reason))
            return []

    def _written(
        self,
        resource: Resource,
        attr: str,
        raw: Any,
        kind: str,
        identity: str | None,
        policy: str,
        seen: frozenset[str],
    ) -> list[PolicyStatement]:
        ref = reference(raw)
        if ref in self._data and ref not in seen:
            return self.data_statements(self._data[ref], kind, identity, policy or ref, seen | {ref})
        value = self.module.resolve(raw)
        where = resource.attr_loc(attr)
        inline = isinstance(raw, (LMap, Call, str)) or (
            isinstance(raw, Expr) and raw.text.lstrip().startswith("<<")
        )
        if isinstance(value, LMap):
            return self._collect(value, resource, where, inline, kind, identity, policy)
        text = value if isinstance(value, str) else _heredoc_body(value)
        if text is not None:
            pos = resource.block.attrs.vpos(attr)
            heredoc = _literal_text(resource, pos).startswith("<<") if inline else False
            try:
                doc = iam_policy.json_document(text, pos.line + (1 if heredoc else 0))
            except ParseError as exc:  # unreadable, not absent: NHI001 at the attribute
                self.module.problems.append((where, exc.reason))
                return []
            return self._collect(doc, resource, where, inline, kind, identity, policy)
        side = side_document(self.module, value, resource.file)
        if side is not None:
            return self._file(resource, side, kind, identity, policy, where)
        return []

    def _collect(
        self,
        doc: Any,
        resource: Resource,
        where: Loc,
        inline: bool,
        kind: str,
        identity: str | None,
        policy: str,
    ) -> list[PolicyStatement]:
        def locate(pos: Pos) -> Loc:
            return resource.pos_loc(pos) if inline else where  # a variable's value lives in another file

        try:
            expanded = conditional.expand_statements(self.module, doc) if isinstance(doc, LMap) else doc
        except conditional.TooManyVariants as exc:  # this document only: NHI001 where it is used
            self.module.problems.append((where, exc.reason))
            return []
        return list(
            iam_policy.statements(
                expanded,
                locate,
                lambda v: render(self.module, v),
                policy_kind=kind,
                identity=identity,
                policy=policy,
            )
        )

    def _file(
        self, resource: Resource, side: SideDocument, kind: str, identity: str | None, policy: str, where: Loc
    ) -> list[PolicyStatement]:
        """A policy kept in a file (see `documents`): reported at its own lines, with the resource
        that puts it in force as the related place."""
        if side.problem is not None:
            self.module.problems.append((where, f"{side.name}: {side.problem}"))
            return []
        try:
            doc = iam_policy.json_document(side.text, 1)
        except ParseError as exc:
            self.module.problems.append((where, f"{side.name}: {exc.reason}"))
            return []
        found = list(
            iam_policy.statements(
                doc,
                lambda p: Loc(side.name, p.line, p.col),
                lambda v: render(self.module, v),
                policy_kind=kind,
                identity=identity,
                policy=policy or side.name,
            )
        )
        for statement in found:
            statement.via.append(Via(where, f"{side.name} is the policy of {resource.address}"))
        return found

    def data_statements(
        self, data: Resource, kind: str, identity: str | None, policy: str, seen: frozenset[str] = frozenset()
    ) -> list[PolicyStatement]:
        return [s for _, s in self._sid_statements(data, kind, identity, policy, seen)]

    def _sid_statements(
        self, data: Resource, kind: str, identity: str | None, policy: str, seen: frozenset[str]
    ) -> list[tuple[str, PolicyStatement]]:
        """A `data "aws_iam_policy_document"`: source documents, own statements, then overrides, a
        later statement replacing an earlier one with the same sid (as the provider merges them)."""
        merged: dict[str | int, tuple[str, PolicyStatement]] = {}
        layers = [
            self._linked(data, a, kind, identity, policy, seen)
            for a in ("source_policy_documents", "source_json")
        ]
        layers.append(
            [
                (_sid(self.module, b), self._block_statement(data, b, kind, identity, policy))
                for b in data.block.children("statement")
            ]
        )
        layers += [
            self._linked(data, a, kind, identity, policy, seen)
            for a in ("override_policy_documents", "override_json")
        ]
        for layer in layers:
            for sid, statement in layer:
                merged[sid or len(merged)] = (sid, statement)
        return list(merged.values())

    def _linked(
        self, data: Resource, attr: str, kind: str, identity: str | None, policy: str, seen: frozenset[str]
    ) -> list[tuple[str, PolicyStatement]]:
        raw = data.raw(attr)
        items = list(raw) if isinstance(raw, LSeq) else [raw] if raw is not None else []
        found: list[tuple[str, PolicyStatement]] = []
        for item in items:
            ref = reference(item)
            if ref in self._data and ref not in seen:
                found.extend(self._sid_statements(self._data[ref], kind, identity, policy, seen | {ref}))
            elif side := side_document(self.module, self.module.resolve(item), data.file):
                statements = self._file(data, side, kind, identity, policy, data.attr_loc(attr))
                found.extend(("", statement) for statement in statements)
        return found

    def _block_statement(
        self, data: Resource, block: Block, kind: str, identity: str | None, policy: str
    ) -> PolicyStatement:
        attrs, module = block.attrs, self.module

        def strings(name: str) -> list[str]:
            return render(module, attrs[name]) if name in attrs else []

        def at(name: str) -> Loc | None:
            return data.pos_loc(attrs.kpos(name)) if name in attrs else None

        principals: dict[str, list[str]] = {}
        for child in block.children("principals"):
            kind_of = render(module, child.attrs.get("type"))
            principals.setdefault(kind_of[0] if kind_of else "AWS", []).extend(
                render(module, child.attrs.get("identifiers"))
            )
        conditions = [
            Condition(
                (render(module, c.attrs.get("test")) or [""])[0],
                (render(module, c.attrs.get("variable")) or [""])[0],
                render(module, c.attrs.get("values")),
                data.pos_loc(c.pos),
            )
            for c in block.children("condition")
        ]
        effect = strings("effect")
        action_loc = at("actions") or at("not_actions") or data.pos_loc(block.pos)
        first_principal = block.child("principals")
        return PolicyStatement(
            loc=action_loc,
            effect=effect[0] if effect else "Allow",
            actions=strings("actions"),
            not_actions=strings("not_actions"),
            resources=strings("resources"),
            not_resources=strings("not_resources"),
            principals=principals,
            conditions=conditions,
            policy_kind=kind if kind != "auto" else ("trust" if principals else "identity"),
            identity=identity,
            policy=policy,
            action_loc=action_loc,
            resource_loc=at("resources") or at("not_resources"),
            principal_loc=data.pos_loc(first_principal.pos) if first_principal else None,
            condition_loc=conditions[0].loc if conditions else None,
        )


def _with_dynamic(module: Module, data: Resource) -> Resource:
    """A policy document with its `dynamic "statement"` blocks written out (when known)."""
    instances = expand(module, [data])
    return instances[0] if len(instances) == 1 else data


def _sid(module: Module, block: Block) -> str:
    sid = module.resolve(block.attrs.get("sid"))
    return sid if isinstance(sid, str) else ""


def _heredoc_body(value: Any) -> str | None:
    """The JSON of an interpolating heredoc; its `${...}` usually sit inside JSON strings."""
    if not isinstance(value, Expr) or not value.text.lstrip().startswith("<<"):
        return None
    lines = value.text.strip().split("\n")
    return "\n".join(lines[1:-1]) if len(lines) > 2 else None


def _policies(module: Module) -> Iterator[Fact]:
    docs = _Documents(module)
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
                resource, "policy", "identity", _target(module, resource, attr, owner_type), resource.address
            )
    for resource in expand(module, module.resources("aws_iam_policy")):
        used.update(_doc_refs(resource, "policy"))
        for identity in attached.get(resource.address, [None]):
            yield from docs.of(resource, "policy", "identity", identity, resource.address)
    yield from _unused_documents(module, docs, used)


def _doc_refs(resource: Resource, attr: str) -> list[str]:
    ref = reference(resource.raw(attr))
    return [ref] if ref and ref.startswith(f"data.{_DOCUMENT}.") else []


def _unused_documents(module: Module, docs: _Documents, used: set[str]) -> Iterator[Fact]:
    """Documents handed to something outside the scan (a module call, an output): still checked,
    unless another resource (a bucket or key policy) consumes them as a resource policy."""
    consumed = set(used)
    for _, root in module.bodies():
        for block in root.blocks:
            if block.type in ("resource", "data") and block.labels[:1] != [_DOCUMENT]:
                consumed.update(_mentions(block))
            elif block.type == "data":
                consumed.update(ref for ref in _link_refs(block))
    for data in module.data(_DOCUMENT):
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
        return {".".join(r.split(".")[:3]) for r in value.refs if r.startswith(f"data.{_DOCUMENT}.")}
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
                found.setdefault(policy, []).append(_target(module, resource, attr, owner_type))
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


def _grants(module: Module) -> Iterator[Fact]:
    for type_, (attr, owner_type, kind) in _ATTACHMENTS.items():
        for resource in expand(module, module.resources(type_)):
            yield from _grant(
                module,
                resource,
                resource.raw("policy_arn"),
                resource.attr_loc("policy_arn"),
                _target(module, resource, attr, owner_type),
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
        grantee = _target(module, resource, "role_name", "aws_iam_role")
        for i, item in enumerate(_items(value)):
            where = resource.pos_loc(raw.ipos(i)) if value is raw else resource.attr_loc("policy_arns")
            yield from _grant(module, resource, item, where, grantee, "role")


# --- credentials, providers, workloads, secrets ----------------------------------------------


def _credentials(module: Module) -> Iterator[Fact]:
    kinds = {"aws_iam_access_key": "aws_access_key", "aws_iam_user_login_profile": "aws_login_profile"}
    for resource in module.resources(*kinds):
        yield Credential(
            loc=resource.loc,
            kind=kinds[resource.type],
            resource_type=resource.type,
            identity=_target(module, resource, "user", "aws_iam_user"),
            name=resource.name,
        )


def _providers(module: Module) -> Iterator[Fact]:
    for file, block in module.providers("aws"):
        static = [
            a for a in ("access_key", "secret_key") if a in block.attrs and _set(module, block.attrs[a])
        ]
        if static:
            literal = any(isinstance(block.attrs[a], str) for a in static)
            yield ProviderCredentials(
                loc=file.loc(*block.attrs.kpos(static[0])),
                provider="aws",
                attribute=" and ".join(static),
                literal=literal,
            )


def _set(module: Module, raw: Any) -> bool:
    value = module.resolve(raw)
    return value not in ("", None)


def _workloads(module: Module) -> Iterator[Fact]:
    for type_, attr in _WORKLOADS.items():
        for resource in module.resources(type_):
            name = resource.get("function_name") or resource.get("family") or resource.get("name")
            label = name if isinstance(name, str) else resource.name
            role = _target(module, resource, attr, "aws_iam_role")
            if role:
                yield Workload(
                    loc=resource.loc,
                    kind=type_,
                    name=label,
                    platform="aws",
                    identity=role,
                    identity_loc=resource.attr_loc(attr),
                    token_mounted=None,
                )
            yield from _env(module, resource, label)


def _env(module: Module, resource: Resource, label: str) -> Iterator[Fact]:
    if resource.type == "aws_lambda_function":
        for block in resource.block.children("environment"):
            variables = module.resolve_deep(block.attrs.get("variables"))
            inline = isinstance(block.attrs.get("variables"), LMap)
            if isinstance(variables, LMap):
                for key, value in variables.items():
                    if isinstance(value, str):
                        where = variables.kpos(key) if inline else block.attrs.kpos("variables")
                        yield EnvVar(loc=resource.pos_loc(where), name=str(key), value=value, workload=label)
    elif resource.type == "aws_ecs_task_definition" and resource.has("container_definitions"):
        raw = resource.raw("container_definitions")
        value = module.resolve_deep(raw)
        inline = isinstance(raw, (Call, str, LSeq))
        if isinstance(value, str):
            pos = resource.block.attrs.vpos("container_definitions")
            heredoc = _literal_text(resource, pos).startswith("<<")
            value = _json_list(value, pos.line + (1 if heredoc else 0))
        for container in value if isinstance(value, LSeq) else []:
            yield from _container_env(resource, container, label, inline)


def _json_list(text: str, first_line: int) -> Any:
    from nhilint.parse import ParseError
    from nhilint.parse.json import parse_json

    if not text.strip().startswith("["):
        return None
    try:
        return iam_policy.shift(parse_json(text), first_line - 1)
    except (ParseError, RecursionError):
        return None


def _container_env(resource: Resource, container: Any, label: str, inline: bool) -> Iterator[Fact]:
    if not isinstance(container, LMap) or not isinstance(container.get("environment"), LSeq):
        return
    name = container.get("name")
    workload = f"{label}/{name}" if isinstance(name, str) else label
    for item in container["environment"]:
        if (
            isinstance(item, LMap)
            and isinstance(item.get("name"), str)
            and isinstance(item.get("value"), str)
        ):
            where = (
                resource.pos_loc(item.kpos("value")) if inline else resource.attr_loc("container_definitions")
            )
            yield EnvVar(loc=where, name=item["name"], value=item["value"], workload=workload)
