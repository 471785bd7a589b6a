"""Terraform AWS provider: IAM roles and users, their policies, trusts, keys, workloads and secrets.

Policies and grants are read in aws_policies (documents in aws_documents), values in aws_values.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.facts import (
    Credential,
    EnvVar,
    Fact,
    Identity,
    Lifetime,
    Loc,
    ProviderCredentials,
    Workload,
)
from nhilint.formats.terraform.agents import lambda_serving
from nhilint.formats.terraform.aws_policies import grants, policies
from nhilint.formats.terraform.aws_values import literal_text, target
from nhilint.formats.terraform.module import Module, Resource
from nhilint.knowledge import iam_policy
from nhilint.parse import whole_number
from nhilint.parse.tree import Call, Expr, LMap, LSeq

# workload type -> attribute naming the role it runs as
_WORKLOADS = {
    "aws_lambda_function": "role",
    "aws_ecs_task_definition": "task_role_arn",
    "aws_iam_instance_profile": "role",
    "aws_eks_pod_identity_association": "role_arn",
}


def extract(module: Module) -> Iterator[Fact]:
    yield from _identities(module)
    yield from policies(module)
    yield from grants(module)
    yield from _credentials(module)
    yield from _providers(module)
    yield from _workloads(module)


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
        duration = whole_number(resource.get("max_session_duration"))
        if resource.type == "aws_iam_role" and duration is not None:
            yield Lifetime(
                loc=resource.attr_loc("max_session_duration"),
                setting="max_session_duration",
                seconds=duration,
                identity=resource.address,
                platform="aws",
            )


# --- credentials, providers, workloads, secrets ----------------------------------------------


def _credentials(module: Module) -> Iterator[Fact]:
    kinds = {"aws_iam_access_key": "aws_access_key", "aws_iam_user_login_profile": "aws_login_profile"}
    for resource in module.resources(*kinds):
        yield Credential(
            loc=resource.loc,
            kind=kinds[resource.type],
            resource_type=resource.type,
            identity=target(module, resource, "user", "aws_iam_user"),
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
    serving = lambda_serving(module)  # Lambdas that Bedrock agents' action groups run
    for type_, attr in _WORKLOADS.items():
        for resource in module.resources(type_):
            name = resource.get("function_name") or resource.get("family") or resource.get("name")
            label = name if isinstance(name, str) else resource.name
            role = target(module, resource, attr, "aws_iam_role")
            if role:
                yield Workload(
                    loc=resource.loc,
                    kind=type_,
                    name=label,
                    platform="aws",
                    identity=role,
                    identity_loc=resource.attr_loc(attr),
                    token_mounted=None,
                    agent=serving.get(resource.address, ""),
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
            heredoc = literal_text(resource, pos).startswith("<<")
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
