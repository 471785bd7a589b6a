"""Configuration: `.nhilint.yaml` or `[tool.nhilint]` in `pyproject.toml`, plus CLI overrides."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from nhilint.catalogue.schema import SchemaError, validate

CONFIG_NAMES = (".nhilint.yaml", ".nhilint.yml")
# Tool state and installed packages: skipped by default, reported as skipped. Not `vendor` or
# `third_party`: code committed there is deployed like any other (and a local Terraform module is
# read wherever it lives).
DEFAULT_SKIP_DIRECTORIES = (
    "node_modules",
    ".terraform",
    ".terragrunt-cache",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
)


# Directory names that by convention hold tests, fixtures, examples and documentation, not what is
# deployed: findings below the scanned path in such a directory are notes (nhilint.pipeline.production).
DEFAULT_NON_PRODUCTION_PATHS = (
    "test",
    "tests",
    "testdata",
    "test-data",
    "e2e",
    "fixtures",
    "examples",
    "example",
    "samples",
    "sample",
    "docs",
)


class ConfigError(Exception):
    """Bad configuration or CLI use: one sentence, exit code 2."""


class Config(Struct, frozen=True):
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
    skip_directories: tuple[str, ...] = DEFAULT_SKIP_DIRECTORIES
    non_production_paths: tuple[str, ...] = DEFAULT_NON_PRODUCTION_PATHS
    scan_plans: bool | None = None  # None: read Terraform plans, unless the scan skips them (the hook)
    fix: dict[str, Any] = field(default_factory=dict)  # the `fix:` section (nhilint.fixes.session reads it)
    source: str | None = None  # the file this came from, for messages
    base: str | None = None  # the directory `exclude` globs are written against (None: the scan root)

    def enabled(self, rule_id: str) -> bool:
        selected = not self.select or any(rule_id.startswith(p) for p in self.select)
        return selected and not any(rule_id.startswith(p) for p in self.ignore)

    def with_overrides(self, **overrides: Any) -> Config:
        return replace(self, **{k: v for k, v in overrides.items() if v not in (None, ())})


def from_mapping(data: Any, source: str, base: str | None = None) -> Config:
    if isinstance(data, dict):
        check_rule_ids(_rule_ids(data), f"in {source}")
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
        skip_directories=keys("skip-directories", defaults.skip_directories),
        non_production_paths=tuple(
            k.lower() for k in keys("non-production-paths", defaults.non_production_paths)
        ),
        scan_plans=data.get("scan-plans"),
        fix=_fix_section(data, defaults, source),
        source=source,
        base=base,
    )


def _fix_section(data: dict[str, Any], defaults: Config, source: str) -> dict[str, Any]:
    """The `fix:` section; an expiry the fix would write beyond the allowed lifetime is an error (the
    fixed identity would be reported again, by NHI302)."""
    section = dict(data.get("fix", {}))
    days = section.get("expires-in-days")
    limit = data.get("max-identity-lifetime-days", defaults.max_identity_lifetime_days)
    if days is not None and days > limit:
        raise ConfigError(
            f"fix.expires-in-days ({days}) is beyond max-identity-lifetime-days ({limit}) in {source}: "
            "the expiry the fix writes would be reported again"
        )
    return section


def _rule_ids(data: dict[str, Any]) -> list[str]:
    ids = [v for key in ("select", "ignore") if isinstance(data.get(key), list) for v in data[key]]
    severity = data.get("severity")
    return ids + (list(severity) if isinstance(severity, dict) else [])


def check_rule_ids(values: Iterable[object], where: str) -> None:
    """ConfigError for the first value that names no rule: a typo in `select` would otherwise turn
    the linter off, one in `ignore` or `severity` would silently do nothing."""
    from nhilint import catalogue

    ids = catalogue.load()
    for value in values:
        if isinstance(value, str) and (reason := catalogue.unknown_rule(value, ids)):
            raise ConfigError(f"{reason} ({where})")


def read_file(path: Path, base: Path | None = None) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"configuration file {path} is not UTF-8 text") from None
    data = _pyproject_section(text, path) if path.name == "pyproject.toml" else _yaml_mapping(text, path)
    try:
        return from_mapping(data, str(path), str(base) if base else None)
    except SchemaError as exc:
        raise ConfigError(str(exc)) from None


def _yaml_mapping(text: str, path: Path) -> Any:
    """The YAML config as data; cached by content so a pre-commit run need not import a YAML parser."""
    import hashlib

    from nhilint import store

    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    data = store.load(digest, "config")  # JSON data only, from a private directory
    if data is None:
        from nhilint.parse.yaml import load_plain

        try:
            data = load_plain(text)
        except Exception as exc:  # any YAML error is the user's to fix
            raise ConfigError(f"configuration file {path} is not valid YAML: {exc}") from None
        data = {} if data is None else data
        store.store(digest, data, "config")
    return data


def _pyproject_table(text: str) -> Any:
    """The `[tool.nhilint]` table, or None; ValueError (TOMLDecodeError) for broken TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    tool = tomllib.loads(text).get("tool")
    return tool.get("nhilint") if isinstance(tool, dict) else None


def _pyproject_section(text: str, path: Path) -> Any:
    try:
        table = _pyproject_table(text)
    except ValueError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return {} if table is None else table


def discover(start: Path) -> Config:
    """The configuration of `start` (a file or directory): see `Configs`."""
    return Configs().at(start)


def nearest(
    directory: Path, boundaries: Iterable[Path] = (), known: dict[Path, Path | None] | None = None
) -> Path | None:
    """The nearest `.nhilint.yaml` or `pyproject.toml` with a `[tool.nhilint]` table, from `directory`
    (absolute) upwards to its repository root; outside a repository, up to the working directory or
    the scanned path (`boundaries`) that holds it, whichever is higher. Configuration never leaks in
    from outside.

    A configuration file that is a symbolic link is refused: it could point at any file on the
    machine (a token), and a repository's configuration is the repository's own text.

    `known` remembers the answer of every directory walked through (the same for all of them: the
    walk from below reaches a directory only where its own walk would reach the same end)."""
    known = {} if known is None else known
    chain = (directory, *directory.parents)
    stops = {Path(os.path.abspath(b)) for b in [*boundaries, Path.cwd()]}
    holding = [d for d in chain if d in stops]
    stop = holding[-1] if holding else None  # the outermost scanned path or working directory
    walked: list[Path] = []
    found: Path | None = None
    for current in chain:
        if current in known:
            found = known[current]
            break
        walked.append(current)
        found = _configuration_in(current)
        # whether the chain is in a repository is asked only at the stop: most walks end sooner
        if found or (current / ".git").exists() or (current == stop and not _in_repository(chain)):
            break
    for visited in walked:
        known[visited] = found
    return found


def _in_repository(chain: tuple[Path, ...]) -> bool:
    return any((d / ".git").exists() for d in chain)


def _configuration_in(directory: Path) -> Path | None:
    for candidate in [directory / name for name in CONFIG_NAMES] + [directory / "pyproject.toml"]:
        if candidate.is_symlink():
            raise ConfigError(f"configuration file {candidate} is a symbolic link: refusing to follow it")
        if candidate.is_file() and (candidate.name != "pyproject.toml" or _has_table(candidate)):
            return candidate
    return None


def _has_table(pyproject: Path) -> bool:
    """Whether `pyproject.toml` has a `[tool.nhilint]` table (not merely the words, in a comment)."""
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "nhilint" not in text:
        return False
    try:
        return isinstance(_pyproject_table(text), dict)
    except ValueError:  # broken TOML that mentions nhilint: read it, so the error is said
        return True


class Configs(Struct):
    """The configuration that judges each file, whatever order paths are given in.

    `explicit` (`--config`, or a Config built in code) judges every file, its `exclude` globs
    written against the scan root. Otherwise each file has the nearest configuration between it and
    its repository root, its globs written against that file's directory. `overrides` (--select,
    --ignore, --fail-on) apply on top of either.
    """

    explicit: Config | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    boundaries: tuple[Path, ...] = ()  # the scanned paths: where the search stops outside a repository
    _by_directory: dict[Path, Config] = field(default_factory=dict)
    _by_source: dict[Path | None, Config] = field(default_factory=dict)
    _by_path: dict[str, Config] = field(default_factory=dict)
    _nearest: dict[Path, Path | None] = field(default_factory=dict)

    def at(self, path: Path | str) -> Config:
        """The configuration of a file or directory (absolute, or relative to the working directory)."""
        if self.explicit is not None:
            if not self._by_source:
                self._by_source[None] = self.explicit.with_overrides(**self.overrides)
            return self._by_source[None]
        known = self._by_path.get(str(path))  # rules ask once per finding: no disk access twice
        if known is not None:
            return known
        # discovery, reading and the rules spell a file differently (relative, absolute): the answer
        # depends on its absolute path only, remembered under both spellings
        spelled = os.path.abspath(path)
        known = self._by_path.get(spelled)
        if known is not None:
            self._by_path[str(path)] = known
            return known
        absolute = Path(spelled)
        directory = absolute if absolute.is_dir() else absolute.parent
        config = self._by_directory.get(directory)
        if config is None:
            source = nearest(directory, self.boundaries, self._nearest)
            config = self._by_source.get(source)
            if config is None:
                config = read_file(source, source.parent) if source else Config()
                config = self._by_source[source] = config.with_overrides(**self.overrides)
            self._by_directory[directory] = config
        self._by_path[str(path)] = self._by_path[spelled] = config
        return config

    def every(self) -> list[Config]:
        """Every configuration used so far (at least one)."""
        if self.explicit is not None:
            return [self.at(".")]
        return list(self._by_source.values()) or [Config().with_overrides(**self.overrides)]

    def enabled(self, rule_id: str) -> bool:
        """Whether any configuration in use runs `rule_id`."""
        return any(c.enabled(rule_id) for c in self.every())
