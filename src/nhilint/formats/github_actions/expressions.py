"""GitHub Actions expressions (`${{ ... }}`): the secrets, configuration variables and secret-holding
env variables a value reads."""

from __future__ import annotations

import re

_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_SECRET_REF = re.compile(r"(?<![\w.])secrets(?:\.([A-Za-z_][\w-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
# `vars.X`: a configuration variable, plain text that anyone with read access to the repository sees
_VARS_REF = re.compile(r"(?<![\w.])vars(?:\.([A-Za-z_][\w-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_ENV_REF = re.compile(r"(?<![\w.])env(?:\.([A-Za-z_][\w-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_ALL_SECRETS = re.compile(r"toJSON\(\s*secrets\s*\)", re.I)


def secret_refs(text: str) -> list[str]:
    """Names of the secrets a GitHub expression string reads; "*" for `toJSON(secrets)`."""
    found: list[str] = []
    for match in _EXPR.finditer(text):
        expr = match.group(1)
        if _ALL_SECRETS.search(expr):
            found.append("*")
        found += [a or b for a, b in _SECRET_REF.findall(expr)]
    return found


def config_vars(value: str) -> list[str]:
    """The configuration variables (`vars.X`) the expressions of `value` read."""
    return [a or b for expr in _EXPR.findall(value) for a, b in _VARS_REF.findall(expr)]


def static_value(name: str, value: str) -> bool:
    """Does a cloud-key env variable hold a stored key (a secret, a variable, or a literal)?"""
    from nhilint.knowledge.credential_names import is_reference_or_placeholder

    exprs = _EXPR.findall(value)
    if exprs:
        return any(re.search(r"\b(?:secrets|vars)\b", e) for e in exprs)
    if name.upper() == "GOOGLE_APPLICATION_CREDENTIALS":
        return False  # a path: a key file and a federation config look the same
    return bool(value.strip()) and not is_reference_or_placeholder(value)


def reads_secret(value: str, secret_env: frozenset[str]) -> bool:
    """The value is (or embeds) a stored secret: `secrets.X`, or an env variable set from one."""
    for expr in _EXPR.findall(value):
        if _SECRET_REF.search(expr) or any((a or b) in secret_env for a, b in _ENV_REF.findall(expr)):
            return True
    return False
