"""One GitHub Actions job (or a composite action's `runs:`): how it reaches a cloud (`CiAuth`: login
actions, `env:`, inputs, `run:` lines), the secrets it reads and what for (`CiSecretUse`), and the
session lifetimes it asks for (`Lifetime`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nhilint.facts import CiAuth, CiSecretUse, Fact, Lifetime
from nhilint.formats import SourceFile
from nhilint.formats.ci_scripts import durations, line_usage, logical_lines, script_lines, shell_auth
from nhilint.formats.github_actions.expressions import config_vars, reads_secret, secret_refs, static_value
from nhilint.formats.walk import strings
from nhilint.knowledge.ci_credentials import CLOUD_ENV, input_key_cloud, key_cloud
from nhilint.parse import decimal
from nhilint.parse.tree import LMap, LSeq, Pos

_AWS_ACTION = re.compile(r"(?:^|/)configure-aws-credentials(?:/[^@]*)?@", re.I)
_GCP_AUTH = re.compile(r"^google-github-actions/auth@", re.I)
_GCP_SETUP = re.compile(r"^google-github-actions/setup-gcloud@", re.I)
_AZURE_LOGIN = re.compile(r"^azure/login@", re.I)
_CHECKOUT = re.compile(r"^actions/checkout@", re.I)
# Login actions `action()` judges input by input (static keys versus federation).
_LOGIN_ACTIONS = re.compile(
    r"(?:^|/)configure-aws-credentials(?:/[^@]*)?@|^google-github-actions/(?:auth|setup-gcloud)@|^azure/login@",
    re.I,
)
# Steps that request an OIDC token themselves (trusted publishing, provenance, vault JWT...).
_OIDC_ACTIONS = re.compile(
    r"^(?:pypa/gh-action-pypi-publish|actions/attest[\w-]*|sigstore/[\w-]+|slsa-framework/[\w-]+|"
    r"hashicorp/vault-action|rust-lang/crates-io-auth-action|octo-sts/action|"
    r"actions/deploy-pages)@",
    re.I,
)
_OIDC_RUN = re.compile(
    r"ACTIONS_ID_TOKEN_REQUEST|getIDToken|--provenance|cosign\s+sign|\bnpm\s+publish|"
    r"\bnpm\s+trust|\btwine\s+upload|\buv\s+publish",
    re.I,
)


class Job:
    """One job (or a composite action's `runs:`): the facts of its env, steps and run lines."""

    def __init__(
        self, file: SourceFile, name: str, node: LMap, secret_env: frozenset[str] = frozenset()
    ) -> None:
        self.file, self.name, self.node = file, name, node
        self.federates = False
        self.secret_env = secret_env  # env variables (workflow, job) whose value is a secret

    def auth(self, cloud: str, method: str, pos: Pos, detail: str, value: Any = None) -> CiAuth:
        """`value` is what the key input or variable is set to: the secrets it reads hold the key."""
        if method == "federated":
            self.federates = True
        secrets = [n for n in secret_refs(value) if n != "*"] if isinstance(value, str) else []
        plain = config_vars(value) if isinstance(value, str) else []
        if plain:
            detail += (
                f", from the plain configuration variable `vars.{plain[0]}`, which anyone who can read"
                " the repository sees (worse than a secret)"
            )
        return CiAuth(
            loc=self.file.loc(*pos),
            ci="github",
            cloud=cloud,
            method=method,
            job=self.name,
            detail=detail,
            secrets=secrets,
        )

    def env(self, env: Any, owner: LMap, where: str, uses: str = "") -> Iterator[Fact]:
        """Cloud keys in an `env:` block; remembers the variables that hold secrets for the levels below."""
        if not isinstance(env, LMap):
            return
        from_secrets = {str(k) for k, v in env.items() if isinstance(v, str) and self.from_secrets(v)}
        stored = from_secrets | {str(k) for k, v in env.items() if isinstance(v, str) and config_vars(v)}
        for key, value in env.items():
            if not isinstance(value, str):
                continue
            cloud = CLOUD_ENV.get(str(key).upper())
            if cloud and static_value(str(key), value):
                plain = value if config_vars(value) else None  # said in the message
                yield self.auth(cloud, "static", env.kpos(key), f"`{where}.{key}`", plain)
            elif cloud is None and str(key) in stored:
                found = input_key_cloud(uses, str(key)) if uses else key_cloud(str(key))
                if found is not None:
                    yield self.auth(found, "static", env.kpos(key), f"`{where}.{key}`", value)
                else:
                    yield from self.key_secrets(value, env.vpos(key))
        self.secret_env = self.secret_env | from_secrets

    def from_secrets(self, value: str) -> bool:
        """The value is (or embeds) a stored secret: `secrets.X`, or an env variable set from one."""
        return reads_secret(value, self.secret_env)

        return False

    def key_secrets(self, text: str, where: Pos, purpose: str = "") -> Iterator[CiAuth]:
        """A secret whose own name says it is a cloud key (`secrets.AWS_SECRET_ACCESS_KEY`), whatever
        receives it."""
        for name in secret_refs(text):
            cloud = key_cloud(name) if name != "*" else None
            if cloud is not None:
                yield self.auth(cloud, "static", where, f"`secrets.{name}`{purpose}")
                return

    def key_inputs(self, uses: str, inputs: LMap, section: str = "with") -> Iterator[CiAuth]:
        """Inputs of an action or reusable workflow that carry a cloud key from a secret or a
        configuration variable."""
        for key, value in inputs.items():
            if not isinstance(value, str) or not (self.from_secrets(value) or config_vars(value)):
                continue
            cloud = input_key_cloud(uses, str(key))
            if cloud is not None:
                yield self.auth(cloud, "static", inputs.kpos(key), f"`{section}.{key}` of `{uses}`", value)
            else:
                yield from self.key_secrets(value, inputs.vpos(key), f" given to `{uses}`")

    def secret_uses(self, node: LMap, keys: tuple[str, ...], usage: str = "") -> Iterator[CiSecretUse]:
        """Secrets read in `node[key]` for each of `keys`."""
        for section in keys:
            for key, text, where, _ in strings(node.get(section), node.vpos(section), key=section):
                kind = usage or _usage(section, key)
                yield from self.uses_in(text, where, kind)

    def uses_in(self, text: str, where: Pos, usage: str) -> Iterator[CiSecretUse]:
        for name in secret_refs(text):
            yield CiSecretUse(
                loc=self.file.loc(*where),
                ci="github",
                secret=name,
                workflow=self.file.rel,
                job=self.name,
                usage="all" if name == "*" else usage,
            )

    def steps(self, steps: LSeq) -> Iterator[Fact]:
        for i, step in enumerate(steps):
            if isinstance(step, LMap):
                outer = self.secret_env
                yield from self.step(step, steps.ipos(i))
                self.secret_env = outer  # a step's env is its own

    def step(self, step: LMap, pos: Pos) -> Iterator[Fact]:
        uses = step.get("uses")
        inputs = step.get("with")
        yield from self.env(step.get("env"), step, "env", uses if isinstance(uses, str) else "")
        yield from self.secret_uses(step, tuple(str(k) for k in step if k not in ("env", "with", "run")))
        if isinstance(step.get("env"), LMap):
            env = step["env"]
            for key in env:
                usage = "gh" if str(key).upper() in ("GH_TOKEN", "GITHUB_TOKEN") else "env"
                for _, text, where, _ in strings(env[key], env.vpos(key)):
                    yield from self.uses_in(text, where, usage)
        if isinstance(inputs, LMap):
            checkout = isinstance(uses, str) and _CHECKOUT.match(uses) is not None
            for key in inputs:
                usage = "checkout" if checkout and key in ("token", "ssh-key") else "with"
                for _, text, where, _ in strings(inputs[key], inputs.vpos(key)):
                    yield from self.uses_in(text, where, usage)
            if isinstance(uses, str):
                yield from self.action(uses, inputs)
                if not _LOGIN_ACTIONS.search(uses):
                    yield from self.key_inputs(uses, inputs)
        run = step.get("run")
        if (isinstance(uses, str) and _OIDC_ACTIONS.match(uses)) or (
            isinstance(run, str) and _OIDC_RUN.search(run)
        ):
            self.federates = True
        if isinstance(run, str):
            lines = list(script_lines(self.file, run, step.vpos("run")))
            for line, number in lines:
                yield from self.uses_in(line, Pos(number, 1), line_usage(line))
                yield from self.key_secrets(line, Pos(number, 1), " in a script")
            for line, number in logical_lines(lines):
                for cloud, method, detail in shell_auth(line):
                    yield self.auth(cloud, method, Pos(number, 1), detail)
            for line, number in lines:
                for seconds in durations(line):
                    yield Lifetime(
                        loc=self.file.loc(number, 1),
                        setting="--duration-seconds",
                        seconds=seconds,
                        identity=self.name or None,
                        platform="aws",
                    )

    def action(self, uses: str, inputs: LMap) -> Iterator[Fact]:
        """Cloud login actions: static keys versus federation, and the session lifetime asked for."""
        given = {k for k, v in inputs.items() if v not in (None, "")}
        if _AWS_ACTION.search(uses):
            keys = [k for k in ("aws-access-key-id", "aws-secret-access-key") if k in given]
            if keys:
                yield self.auth(
                    "aws", "static", inputs.kpos(keys[0]), f"`{keys[0]}` of `{uses}`", inputs[keys[0]]
                )
            elif "role-to-assume" in given:
                yield self.auth("aws", "federated", inputs.kpos("role-to-assume"), "role-to-assume")
            if "role-duration-seconds" in given:
                seconds = _int(inputs["role-duration-seconds"])
                if seconds is not None:
                    role = inputs.get("role-to-assume")
                    yield Lifetime(
                        loc=self.file.loc(*inputs.kpos("role-duration-seconds")),
                        setting="role-duration-seconds",
                        seconds=seconds,
                        identity=role if isinstance(role, str) else self.name or None,
                        platform="aws",
                    )
        elif _GCP_AUTH.match(uses) or _GCP_SETUP.match(uses):
            key = next((k for k in ("credentials_json", "service_account_key") if k in given), None)
            if key:
                yield self.auth("gcp", "static", inputs.kpos(key), f"`{key}` of `{uses}`", inputs[key])
            elif "workload_identity_provider" in given:
                yield self.auth(
                    "gcp", "federated", inputs.kpos("workload_identity_provider"), "workload identity"
                )
        elif _AZURE_LOGIN.match(uses):
            key = next((k for k in ("creds", "client-secret") if k in given), None)
            if key:
                yield self.auth("azure", "static", inputs.kpos(key), f"`{key}` of `{uses}`", inputs[key])
            elif "client-id" in given:
                yield self.auth("azure", "federated", inputs.kpos("client-id"), "OIDC")


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return decimal(value.strip()) if isinstance(value, str) else None


def _usage(section: str, key: str) -> str:
    if section == "env":
        return "gh" if key.upper() in ("GH_TOKEN", "GITHUB_TOKEN") else "env"
    return "with" if section in ("with", "secrets") else "other"
