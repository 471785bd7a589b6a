"""Terraform helpers several provider modules share: tags written in a description, the literal
`env` blocks of a container, and the credentials a `provider` block sets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.facts import EnvVar, Fact, ProviderCredentials, StringValue
from nhilint.formats import SourceFile
from nhilint.formats.terraform.module import Module, Resource
from nhilint.knowledge.credential_names import lazy
from nhilint.parse.tree import Block, Call, Expr

# `key: value` pairs in a description (`owner: data-team expires: 2026-01-31`)
_DESCRIPTION_TAG = lazy(r"(?:^|(?<=[\s,;(\[]))([A-Za-z][\w-]*)\s*[:=]\s*([^\s,;()\[\]]+)")


def description_tags(text: str) -> dict[str, str]:
    """`owner: NAME` / `expires: DATE` conventions of a description, as tags."""
    return {m.group(1): m.group(2).rstrip(".") for m in _DESCRIPTION_TAG().finditer(text)}


def env_blocks(resource: Resource, container: Block, path: str, label: str) -> Iterator[Fact]:
    """`env { name = "X" value = "literal" }` blocks of a container: an EnvVar (NHI106) and the value
    keyed by the variable's name (NHI101 judges `DB_PASSWORD`, not `value`)."""
    for env in container.children("env"):
        name, value = env.attrs.get("name"), env.attrs.get("value")
        if isinstance(name, str) and isinstance(value, str):
            yield EnvVar(
                loc=resource.pos_loc(env.attrs.kpos("value")),
                name=name,
                value=value,
                workload=f"{resource.type} {label}",
            )
            yield keyed_string(resource, env, "value", name, f"{path}.env.value")


def keyed_string(resource: Resource, block: Block, attr: str, key: str, path: str) -> StringValue:
    """The literal `block.attr` again, under the name it really carries (`key`). Same place and path
    as the generic StringValue, so a credential both detect is reported once."""
    return StringValue(
        loc=resource.pos_loc(block.attrs.vpos(attr)),
        key=key,
        value=block.attrs[attr],
        path=path,
        identity=resource.address,
        context="env",
    )


def provider_credentials(module: Module, name: str, attrs: tuple[str, ...]) -> Iterator[Fact]:
    """Each `provider "name"` block setting any of `attrs` (literal: error; variable: warning)."""
    for file, block in module.providers(name):
        yield from block_credentials(module, name, file, block, attrs)


def block_credentials(
    module: Module, name: str, file: SourceFile, block: Block, attrs: tuple[str, ...]
) -> Iterator[Fact]:
    """The first of `attrs` that `block` sets to a literal or a variable. A value read from a data
    source or resource (`data.google_client_config.x.access_token`) is minted at run time from the
    runner's own identity: that is the remedy, not the problem."""
    for attr in attrs:
        if (
            attr in block.attrs
            and module.resolve(block.attrs[attr]) not in ("", None)
            and not _computed(block.attrs[attr])
        ):
            yield ProviderCredentials(
                loc=file.loc(*block.attrs.kpos(attr)),
                provider=name,
                attribute=attr,
                literal=isinstance(block.attrs[attr], str),
            )
            return


def _computed(value: Any) -> bool:
    """A value that mentions a data source or resource attribute."""
    if isinstance(value, Expr):
        return any(r.split(".")[0] not in ("var", "local", "path", "terraform") for r in value.refs)
    if isinstance(value, Call):
        return any(_computed(arg) for arg in value.args)
    return False
