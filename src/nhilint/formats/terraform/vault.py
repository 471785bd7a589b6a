"""Terraform Vault provider: role and token lifetimes (NHI303), JWT roles that bind no claims
(NHI205) and a static provider token (NHI105).

Vault roles have no tags, so they are not `Identity` facts (NHI301/302 could never be fixed);
findings name them `TYPE ROLE_NAME`. A TTL is reported only where it is written: `0` means "no
role-level limit" (unbounded up to the mount's, often 32 days), anything above the limit is too
long. Only `role_type = "jwt"` roles are machine logins; `oidc` roles are people in a browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.facts import Fact, Lifetime, Trust
from nhilint.formats.terraform.module import Module, Resource, reference
from nhilint.formats.terraform.shared import provider_credentials
from nhilint.knowledge.credential_names import lazy
from nhilint.parse import decimal, whole_number
from nhilint.parse.tree import Call, Expr, LMap

TTL_ATTRIBUTES = (
    "token_ttl",
    "token_max_ttl",
    "token_explicit_max_ttl",
    "secret_id_ttl",
    "ttl",
    "max_ttl",
    "default_ttl",
    "explicit_max_ttl",
    "default_sts_ttl",
    "max_sts_ttl",
    "token_default_ttl",
)
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = lazy(r"(\d+(?:\.\d+)?)([dhms])")


def extract(module: Module) -> Iterator[Fact]:
    for resource in module.resources():
        if resource.type.startswith("vault_") and (
            resource.type.endswith("_role") or resource.type == "vault_token"
        ):
            yield from _lifetimes(module, resource)
    yield from _jwt_roles(module)
    yield from provider_credentials(module, "vault", ("token",))


def seconds(value: Any) -> int | None:
    """A Vault TTL (`3600`, `"3600"`, `"1h30m"`, `"7d"`) in seconds; None when it is not one."""
    if not isinstance(value, str):
        return whole_number(value)
    text = value.strip()
    if text.isdigit():
        return decimal(text)
    parts = _DURATION().findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return int(sum(float(n) * _UNITS[u] for n, u in parts))


def role_label(resource: Resource) -> str:
    for attr in ("role_name", "name"):
        name = resource.get(attr)
        if isinstance(name, str) and name:
            return f"{resource.type} {name}"
    return resource.address


def _lifetimes(module: Module, resource: Resource) -> Iterator[Fact]:
    for attr in TTL_ATTRIBUTES:
        found = seconds(resource.get(attr)) if resource.has(attr) else None
        if found is None:
            continue
        yield Lifetime(
            loc=resource.attr_loc(attr),
            setting=attr,
            seconds=None if found == 0 else found,
            identity=role_label(resource),
            platform="vault",
        )


def _claims(module: Module, resource: Resource) -> str | None:
    """The claims a JWT role binds as `k=v; ...` (`glob:` first when they are glob patterns),
    `${...}` when unresolved, None when it binds none."""
    parts: list[str] = []
    subject = resource.get("bound_subject")
    if isinstance(subject, Expr | Call):
        return "${" + subject.text + "}"
    if isinstance(subject, str) and subject:
        parts.append(f"sub={subject}")
    claims = module.resolve_deep(resource.raw("bound_claims"))
    if isinstance(claims, Expr | Call):
        return "${" + claims.text + "}"
    if isinstance(claims, LMap):
        for key, value in claims.items():
            parts.append(f"{key}={value if isinstance(value, str) else getattr(value, 'text', value)}")
    if not parts:
        return None
    glob = resource.get("bound_claims_type") == "glob"
    return ("glob:" if glob else "") + "; ".join(parts)


def _issuer(module: Module, resource: Resource) -> str:
    backend = module.by_address(reference(resource.raw("backend")) or "")
    for attr in ("bound_issuer", "oidc_discovery_url", "jwks_url"):
        value = backend.get(attr) if backend else None
        if isinstance(value, str):
            return value
    return ""


def _jwt_roles(module: Module) -> Iterator[Fact]:
    for resource in module.resources("vault_jwt_auth_backend_role"):
        if resource.get("role_type") != "jwt":
            continue
        where = "bound_claims" if resource.has("bound_claims") else "bound_subject"
        yield Trust(
            loc=resource.attr_loc(where),
            kind="vault_jwt_role",
            issuer=_issuer(module, resource),
            condition=_claims(module, resource),
            identity=role_label(resource),
        )
