"""Terraform AWS provider values: strings of an attribute (`render`) and the identity an attribute names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nhilint.formats.terraform.module import Module, Resource, reference
from nhilint.parse.tree import Call, Expr, LSeq, Pos

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


def target(module: Module, resource: Resource, attr: str, type_: str) -> str | None:
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


def literal_text(resource: Resource, pos: Pos) -> str:
    """The source text from `pos` to the end of that line."""
    lines = resource.module.lines(resource.file)
    return lines[pos.line - 1][pos.col - 1 :] if 0 < pos.line <= len(lines) else ""
