"""CircleCI configuration to facts.

A job is read with what it runs: its executor's `environment:`, its steps, the reusable `commands:`
those steps invoke (with their parameters: `<< parameters.x >>` takes the invocation's value or the
default, `<< pipeline.parameters.x >>` the pipeline parameter's default), `when:`/`unless:` steps,
and orb commands (`aws-cli/setup`, the orb alias resolved through `orbs:`). Workflows add the orb
jobs they run (`aws-ecr/build_and_push_image` with its `auth:` steps) and the `context:` each job
reads its environment from.

Facts: how each job reaches a cloud (`CiAuth`: an orb login with stored keys versus `role_arn` /
`use_oidc`, key parameters, cloud-key `environment:`, shell logins, references to key variables; a
job that exchanges `$CIRCLE_OIDC_TOKEN` federates), personal-token variables (`CiSecretUse`, NHI107),
the contexts that hand stored keys to jobs (`CiSecretUse` usage "context", NHI403) and session
lifetimes (`Lifetime`). Every literal is a `StringValue` (NHI101).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from nhilint.facts import CiAuth, CiSecretUse, Fact, Lifetime
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.ci_file import read_ci_file
from nhilint.formats.ci_scripts import durations, line_usage, logical_lines, script_lines, shell_auth
from nhilint.formats.circleci import orbs
from nhilint.formats.github_actions.expressions import static_value
from nhilint.knowledge.ci_credentials import CLOUD_ENV, is_pat_name, key_cloud
from nhilint.parse import Budget, TooComplex, decimal
from nhilint.parse.tree import LMap, LSeq, Pos

CI = "circleci"
# Keys of a workflow's job entry that are not the job's parameters (`requires: [aws-ecr/build]`).
_WORKFLOW_KEYS = frozenset({"requires", "context", "filters", "matrix", "name", "type", "serial-group"})
MAX_DEPTH = 12  # commands invoking commands: deeper is refused rather than dropped
_PARAM = re.compile(r"<<\s*(pipeline\.)?parameters\.([\w-]+)\s*>>")
_VAR_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
# An OIDC exchange: the job's token, or a command that federates with one.
_OIDC = re.compile(
    r"CIRCLE_OIDC_TOKEN|assume-role-with-web-identity|--federated-token|workload-identity-pools|"
    r"AWS_WEB_IDENTITY_TOKEN_FILE",
    re.I,
)
_NOT_KEYS = frozenset({"GOOGLE_APPLICATION_CREDENTIALS"})  # a path: a key file or a federation config
_EPHEMERAL = re.compile(r"^CIRCLE_")  # per-job values CircleCI sets


class _Login(Struct):
    cloud: str
    pos: Pos
    detail: str
    secrets: list[str]
    explicit: bool  # the key is written in the config (a key parameter or variable), not a default


class _Seen(Struct):
    """What one job does, gathered over its executor, steps and the commands they invoke."""

    logins: list[_Login] = field(default_factory=list)
    federated: dict[str, Pos] = field(default_factory=dict)  # cloud ("*": any) -> first place
    # clouds whose environment holds a federated session by now (steps run in order): a CLI orb's
    # login after it copies that session, before it reads the stored keys
    session: set[str] = field(default_factory=set)
    facts: list[Fact] = field(default_factory=list)

    def static_clouds(self) -> set[str]:
        return {login.cloud for login in self.logins if self.counts(login)}

    def counts(self, login: _Login) -> bool:
        return login.explicit or not ({login.cloud, "*"} & self.federated.keys())


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    doc, result = read_ci_file(file, "a CircleCI configuration")
    if doc is None:
        return result
    facts: list[Fact] = result.facts
    try:
        facts += _Config(file, doc).facts()
    except TooComplex as exc:  # the literals stand; what the commands expand to is unknown
        return Extraction(facts=facts, problems=[Problem(file.loc(exc.line, exc.col), exc.reason)])
    return Extraction(facts=facts)


def _mapping(value: Any) -> LMap:
    return value if isinstance(value, LMap) else LMap()


def _invocation(item: Any) -> tuple[str, LMap, Pos | None, Any]:
    """A step or workflow job: `name` or `{name: {args}}` -> (name, args, where the name is, raw
    value: `run: <command>` is a string)."""
    if isinstance(item, str):
        return item, LMap(), None, None
    if isinstance(item, LMap) and len(item) == 1:
        name = next(iter(item))
        return str(name), _mapping(item[name]), item.kpos(name), item[name]
    return "", LMap(), None, None


class _Config:
    def __init__(self, file: SourceFile, doc: LMap) -> None:
        self.file, self.doc = file, doc
        self.orbs = {
            str(alias): str(ref).split("@", 1)[0].strip().lower()
            for alias, ref in _mapping(doc.get("orbs")).items()
            if isinstance(ref, str)
        }
        self.commands = _mapping(doc.get("commands"))
        self.executors = _mapping(doc.get("executors"))
        self.jobs = _mapping(doc.get("jobs"))
        self.pipeline = _defaults(_mapping(doc.get("parameters")))
        self.budget = Budget(len(file.text))
        self.seen: dict[str, _Seen] = {}
        self.invocations: dict[int, _Seen] = {}  # a workflow entry that passes the job parameters

    def facts(self) -> Iterator[Fact]:
        entries = [
            (str(workflow), item, items.ipos(i))
            for workflow, spec in _mapping(self.doc.get("workflows")).items()
            if isinstance(items := _mapping(spec).get("jobs"), LSeq)
            for i, item in enumerate(items)
        ]
        for name, job in self.jobs.items():
            if isinstance(job, LMap):
                self.seen[str(name)] = self.judge(str(name), job, [e[1] for e in entries])
        for name, seen in self.seen.items():
            yield from self.job_facts(name, seen)
        for workflow, item, pos in entries:
            yield from self.workflow_job(workflow, item, pos)

    def judge(self, name: str, job: LMap, entries: list[Any]) -> _Seen:
        """The job with its parameters' defaults, or with the values each workflow entry passes it
        (`use_oidc: true` for one entry only) when every entry passes some: what any of them does
        with a stored key counts; each entry's own judgement decides its contexts (NHI403)."""
        declared = _mapping(job.get("parameters"))
        defaults = _defaults(declared)
        merged = self.job(name, job, defaults)
        calls = [(item, args) for item in entries for ref, args, _, _ in [_invocation(item)] if ref == name]
        given = [(item, args) for item, args in calls if any(k in declared for k in args)]
        if given and len(given) == len(calls):  # the defaults never run alone
            merged.logins = []
        for item, args in given:
            seen = self.job(name, job, {**defaults, **self.values(args, {})})
            self.invocations[id(item)] = seen
            known = {(login.pos, login.detail) for login in merged.logins}
            merged.logins += [
                replace(login, explicit=True)
                for login in seen.logins
                if seen.counts(login) and (login.pos, login.detail) not in known
            ]
        return merged

    def job(self, name: str, job: LMap, params: dict[str, Any]) -> _Seen:
        seen = _Seen()
        executor, args, _, _ = _invocation(job.get("executor"))
        if executor in self.executors and isinstance(self.executors[executor], LMap):
            definition = self.executors[executor]
            inner = {**_defaults(_mapping(definition.get("parameters"))), **self.values(args, params)}
            self.environment(seen, definition.get("environment"), definition, inner)
        self.environment(seen, job.get("environment"), job, params)
        steps = job.get("steps")
        if isinstance(steps, LSeq):
            self.steps(seen, name, steps, params, 0)
        return seen

    def job_facts(self, name: str, seen: _Seen) -> Iterator[Fact]:
        for login in sorted(seen.logins, key=lambda x: x.pos):
            if seen.counts(login):
                yield CiAuth(
                    loc=self.file.loc(*login.pos), ci=CI, cloud=login.cloud, method="static", job=name,
                    detail=login.detail, secrets=login.secrets,
                )  # fmt: skip
        for cloud, pos in seen.federated.items():
            yield CiAuth(
                loc=self.file.loc(*pos), ci=CI, cloud="" if cloud == "*" else cloud, method="federated",
                job=name, detail="OIDC",
            )  # fmt: skip
        yield from seen.facts

    def workflow_job(self, workflow: str, item: Any, pos: Pos) -> Iterator[Fact]:
        """An entry of a workflow's `jobs:`: an orb job judged here, and the contexts it reads."""
        ref, args, where, _ = _invocation(item)
        name = str(args.get("name") or ref)
        if "/" in ref and ref not in self.jobs:  # an orb's job: its parameters are its steps
            seen = _Seen()
            self.call(seen, name, ref, args, where or pos, {}, 0)
            self.seen.setdefault(name, seen)
            yield from self.job_facts(name, seen)
        judged = self.invocations.get(id(item)) or (
            self.seen.get(ref) if ref in self.jobs else self.seen.get(name)
        )
        if judged is None or not judged.static_clouds():
            return
        contexts = args.get("context")
        listed = [(contexts, args.vpos("context"))] if isinstance(contexts, str) else []
        if isinstance(contexts, LSeq):
            listed = [(c, contexts.ipos(i)) for i, c in enumerate(contexts)]
        for context, at in listed:
            if isinstance(context, str) and "<<" not in context:
                yield CiSecretUse(
                    loc=self.file.loc(*at), ci=CI, secret=context, workflow=f"{self.file.rel}#{workflow}",
                    job=name, usage="context",
                )  # fmt: skip

    def values(self, args: LMap, params: dict[str, Any]) -> dict[str, Any]:
        return {str(k): self.sub(v, params) for k, v in args.items()}

    def sub(self, value: Any, params: dict[str, Any]) -> Any:
        """`<< parameters.x >>` and `<< pipeline.parameters.x >>` replaced by what is known of them."""
        if not isinstance(value, str) or "<<" not in value:
            return value
        whole = _PARAM.fullmatch(value.strip())
        if whole:
            found = (self.pipeline if whole.group(1) else params).get(whole.group(2), value)
            return found
        return _PARAM.sub(
            lambda m: str((self.pipeline if m.group(1) else params).get(m.group(2), m.group(0))), value
        )

    def environment(self, seen: _Seen, env: Any, owner: LMap, params: dict[str, Any]) -> None:
        """Cloud keys written in an `environment:` (CircleCI does not expand variables there)."""
        if not isinstance(env, LMap):
            return
        for key, raw in env.items():
            value, name = self.sub(raw, params), str(key)
            if not isinstance(value, str) or not value.strip() or name.upper() in _NOT_KEYS:
                continue
            if _OIDC.search(name) or _OIDC.search(value) or name.upper() == "AWS_ROLE_ARN":
                seen.federated.setdefault("aws" if "AWS" in name.upper() else "*", env.kpos(key))
                continue
            cloud = CLOUD_ENV.get(name.upper()) or key_cloud(name)
            if cloud is not None and static_value(name, value):
                seen.logins.append(_Login(cloud, env.kpos(key), f"`environment.{name}`", [], True))

    def steps(self, seen: _Seen, job: str, steps: LSeq, params: dict[str, Any], depth: int) -> None:
        self.budget.spend(len(steps), *steps.pos)
        for i, item in enumerate(steps):
            name, args, where, raw = _invocation(item)
            if name == "run":  # `run: <command>` or `run: {command: ..., environment: ...}`
                self.run(seen, job, item, args, params)
            else:
                self.call(seen, job, name, args, where or steps.ipos(i), params, depth)

    def call(
        self, seen: _Seen, job: str, name: str, args: LMap, pos: Pos, params: dict[str, Any], depth: int
    ) -> None:
        """One step: `when`/`unless`, a reusable command, or an orb's command or job."""
        if depth >= MAX_DEPTH:
            raise TooComplex(f"too complex to resolve: commands nested deeper than {MAX_DEPTH} levels", *pos)
        if name in ("when", "unless") and isinstance(args.get("steps"), LSeq):
            self.steps(seen, job, args["steps"], params, depth + 1)
            return
        if name in self.commands and isinstance(self.commands[name], LMap):
            command = self.commands[name]
            inner = {**_defaults(_mapping(command.get("parameters"))), **self.values(args, params)}
            if isinstance(command.get("steps"), LSeq):
                self.steps(seen, job, command["steps"], inner, depth + 1)
            return
        alias, _, command_name = name.partition("/")
        if command_name:
            self.orb_step(seen, job, alias, command_name, args, pos, params, depth)

    def orb_step(
        self, seen: _Seen, job: str, alias: str, command: str, args: LMap, pos: Pos,
        params: dict[str, Any], depth: int,
    ) -> None:  # fmt: skip
        orb = self.orbs.get(alias, alias)
        cloud = orbs.orb_cloud(orb)
        values = self.values(args, params)
        given = {k for k, v in values.items() if v not in (None, "", False) and "<<" not in str(v)}
        label = f"{alias}/{command}"
        explicit, keys = False, set()
        for key in sorted(given, key=lambda k: args.kpos(k)):
            found = "azure" if key.lower() in orbs.AZURE_KEY_PARAMS else key_cloud(key, cloud, orb)
            if found is not None and isinstance(values[key], str):
                var = _VAR_REF.findall(values[key]) or [values[key].strip()]
                detail = f"`{key}` of `{label}`"
                seen.logins.append(_Login(found or cloud, args.kpos(key), detail, var[:1], True))
                explicit = True
                keys.add(key)
        for key in ("session_duration", "session-duration"):
            seconds = _int(values.get(key))
            if seconds is not None and key in args:
                role = values.get("role_arn") or values.get("role-arn")
                seen.facts.append(Lifetime(
                    loc=self.file.loc(*args.kpos(key)), setting=key, seconds=seconds,
                    identity=role if isinstance(role, str) else job, platform="aws",
                ))  # fmt: skip
        chained = command.lower() in ("role_arn_setup", "role-arn-setup")  # a role over the stored keys
        if orbs.web_identity(orb, command) or (cloud == "aws" and given & orbs.ROLE_PARAMS and not chained):
            seen.federated.setdefault("aws", pos)
            if str(values.get("set_aws_env_vars")).lower() != "false":
                seen.session.add("aws")
        elif cloud == "gcp" and any(str(values.get(k)).lower() == "true" for k in orbs.OIDC_FLAGS):
            seen.federated.setdefault("gcp", pos)
            seen.session.add("gcp")
        elif cloud and not explicit and not _step_lists(args, hooks=False) and orbs.logs_in(orb, command):
            stored = "stored in the job's environment"
            detail = {
                "aws": f"`{label}` without `role_arn`: it reads the keys {stored}",
                "gcp": f"`{label}` without `use_oidc: true`: it reads the key {stored}",
                "azure": f"`{label}`, which logs in with a password {stored}",
            }[cloud]
            # the CLI orbs' own logins read the stored keys unless a federated session came first
            first = orbs.cli_login(orb, command) and not ({cloud, "*"} & seen.session)
            seen.logins.append(_Login(cloud, pos, detail, [], first))
        for value in _step_lists(args):  # the orb runs them: they log in (`auth:` of the ECR orb)
            self.steps(seen, job, value, params, depth + 1)
        for key, value in values.items():
            if isinstance(value, str) and key not in keys:  # a key parameter is reported as such
                self.references(seen, job, value, args.vpos(key), "with")

    def run(self, seen: _Seen, job: str, step: LMap, args: LMap, params: dict[str, Any]) -> None:
        """A `run:` step: its `environment:` and the lines of its command."""
        command: Any = step["run"]
        where = step.vpos("run")
        if not isinstance(command, str):
            self.environment(seen, args.get("environment"), args, params)
            command, where = args.get("command"), args.vpos("command")
        if not isinstance(command, str):
            return
        lines = [(self.sub(text, params), n) for text, n in script_lines(self.file, command, where)]
        for text, number in logical_lines(lines):
            if _OIDC.search(text):
                seen.federated.setdefault(_oidc_cloud(text), Pos(number, 1))
                seen.session.add(_oidc_cloud(text))
            for cloud, _, detail in shell_auth(text):
                seen.logins.append(_Login(cloud, Pos(number, 1), detail, _key_refs(text), False))
        for text, number in lines:
            self.references(seen, job, text, Pos(number, 1), line_usage(text))
            for seconds in durations(text):
                seen.facts.append(Lifetime(
                    loc=self.file.loc(number, 1), setting="--duration-seconds", seconds=seconds,
                    identity=job, platform="aws",
                ))  # fmt: skip

    def references(self, seen: _Seen, job: str, text: str, pos: Pos, usage: str) -> None:
        """Variables a line or parameter reads: cloud keys (from a context or the project's settings)
        and personal tokens."""
        if text.lstrip().startswith("#") or _OIDC.search(text):
            return
        for ref in dict.fromkeys(_VAR_REF.findall(text)):
            if _EPHEMERAL.match(ref):
                continue
            if is_pat_name(ref):
                seen.facts.append(CiSecretUse(
                    loc=self.file.loc(*pos), ci=CI, secret=ref, workflow=self.file.rel, job=job, usage=usage,
                ))  # fmt: skip
            cloud = CLOUD_ENV.get(ref.upper()) or key_cloud(ref)
            if cloud is not None and ref.upper() not in _NOT_KEYS:
                seen.logins.append(_Login(cloud or "", pos, f"`${ref}`", [ref], False))


def _step_lists(args: LMap, hooks: bool = True) -> list[LSeq]:
    """Steps-typed parameters of an orb command or job (`auth:`, `steps:`, `pre-steps:`): lists of
    steps, each a one-key mapping or an orb command (a list of tags is none)."""
    return [
        v
        for k, v in args.items()
        if k not in _WORKFLOW_KEYS
        and (hooks or k not in ("pre-steps", "post-steps"))  # steps around the job, not its login
        and isinstance(v, LSeq)
        and v
        and all((isinstance(s, LMap) and len(s) == 1) or (isinstance(s, str) and "/" in s) for s in v)
    ]


def _key_refs(text: str) -> list[str]:
    return [r for r in _VAR_REF.findall(text) if r.upper() in CLOUD_ENV or key_cloud(r) is not None]


def _oidc_cloud(text: str) -> str:
    if re.search(r"\bsts\b|web-identity|AWS_", text):
        return "aws"
    if re.search(r"--federated-token|\baz\s", text):
        return "azure"
    if re.search(r"workload-identity|gcloud", text):
        return "gcp"
    return "*"


def _defaults(parameters: LMap) -> dict[str, Any]:
    """Each declared parameter's default (`parameters: {x: {type: string, default: ...}}`)."""
    return {
        str(name): spec["default"]
        for name, spec in parameters.items()
        if isinstance(spec, LMap) and "default" in spec
    }


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return decimal(value.strip()) if isinstance(value, str) else None
