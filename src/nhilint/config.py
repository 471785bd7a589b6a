"""Configuration: `.nhilint.yaml` or `[tool.nhilint]` in `pyproject.toml`, plus CLI overrides."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nhilint.schema import SchemaError, validate

CONFIG_NAMES = (".nhilint.yaml", ".nhilint.yml")


class ConfigError(Exception):
    """Bad configuration or CLI use: one sentence, exit code 2."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    fail_on: str = "warning"
    owner_keys: tuple[str, ...] = ("owner",)
    expiry_keys: tuple[str, ...] = ("expires", "expiry", "expiration-date")
    max_identity_lifetime_days: int = 365
    max_credential_ttl_seconds: int = 3600
    max_file_size: int = 10_000_000
    source: str | None = None  # the file this came from, for messages

    def enabled(self, rule_id: str) -> bool:
        selected = not self.select or any(rule_id.startswith(p) for p in self.select)
        return selected and not any(rule_id.startswith(p) for p in self.ignore)

    def with_overrides(self, **overrides: Any) -> Config:
        return replace(self, **{k: v for k, v in overrides.items() if v not in (None, ())})


def from_mapping(data: Any, source: str) -> Config:
    validate(data, "config", what=f"invalid configuration in {source}")

    def keys(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(data.get(name, default))

    defaults = Config()
    return Config(
        select=keys("select", ()),
        ignore=keys("ignore", ()),
        severity=dict(data.get("severity", {})),
        exclude=keys("exclude", ()),
        fail_on=data.get("fail-on", defaults.fail_on),
        owner_keys=tuple(k.lower() for k in keys("owner-keys", defaults.owner_keys)),
        expiry_keys=tuple(k.lower() for k in keys("expiry-keys", defaults.expiry_keys)),
        max_identity_lifetime_days=data.get(
            "max-identity-lifetime-days", defaults.max_identity_lifetime_days
        ),
        max_credential_ttl_seconds=data.get(
            "max-credential-ttl-seconds", defaults.max_credential_ttl_seconds
        ),
        max_file_size=data.get("max-file-size", defaults.max_file_size),
        source=source,
    )


def read_file(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"configuration file {path} is not UTF-8 text") from None
    data = _pyproject_section(text, path) if path.name == "pyproject.toml" else _yaml_mapping(text, path)
    try:
        return from_mapping(data, str(path))
    except SchemaError as exc:
        raise ConfigError(str(exc)) from None


def _yaml_mapping(text: str, path: Path) -> Any:
    """The YAML config as data; cached by content so a pre-commit run need not import a YAML parser."""
    import hashlib

    from nhilint import cache

    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    data = cache.load(digest, "config", object)
    if data is None:
        from nhilint.parse.yaml import load_plain

        try:
            data = load_plain(text)
        except Exception as exc:  # any YAML error is the user's to fix
            raise ConfigError(f"configuration file {path} is not valid YAML: {exc}") from None
        data = {} if data is None else data
        cache.store(digest, data, "config")
    return data


def _pyproject_section(text: str, path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(text).get("tool", {}).get("nhilint", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def discover(start: Path) -> Config:
    """The nearest `.nhilint.yaml` or `pyproject.toml` with `[tool.nhilint]`, from `start` upwards."""
    start = start.resolve()
    for directory in (start, *start.parents) if start.is_dir() else start.parents:
        for name in CONFIG_NAMES:
            if (directory / name).is_file():
                return read_file(directory / name)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "[tool.nhilint" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return read_file(pyproject)
        if (directory / ".git").exists():
            break  # configuration does not leak in from outside the repository
    return Config()
