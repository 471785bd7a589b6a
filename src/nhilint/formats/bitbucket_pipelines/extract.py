"""Bitbucket Pipelines to facts.

Every step of every pipeline (`default`, `branches`, `tags`, `pull-requests`, `custom`, and the steps
of their `parallel:` and `stage:` groups) is read once: anchors, aliases and `<<:` merges are resolved
by the YAML parser, so a step defined under `definitions.steps` and used by alias in several pipelines
is one step, located at its definition. For each step (the job of the facts):

* `CiAuth`: pipes given key variables; Atlassian AWS pipes in a step without `oidc: true` (they read
  `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` from repository or deployment variables); any pipe
  variable whose name says a cloud key; script lines that export keys or log in with them (steps
  without `oidc: true`); cloud CLIs run without `oidc: true` (`method="variables"`, judged with the
  evidence that the file names a cloud key variable, as for GitLab); federation (`AWS_OIDC_ROLE_ARN`
  with `oidc: true`);
* `CiSecretUse`: the stored variables holding cloud keys the step reads, with its deployment
  environment (a deployment's variables are its own, so sharing is judged per environment);
* `Lifetime`: `--duration-seconds` in scripts and session-duration pipe variables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nhilint.facts import CiAuth, CiSecretUse, Fact, Lifetime
from nhilint.formats import Extraction, SourceFile
from nhilint.formats.bitbucket_pipelines.pipes import (
    AWS_OIDC_ROLE,
    KEY_VARIABLES,
    SESSION_LIFETIME,
    pipe_cloud,
    pipe_name,
)
from nhilint.formats.ci_file import read_ci_file
from nhilint.formats.ci_scripts import durations, logical_lines, script_lines, shell_auth
from nhilint.knowledge.ci_credentials import CLOUD_ENV, cloud_commands, key_cloud
from nhilint.parse import decimal
from nhilint.parse.tree import LMap, LSeq, Pos

CI = "bitbucket"
_KINDS = ("default", "branches", "tags", "pull-requests", "custom")
_VAR_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_KEY_VARIABLE = re.compile(r"\b(" + "|".join(sorted(CLOUD_ENV)) + r")\b")
# Lines that only set key variables from an OIDC exchange, or hand the step's OIDC token on.
_FROM_FEDERATION = re.compile(r"BITBUCKET_STEP_OIDC_TOKEN|web-identity|%s|printf|\bsts\b|--query", re.I)
# `aws configure` fed keys on standard input, or importing an IAM user's credentials file.
_AWS_CONFIGURE = re.compile(
    r"(?:\|\s*|<<)\s*aws\s+configure\s*(?:$|[;&|<#)])|\baws\s+configure\s*<|\baws\s+configure\s+import\b"
)
# AWS CLI calls that need no credentials: public buckets, local configuration.
_UNSIGNED = re.compile(r"--no-sign-request\b")
_GROUP_DEPTH = 3  # a step in a parallel group in a stage: Bitbucket nests no deeper


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    doc, result = read_ci_file(file, "a bitbucket-pipelines.yml")
    if doc is None:
        return result
    facts: list[Fact] = result.facts
    pipelines = doc.get("pipelines")
    if isinstance(pipelines, LMap):
        for step, deployment in _steps(pipelines):
            facts += _Step(file, step, deployment).facts()
    facts += _mentions(file)
    return Extraction(facts=facts)


def _steps(pipelines: LMap) -> Iterator[tuple[LMap, str]]:
    """Each step of the pipelines once (an aliased step is the same object), with the deployment
    environment it runs in (its own, or its stage's)."""
    seen: set[int] = set()
    for kind in _KINDS:
        value = pipelines.get(kind)
        groups = [value] if kind == "default" else list(value.values()) if isinstance(value, LMap) else []
        for items in groups:
            for step, deployment in _items(items, "", 0):
                if id(step) not in seen:
                    seen.add(id(step))
                    yield step, deployment


def _items(items: Any, deployment: str, depth: int) -> Iterator[tuple[LMap, str]]:
    if isinstance(items, LMap):  # `parallel:` / `stage:` in their mapping form: {steps: [...]}
        if isinstance(items.get("deployment"), str):
            deployment = items["deployment"]
        items = items.get("steps")
    if not isinstance(items, LSeq) or depth > _GROUP_DEPTH:
        return
    for item in items:
        if not isinstance(item, LMap):
            continue
        step = item.get("step")
        if isinstance(step, LMap):
            own = step.get("deployment")
            yield step, own if isinstance(own, str) else deployment
        for group in ("parallel", "stage"):
            if group in item:
                yield from _items(item[group], deployment, depth + 1)


def _mentions(file: SourceFile) -> Iterator[CiAuth]:
    """Where the file names a cloud key variable (a script, a pipe, a comment that documents it):
    evidence that the repository keeps that cloud's keys in its variables (one fact per cloud)."""
    seen: set[str] = set()
    text = file.text
    for match in _KEY_VARIABLE.finditer(text):
        cloud = CLOUD_ENV[match.group(1)]
        start, end = text.rfind("\n", 0, match.start()) + 1, text.find("\n", match.end())
        if cloud in seen or _FROM_FEDERATION.search(text[start : end if end >= 0 else len(text)]):
            continue
        seen.add(cloud)
        line = text.count("\n", 0, match.start()) + 1
        yield CiAuth(loc=file.loc(line, 1), ci=CI, cloud=cloud, method="mentioned", detail=match.group(1))


class _Step:
    def __init__(self, file: SourceFile, step: LMap, deployment: str) -> None:
        self.file, self.step, self.deployment = file, step, deployment
        name = step.get("name")
        self.name = name if isinstance(name, str) and name.strip() else f"step at line {step.pos.line}"
        self.oidc = step.get("oidc") in (True, "true")
        runs_on = step.get("runs-on")
        labels = [runs_on] if isinstance(runs_on, str) else list(runs_on) if isinstance(runs_on, LSeq) else []
        self.cloud_runner = "self.hosted" not in labels  # Atlassian's runners hold no cloud identity

    def facts(self) -> Iterator[Fact]:
        commands: dict[str, tuple[int, str]] = {}  # cloud -> first line running its CLI
        for key in ("script", "after-script"):
            script = self.step.get(key)
            if not isinstance(script, LSeq):
                continue
            for i, item in enumerate(script):
                if isinstance(item, LMap) and isinstance(item.get("pipe"), str):
                    yield from self.pipe(item, script.ipos(i))
                elif isinstance(item, str):
                    yield from self.script(item, script.ipos(i), commands)
        for cloud, (line, command) in commands.items():
            if cloud == "aws" and self.cloud_runner:
                yield from self.aws_cli(command, Pos(line, 1))
            else:  # a self-hosted runner may have an instance role: judged with the file's evidence
                yield self.auth(cloud, Pos(line, 1), command, method="variables")

    def auth(self, cloud: str, pos: Pos, detail: str, value: Any = None, method: str = "static") -> CiAuth:
        secrets = _VAR_REF.findall(value) if isinstance(value, str) else []
        return CiAuth(
            loc=self.file.loc(*pos),
            ci=CI,
            cloud=cloud,
            method=method,
            job=self.name,
            detail=detail,
            secrets=secrets,
        )

    def use(self, name: str, pos: Pos, usage: str) -> CiSecretUse:
        return CiSecretUse(
            loc=self.file.loc(*pos),
            ci=CI,
            secret=name,
            workflow=self.file.rel,
            job=self.name,
            usage=usage,
            environment=self.deployment,
        )

    def pipe(self, item: LMap, pos: Pos) -> Iterator[Fact]:
        reference = str(item["pipe"])
        name = pipe_name(reference)
        cloud = pipe_cloud(name)
        variables = item.get("variables")
        variables = variables if isinstance(variables, LMap) else LMap()
        given = {str(k): v for k, v in variables.items() if v not in (None, "")}
        keys = [k for k in given if self.key_cloud(k, cloud, name) is not None]
        for key in keys:  # a key passed to the pipe, from a variable or (NHI101 too) written here
            value = given[key]
            where = variables.kpos(key)
            found = self.key_cloud(key, cloud, name) or cloud
            yield self.auth(found, where, f"`{key}` of `{reference}`", value)
            for ref in _VAR_REF.findall(value) if isinstance(value, str) else []:
                yield self.use(ref, variables.vpos(key), "with")
        if cloud == "aws" and not keys:
            yield from self.aws_pipe(reference, given, variables, pos)
        for key, value in given.items():
            if SESSION_LIFETIME.search(key) and (seconds := _int(value)) is not None:
                role = given.get(AWS_OIDC_ROLE) or given.get("AWS_ROLE_ARN")
                yield Lifetime(
                    loc=self.file.loc(*variables.kpos(key)),
                    setting=key,
                    seconds=seconds,
                    identity=role if isinstance(role, str) else self.name,
                    platform=cloud or "aws",
                )

    def aws_pipe(self, reference: str, given: dict[str, Any], variables: LMap, pos: Pos) -> Iterator[Fact]:
        """An AWS pipe given no key: it federates, or it takes the keys from the variables."""
        if self.oidc and AWS_OIDC_ROLE in given:
            yield self.auth("aws", variables.kpos(AWS_OIDC_ROLE), AWS_OIDC_ROLE, method="federated")
            return
        if self.oidc:
            return  # `AWS_OIDC_ROLE_ARN` may come from the variables: the step asks for a token
        if AWS_OIDC_ROLE in given:
            detail = (
                f"`{AWS_OIDC_ROLE}` of `{reference}` in a step without `oidc: true`: the step gets no "
                "OIDC token, so the pipe needs `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` from the variables"
            )
        else:
            detail = (
                f"`{reference}` without `oidc: true` reads `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` "
                "from repository or deployment variables"
            )
        yield self.auth("aws", pos, detail)
        for key in KEY_VARIABLES["aws"]:
            yield self.use(key, pos, "with")

    def aws_cli(self, command: str, pos: Pos) -> Iterator[Fact]:
        """The AWS CLI (or SAM, CDK) on Atlassian's runners without `oidc: true`: the only identity it can
        find there is `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` from the repository or deployment."""
        detail = (
            f"`{command}` in a step without `oidc: true` on Bitbucket's runners, where it can only read "
            "`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` from repository or deployment variables"
        )
        yield self.auth("aws", pos, detail)
        for key in KEY_VARIABLES["aws"]:
            yield self.use(key, pos, "run")

    def key_cloud(self, key: str, cloud: str, pipe: str) -> str | None:
        """The cloud whose key the pipe variable `key` carries, or None. A Google pipe's `KEY_FILE` in an
        `oidc: true` step may be a workload identity federation config (no secret), so it does not count."""
        if key.upper() in CLOUD_ENV:
            return CLOUD_ENV[key.upper()]
        if key.upper() in KEY_VARIABLES.get(cloud, ()):
            return None if cloud == "gcp" and self.oidc else cloud
        return key_cloud(key, cloud, pipe)

    def script(self, text: str, pos: Pos, commands: dict[str, tuple[int, str]]) -> Iterator[Fact]:
        lines = list(script_lines(self.file, text, pos))
        for line, number in lines:
            for ref in _VAR_REF.findall(line) if not line.lstrip().startswith("#") else []:
                if _names_key(ref):
                    yield self.use(ref, Pos(number, 1), "run")
            for seconds in durations(line):
                yield Lifetime(
                    loc=self.file.loc(number, 1),
                    setting="--duration-seconds",
                    seconds=seconds,
                    identity=self.name,
                    platform="aws",
                )
        if self.oidc:
            return  # the step gets an OIDC token: keys it sets come from the exchange
        for line, number in logical_lines(lines):
            if "BITBUCKET_STEP_OIDC_TOKEN" in line:
                continue
            logins = list(shell_auth(line))
            if _AWS_CONFIGURE.search(line) and not logins:
                logins.append(("aws", "static", "`aws configure` given a stored key"))
            for cloud, _, detail in logins:
                yield self.auth(cloud, Pos(number, 1), detail, line)  # the variables it reads hold the key
            others = {r for r in _VAR_REF.findall(line) if not _names_key(r)}  # key-named: recorded above
            for ref in sorted(others) if logins else []:
                yield self.use(ref, Pos(number, 1), "run")
            for cloud, command in cloud_commands(line):
                if not _UNSIGNED.search(line) and command not in ("aws configure", "aws help"):
                    commands.setdefault(cloud, (number, command))


def _names_key(variable: str) -> bool:
    return variable.upper() in CLOUD_ENV or key_cloud(variable) is not None


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return decimal(value.strip()) if isinstance(value, str) else None
