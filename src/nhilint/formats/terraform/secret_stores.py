"""Secrets kept in a cloud secret store (NHI304): AWS Secrets Manager, Azure Key Vault, GCP Secret
Manager, with what tells a credential from configuration (see `StoredSecret`).

The value of a secret is written in a separate resource (`aws_secretsmanager_secret_version`,
`google_secret_manager_secret_version`) or on the secret itself (`azurerm_key_vault_secret`); it
is read for what mints it (`random_password.db.result`), the keys of a `jsonencode({...})`
object, or the name of what it references (`var.db_password`, `module.db.master_password`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from msgspec import Struct, field

from nhilint.facts import Fact, Rotation, StoredSecret
from nhilint.formats.terraform.module import Module, Resource, reference
from nhilint.parse.tree import Call, Expr, LMap, LSeq

# Resources whose only job is to mint a credential: a secret holding their output holds one.
GENERATORS = frozenset(
    {
        "random_password",
        "tls_private_key",
        "aws_iam_access_key",
        "aws_iam_service_specific_credential",
        "azuread_application_password",
        "azuread_service_principal_password",
        "google_service_account_key",
        "vault_approle_auth_backend_role_secret_id",
    }
)
# Attribute names of a reference that say nothing about what the value is.
_ANONYMOUS = frozenset({"id", "result", "value", "arn", "name", "output", "outputs", "json", "content"})
VALUE_ATTRS = ("secret_string", "secret_string_wo", "secret_binary", "secret_data", "secret_data_wo", "value")


class Evidence(Struct):
    keys: list[str] = field(default_factory=list)
    generated: str = ""

    def add(self, other: Evidence) -> None:
        self.keys += [k for k in other.keys if k not in self.keys]
        self.generated = self.generated or other.generated


def evidence(module: Module, raw: Any, depth: int = 0) -> Evidence:
    """What a secret's value says about itself (bounded: values nest only so deep)."""
    found = Evidence()
    if depth > 8 or raw is None:
        return found
    if isinstance(raw, Expr):
        for ref in raw.refs:
            parts = ref.split(".")
            if parts[0] in GENERATORS:
                found.generated = found.generated or ".".join(parts[:2])
            elif parts[-1] not in _ANONYMOUS and len(parts) >= 2:
                found.keys.append(parts[-1])
        resolved = module.resolve(raw)
        if not isinstance(resolved, Expr) and resolved is not raw:
            found.add(evidence(module, resolved, depth + 1))
    elif isinstance(raw, Call):
        for arg in raw.args:
            found.add(evidence(module, arg, depth + 1))
    elif isinstance(raw, LMap):
        found.keys += [str(k) for k in raw]
        for value in raw.values():
            found.add(evidence(module, value, depth + 1))
    elif isinstance(raw, LSeq):
        for value in raw:
            found.add(evidence(module, value, depth + 1))
    elif isinstance(raw, str) and raw.lstrip().startswith("{"):
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            found.keys += [str(k) for k in parsed]
    return found


def _values(module: Module, version_type: str, link: str) -> dict[str, Evidence]:
    """Secret address -> what the values written into it by `version_type` resources say."""
    found: dict[str, Evidence] = {}
    for version in module.resources(version_type):
        target = reference(version.raw(link))
        if target:
            for attr in VALUE_ATTRS:
                found.setdefault(target, Evidence()).add(evidence(module, version.raw(attr)))
    return found


def _text(resource: Resource, *attrs: str) -> str:
    for attr in attrs:
        value = resource.get(attr)
        if isinstance(value, str):
            return value
    return ""


def _secret(resource: Resource, name: str, description: str, value: Evidence, **kw: Any) -> StoredSecret:
    return StoredSecret(
        loc=resource.loc,
        address=resource.address,
        name=name,
        description=description,
        value_keys=value.keys,
        generated=value.generated,
        **kw,
    )


def extract(module: Module) -> Iterator[Fact]:
    yield from _aws(module)
    yield from _azure(module)
    yield from _gcp(module)


def _aws(module: Module) -> Iterator[Fact]:
    rotations = module.resources("aws_secretsmanager_secret_rotation")
    rotated = {reference(r.raw("secret_id")) for r in rotations}
    for rotation in rotations:
        target = reference(rotation.raw("secret_id"))
        if target is None:
            value = rotation.get("secret_id")
            target = value if isinstance(value, str) else getattr(value, "text", "")
        yield Rotation(loc=rotation.attr_loc("secret_id"), secret=target or "")
    values = _values(module, "aws_secretsmanager_secret_version", "secret_id")
    for secret in module.resources("aws_secretsmanager_secret"):
        inline = secret.has("rotation_lambda_arn") or secret.block.child("rotation_rules") is not None
        yield _secret(
            secret,
            _text(secret, "name", "name_prefix"),
            _text(secret, "description"),
            values.get(secret.address, Evidence()),
            rotated=inline or secret.address in rotated,
        )


def _azure(module: Module) -> Iterator[Fact]:
    for secret in module.resources("azurerm_key_vault_secret"):
        value = evidence(module, secret.raw("value"))
        value.add(evidence(module, secret.raw("value_wo")))
        yield _secret(
            secret,
            _text(secret, "name"),
            _text(secret, "content_type"),
            value,
            rotated=secret.has("expiration_date"),
            missing="`expiration_date`",
        )


def _gcp(module: Module) -> Iterator[Fact]:
    values = _values(module, "google_secret_manager_secret_version", "secret")
    for secret in module.resources("google_secret_manager_secret", "google_secret_manager_regional_secret"):
        yield _secret(
            secret,
            _text(secret, "secret_id"),
            "",
            values.get(secret.address, Evidence()),
            rotated=secret.block.child("rotation") is not None or secret.has("rotation"),
            missing="`rotation` block",
        )
