"""GitHub Actions workflows and composite actions to facts.

Besides the StringValues every format emits (NHI101), a workflow yields: how each job reaches a
cloud (`CiAuth`, from `uses:` + `with:`, `env:` at every level and the lines of `run:`), every
`${{ secrets.X }}` it reads and what for (`CiSecretUse`), the `permissions:` of the workflow and of
each job (`TokenScope`) and session lifetimes it asks for (`Lifetime`). The shell-line helpers at
the bottom are shared with the GitLab CI extractor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nhilint.facts import CiAuth, CiSecretUse, Fact, Lifetime, Loc, TokenScope
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.base import single_mapping
from nhilint.formats.walk import string_values, strings
from nhilint.knowledge.ci_credentials import CLOUD_ENV, input_key_cloud, key_cloud
from nhilint.parse import ParseError, decimal
from nhilint.parse.tree import LMap, LSeq, Pos

_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_SECRET_REF = re.compile(r"(?<![\w.])secrets(?:\.([A-Za-z_][\w-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
# `vars.X`: a configuration variable, plain text that anyone with read access to the repository sees
_VARS_REF = re.compile(r"(?<![\w.])vars(?:\.([A-Za-z_][\w-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_ENV_REF = re.compile(r"(?<![\w.])env(?:\.([A-Za-z_][\w-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_ALL_SECRETS = re.compile(r"toJSON\(\s*secrets\s*\)", re.I)
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


def parse(file: SourceFile) -> LMap:
    return single_mapping(file, "a workflow")


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    try:
        doc = parse(file)
    except ParseError as exc:
        return Extraction(problems=[Problem(file.loc(exc.line, exc.col), exc.reason)])
    facts: list[Fact] = list(string_values(file, doc, doc.pos, "ci-variable", identity=file.rel))
    runs = doc.get("runs")
    if isinstance(runs, LMap):  # a composite action: steps, no jobs and no token permissions
        if isinstance(runs.get("steps"), LSeq):
            facts += _Job(file, str(doc.get("name") or file.rel), runs).steps(runs["steps"])
        return Extraction(facts=facts)
    facts += _workflow(file, doc)
    return Extraction(facts=facts)


def _workflow(file: SourceFile, doc: LMap) -> Iterator[Fact]:
    jobs = doc.get("jobs")
    if not isinstance(jobs, LMap):
        return
    top = _Job(file, "", doc)
    yield from top.env(doc.get("env"), doc, "env")
    yield from top.secret_uses(doc, ("env",))
    scopes = [
        _job(file, str(name), job, jobs.kpos(name), top.secret_env)
        for name, job in jobs.items()
        if isinstance(job, LMap)
    ]
    facts = [f for facts in scopes for f in facts]
    yield from facts
    where = doc.kpos("permissions") if "permissions" in doc else doc.kpos("jobs")  # where `permissions:` goes
    yield TokenScope(
        loc=file.loc(*where),
        level="workflow",
        permissions=_plain(doc.get("permissions")),
        locs=_scope_locs(file, doc.get("permissions")),
        reusable=_only_called(doc),
    )


def _only_called(doc: LMap) -> bool:
    """The workflow runs only when another workflow calls it (`on: workflow_call`)."""
    on = doc.get("on", doc.get(True))
    names = [on] if isinstance(on, str) else list(on) if isinstance(on, (LMap, LSeq)) else []
    return names == ["workflow_call"]


def _job(file: SourceFile, name: str, job: LMap, header: Pos, secret_env: frozenset[str]) -> list[Fact]:
    model = _Job(file, name, job, secret_env)
    others = tuple(str(k) for k in job if k not in ("steps", "secrets"))
    facts: list[Fact] = [*model.env(job.get("env"), job, "env"), *model.secret_uses(job, others)]
    if isinstance(job.get("uses"), str):  # a reusable workflow: its inputs and secrets may carry keys
        for section in ("with", "secrets"):
            if isinstance(job.get(section), LMap):
                facts += model.key_inputs(job["uses"], job[section], section)
    if job.get("secrets") == "inherit":
        facts.append(
            CiSecretUse(
                loc=file.loc(*job.kpos("secrets")),
                ci="github",
                secret="*",
                workflow=file.rel,
                job=name,
                usage="inherit",
            )
        )
    if isinstance(job.get("secrets"), LMap):
        facts += model.secret_uses(job["secrets"], tuple(job["secrets"]), usage="with")
    if isinstance(job.get("steps"), LSeq):
        facts += model.steps(job["steps"])
    perms = job.get("permissions")
    federates = model.federates or (isinstance(perms, LMap) and perms.get("id-token") == "write")
    facts.append(TokenScope(
        loc=file.loc(*(job.kpos("permissions") if "permissions" in job else header)), level="job", job=name,
        permissions=_plain(perms), federates=federates, locs=_scope_locs(file, perms),
        calls_workflow=isinstance(job.get("uses"), str),
    ))  # fmt: skip
    return facts


def _plain(value: Any) -> Any:
    if isinstance(value, LMap):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _scope_locs(file: SourceFile, perms: Any) -> dict[str, Loc]:
    return {str(k): file.loc(*perms.kpos(k)) for k in perms} if isinstance(perms, LMap) else {}


class _Job:
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
        for expr in _EXPR.findall(value):
            if _SECRET_REF.search(expr) or any(
                (a or b) in self.secret_env for a, b in _ENV_REF.findall(expr)
            ):
                return True
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


# --- shared with the GitLab CI extractor -------------------------------------------------------------


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


_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*\s*(?:#.*)?$")


def script_lines(file: SourceFile, text: str, pos: Pos) -> Iterator[tuple[str, int]]:
    """Each line of a shell script value with its line number in the file (block scalars start a
    line below their `|`; folded `>` scalars are approximated line by line)."""
    source = file.text.splitlines()
    head = source[pos.line - 1][pos.col - 1 :] if 0 < pos.line <= len(source) else ""
    first = pos.line + 1 if _BLOCK_SCALAR.match(head) else pos.line
    for offset, line in enumerate(text.split("\n")):
        if line.strip():
            yield line, first + offset


def logical_lines(lines: list[tuple[str, int]]) -> Iterator[tuple[str, int]]:
    """Shell lines with their `\\` continuations joined, each at the line where it starts."""
    parts: list[str] = []
    start = 0
    for line, number in lines:
        if not parts:
            start = number
        if line.rstrip().endswith("\\"):
            parts.append(line.rstrip()[:-1])
            continue
        yield " ".join([*parts, line]), start
        parts = []
    if parts:
        yield " ".join(parts), start


# (cloud, the command, conditions on the rest of the line after it or None, what it is)
_SHELL_AUTH: tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None, str], ...] = (
    ("aws", re.compile(r"\bAWS_(?:SECRET_ACCESS_KEY|ACCESS_KEY_ID)\s*=\s*(?!\$\(|%s|\s)\S"), None,
     "AWS key exported"),
    ("aws", re.compile(r"\baws\s+configure\s+set\s+(?:[\w.]+\.)?aws_(?:secret_access_key|access_key_id)\b"),
     None, "`aws configure set` with a stored key"),
    ("gcp", re.compile(r"\bgcloud\s+auth\s+activate-service-account\b"), None,
     "`gcloud auth activate-service-account`"),
    ("azure", re.compile(r"\b(?:ARM|AZURE)_CLIENT_SECRET\s*=\s*(?!\$\(|\s)\S"), None,
     "Azure client secret exported"),
    ("azure", re.compile(r"\baz\s+login\b"),
     re.compile(r"(?=.*--service-principal)(?=.*\s(?:-p|--password|--secret|--client-secret)[\s=])"
                r"(?!.*--federated-token)"),
     "`az login --service-principal` with a secret"),
    ("aws", re.compile(r"(?:>>?|\btee\s+(?:-a\s+)?)\s*[\"']?\S*\.aws/credentials\b"), None,
     "an AWS credentials file written from a variable"),
    ("azure", re.compile(r"\bazd\s+auth\s+login\b"), re.compile(r"(?=.*\s--client-secret[\s=])"),
     "`azd auth login --client-secret`"),
    ("aws", re.compile(r"\b(?:serverless|sls)\s+config\s+credentials\b"),
     re.compile(r"(?=.*\s--(?:key|secret)[\s=])(?!.*--provider[\s=]+[\"']?(?:azure|google|gcp)\b)"),
     "`serverless config credentials` with a stored key"),
    ("gcp", re.compile(r"\b(?:serverless|sls)\s+config\s+credentials\b"),
     re.compile(r"(?=.*--provider[\s=]+[\"']?(?:google|gcp)\b)(?=.*\s--(?:key|secret|credentials)[\s=])"),
     "`serverless config credentials` with a stored key"),
    ("azure", re.compile(r"\b(?:serverless|sls)\s+config\s+credentials\b"),
     re.compile(r"(?=.*--provider[\s=]+[\"']?azure\b)(?=.*\s--(?:key|secret)[\s=])"),
     "`serverless config credentials` with a stored key"),
)  # fmt: skip
_FEDERATED_LINE = re.compile(r"assume-role-with-web-identity|--federated-token|ID_TOKEN|id_token", re.I)
_DURATION = re.compile(r"--duration-seconds[=\s]+[\"']?(\d+)")


def shell_auth(line: str) -> Iterator[tuple[str, str, str]]:
    """(cloud, "static", what) for each way a shell line logs in to a cloud with a stored key."""
    if _FEDERATED_LINE.search(line) or line.lstrip().startswith("#"):
        return
    for cloud, command, condition, detail in _SHELL_AUTH:
        # the conditions are read after the first place the command is written: `(?=.*X)` holds there
        # if anywhere, and one scan of the rest of the line (not one from every place) keeps it linear
        found = command.search(line)
        if found and (condition is None or condition.match(line, found.end())):
            yield cloud, "static", detail


def durations(line: str) -> list[int]:
    """`--duration-seconds N` of `aws sts assume-role ...` (also on a continuation line)."""
    return [int(n) for n in _DURATION.findall(line)]


def line_usage(line: str) -> str:
    """What a shell line does with a token: git-push, gh, api, or just run."""
    if re.search(r"\bgit\s+(?:push|remote\s+(?:add|set-url))\b|x-access-token:|oauth2:|@github\.com", line):
        return "git-push"
    if re.search(r"(?:^|[\s;&|(])gh\s+\w", line):
        return "gh"
    if re.search(r"\b(?:curl|wget|http|Invoke-RestMethod|Invoke-WebRequest)\b|Authorization", line, re.I):
        return "api"
    return "run"
