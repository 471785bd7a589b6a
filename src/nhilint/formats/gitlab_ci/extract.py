"""GitLab CI pipelines to facts.

Jobs are read after GitLab's own composition: `extends:` (deep merge, cycle-safe), `default:`
(`before_script`, `after_script`, `id_tokens`; `inherit: default` honoured), `!reference [job, key]`,
anchors and `<<:` merges (done by the YAML parser), and `spec:` headers (the pipeline is the last
mapping document). A hidden job (`.name`) nothing in the file extends is a template for other
files and is read as a job of its own. The other files of the pipeline (the engine passes them after
the file) add only what decides federation: their `default: id_tokens` and their templates'.

Facts: static cloud logins of jobs without `id_tokens` (`CiAuth`), credentials in global
`variables:` and personal-token variables (`CiSecretUse`), and `--duration-seconds` lifetimes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nhilint.facts import CiAuth, CiSecretUse, Fact, Lifetime
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.base import Skipped
from nhilint.formats.ci_scripts import durations, line_usage, logical_lines, script_lines, shell_auth
from nhilint.formats.walk import string_values
from nhilint.knowledge.ci_credentials import CLOUD_ENV, cloud_commands, is_pat_name, key_cloud
from nhilint.parse import Budget, ParseError, TooComplex
from nhilint.parse.tree import LMap, LSeq, Pos, Tagged

RESERVED = frozenset(
    {
        "default",
        "include",
        "stages",
        "variables",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "spec",
        "types",
    }
)
_VAR_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_GAC_EXPORT = re.compile(r"\bGOOGLE_APPLICATION_CREDENTIALS\s*=\s*\S")
# A cloud key variable named anywhere in the file (a reference, a `variables:` key, a comment that
# documents it): the project keeps that cloud's keys in CI/CD variables.
_KEY_VARIABLE = re.compile(r"\b(" + "|".join(sorted(CLOUD_ENV)) + r")\b")
# Lines that set those variables from an OIDC exchange (`export $(printf "AWS_ACCESS_KEY_ID=%s ...`).
_FROM_FEDERATION = re.compile(r"%s|printf|\bsts\b|web-identity|id_token|ID_TOKEN|--query", re.I)
_EPHEMERAL = re.compile(r"^CI_")  # predefined per-job variables (CI_JOB_TOKEN...) are not stored secrets
MAX_EXTENDS = 11  # GitLab's own nesting limit


def parse_all(file: SourceFile) -> list[LMap]:
    from nhilint.parse.yaml import parse_yaml

    docs = [d for d in parse_yaml(file.text, tags="gitlab") if isinstance(d, LMap)]
    if not docs:
        raise ParseError("a GitLab CI file must be a YAML mapping")
    return docs


def local_includes(file: SourceFile) -> list[str]:
    """Repository-relative paths (or globs) this pipeline includes with `include: local`."""
    try:
        pipeline = parse(file)
    except ParseError:
        return []
    include = pipeline.get("include")
    items = include if isinstance(include, list) else [include]
    paths = [i if isinstance(i, str) else i.get("local") if isinstance(i, LMap) else None for i in items]
    return [p.lstrip("/") for p in paths if isinstance(p, str) and "://" not in p and p.strip("/")]


def parse(file: SourceFile) -> LMap:
    """The pipeline: the last mapping document (a `spec:` header document may precede it)."""
    return parse_all(file)[-1]


def extract(files: list[SourceFile]) -> Extraction:
    """Facts of the first file; the others are the rest of its pipeline (`default:`, templates)."""
    file, *pipeline = files
    try:
        docs = parse_all(file)
    except ParseError as exc:
        return Extraction(problems=[Problem(file.loc(exc.line, exc.col), exc.reason)])
    facts: list[Fact] = [
        f for d in docs for f in string_values(file, d, d.pos, "ci-variable", identity=file.rel)
    ]
    context = []
    for other in pipeline:
        try:
            context.append(parse(other))
        except ParseError:  # its own unit reports it; here it adds nothing
            continue
    skipped = [Skipped(file.rel, UNREAD_INCLUDES)] if _includes_elsewhere(docs[-1]) else []
    try:
        facts += _Pipeline(file, docs[-1], context).facts()
    except TooComplex as exc:  # the literals stand; what extends/!reference build is unknown
        problems = [Problem(file.loc(exc.line, exc.col), exc.reason)]
        return Extraction(facts=facts, problems=problems, skipped=skipped)
    return Extraction(facts=facts, skipped=skipped)


# The pipeline itself is judged; what it includes from elsewhere is not, and the summary must say so.
UNREAD_INCLUDES = "includes not read: another project's, a remote URL, a GitLab template or a component"


def _includes_elsewhere(pipeline: LMap) -> bool:
    """Whether the pipeline includes anything but local files (`project:`, `remote:`, `template:`,
    `component:`, or a URL written as a plain string)."""
    include = pipeline.get("include")
    items = include if isinstance(include, list) else [include] if include else []
    return any(
        (isinstance(i, str) and "://" in i)
        or (isinstance(i, LMap) and any(k in i for k in ("project", "remote", "template", "component")))
        for i in items
    )


def _deref(value: Any, pipeline: LMap, depth: int = 0) -> Any:
    """The value a `!reference [job, key, ...]` points at (anything else unchanged)."""
    while isinstance(value, Tagged) and value.tag == "!reference" and isinstance(value.value, LSeq):
        node: Any = pipeline
        for part in value.value:
            node = node.get(part) if isinstance(node, LMap) else None
        depth += 1
        value = node if depth < MAX_EXTENDS else None
    return value


def _merge(target: LMap, source: LMap, budget: Budget) -> None:
    """GitLab's `extends` merge: mappings merge deeply, everything else is replaced."""
    budget.spend(len(source))
    for key, value in source.items():
        old = target.get(key)
        if isinstance(old, LMap) and isinstance(value, LMap):
            merged = LMap(value.pos)
            _merge(merged, old, budget)
            _merge(merged, value, budget)
            value = merged
        target.put(key, value, source.kpos(key), source.vpos(key))


class _Pipeline:
    def __init__(self, file: SourceFile, doc: LMap, context: list[LMap] | None = None) -> None:
        """`context`: the other files of the pipeline. Their `default: id_tokens` and the `id_tokens`
        of their templates count for this file's jobs; nothing else of theirs is located here."""
        self.file, self.doc = file, doc
        self.templates: dict[str, LMap] = {}
        self.default_tokens = False
        for other in context or []:
            default = other.get("default")
            self.default_tokens |= isinstance(default, LMap) and "id_tokens" in default
            for name, job in other.items():
                if isinstance(job, LMap) and name not in RESERVED:
                    self.templates.setdefault(str(name), job)
        # `extends` and `!reference` are resolved once per job and list (memoised), and what they
        # expand to counts against the file's budget: templates that extend or reference each other
        # several times per level would otherwise take exponential time.
        self.budget = Budget(len(file.text))
        self._jobs: dict[str, LMap] = {}
        self._resolving: set[str] = set()
        self._lines: dict[int, list[tuple[str, int]]] = {}
        self._ancestry: dict[str, tuple[bool, bool]] = {}
        default = doc.get("default")
        self.default = default if isinstance(default, LMap) else LMap()
        variables = _deref(doc.get("variables"), doc)
        self.globals = variables if isinstance(variables, LMap) else LMap()

    def facts(self) -> Iterator[Fact]:
        jobs = {name: self.resolve(name, ()) for name in self.job_names()}
        yield from self.global_variables(not all(self.federated(name, job) for name, job in jobs.items()))
        for name, job in jobs.items():
            yield from self.job(name, job)
        yield from self.key_variables()

    def key_variables(self) -> Iterator[Fact]:
        """Where the file names a cloud key variable: evidence that the project keeps that cloud's
        keys in CI/CD variables (one fact per cloud, at the first mention)."""
        seen: set[str] = set()
        text = self.file.text
        for match in _KEY_VARIABLE.finditer(text):
            cloud = CLOUD_ENV[match.group(1)]
            start, end = text.rfind("\n", 0, match.start()) + 1, text.find("\n", match.end())
            if cloud in seen or _FROM_FEDERATION.search(text[start : end if end >= 0 else len(text)]):
                continue
            seen.add(cloud)
            line = text.count("\n", 0, match.start()) + 1
            yield CiAuth(
                loc=self.file.loc(line, 1),
                ci="gitlab",
                cloud=cloud,
                method="mentioned",
                detail=match.group(1),
            )

    def job_names(self) -> list[str]:
        # A job is named by a plain string key: a tagged key (`!Ref x:`) names nothing GitLab runs.
        jobs = {
            k: v
            for k, v in self.doc.items()
            if isinstance(k, str) and isinstance(v, LMap) and k not in RESERVED
        }
        concrete = [job for name, job in jobs.items() if not name.startswith(".")]
        used = {p for job in jobs.values() for p in _parents(job)} | _referenced(self.doc)
        # `<<: *anchor` shares the template's very objects with the job that merges it.
        merged = {id(v) for job in concrete for v in _containers(job)}
        return [
            name for name, job in jobs.items()
            if not name.startswith(".")
            or (name not in used and not any(id(v) in merged for v in _containers(job)))
        ]  # fmt: skip

    def resolve(self, name: str, seen: tuple[str, ...]) -> LMap:
        if name not in self._jobs:
            self._resolving.add(name)
            self._jobs[name] = self._resolve(name, seen)
            self._resolving.discard(name)
        return self._jobs[name]

    def _resolve(self, name: str, seen: tuple[str, ...]) -> LMap:
        job = self.doc[name]
        merged = LMap(job.pos)
        for parent in _parents(job):
            if parent in self.doc and isinstance(self.doc[parent], LMap) and parent not in self._resolving:
                if len(seen) >= MAX_EXTENDS:  # GitLab refuses it; dropping the parent would pass it silently
                    raise TooComplex(
                        f"too complex to resolve: `extends` nested deeper than GitLab's {MAX_EXTENDS} levels"
                    )
                _merge(merged, self.resolve(parent, (*seen, name)), self.budget)
        _merge(merged, job, self.budget)
        for key in ("before_script", "after_script", "id_tokens"):
            if key not in merged and key in self.default and _inherits_default(merged, key):
                merged.put(key, self.default[key], self.default.kpos(key), self.default.vpos(key))
        return merged

    def global_variables(self, some_job_static: bool) -> Iterator[Fact]:
        for key, raw in self.globals.items():
            value = _variable_value(raw)
            name = str(key)
            if not isinstance(value, str) or not value.strip():
                continue
            where = self.file.loc(*self.globals.kpos(key))
            cloud = _key_variable(name, value)
            if cloud is not None and some_job_static:
                yield CiAuth(
                    loc=where,
                    ci="gitlab",
                    cloud=cloud,
                    method="static",
                    job="",
                    detail=f"`variables.{name}`",
                )
            if _holds_credential(name, value):
                yield CiSecretUse(
                    loc=where, ci="gitlab", secret=name, workflow=self.file.rel, usage="global-variable"
                )

    def federated(self, name: str, job: LMap) -> bool:
        """The job gets `id_tokens`: its own, a template's (in any file of the pipeline), the default's."""
        if "id_tokens" in job:
            return True
        return (self.default_tokens and _inherits_default(job, "id_tokens")) or self._templates_of(name)[1]

    def _templates_of(self, name: str) -> tuple[bool, bool]:
        """(whether every template the job extends, through any file of the pipeline, is known;
        whether one of those in other files sets `id_tokens`: this file's own are merged already)."""
        if name not in self._ancestry:
            known, tokens = True, False
            seen, pending = {name}, [name]
            while pending:
                current = pending.pop()
                node = self.doc.get(current) if current in self.doc else self.templates.get(current)
                for parent in _parents(node) if isinstance(node, LMap) else []:
                    self.budget.spend(1)
                    if parent in seen:
                        continue
                    seen.add(parent)
                    if parent in self.doc or parent in self.templates:
                        pending.append(parent)
                        tokens |= parent not in self.doc and "id_tokens" in self.templates[parent]
                    else:
                        known = False
            self._ancestry[name] = (known, tokens)
        return self._ancestry[name]

    def job(self, name: str, job: LMap) -> Iterator[Fact]:
        federated = self.federated(name, job)
        variables = _deref(job.get("variables"), self.doc)
        if isinstance(variables, LMap):
            for key, raw in variables.items():
                value = _variable_value(raw)
                if not isinstance(value, str) or not value.strip():
                    continue
                cloud = _key_variable(str(key), value)
                if cloud is not None and not federated:
                    yield self.auth(name, cloud, variables.kpos(key), f"`variables.{key}`")
                yield from self.pat_refs(name, value, variables.kpos(key), "env")
        lines = list(self.script(job))
        commands: dict[str, tuple[Pos, str]] = {}  # cloud -> first line reaching it with ambient credentials
        for line, number in logical_lines(lines):
            if not federated:
                for cloud, _, detail in shell_auth(line):
                    yield self.auth(name, cloud, Pos(number, 1), detail)
                if _GAC_EXPORT.search(line):
                    detail = "a service-account key file in GOOGLE_APPLICATION_CREDENTIALS"
                    yield self.auth(name, "gcp", Pos(number, 1), detail)
                for cloud, command in cloud_commands(line):
                    commands.setdefault(cloud, (Pos(number, 1), command))
        if not self._templates_of(name)[0]:
            commands = {}  # it extends a template of a file not in the scan, which may give it `id_tokens`
        for cloud, (where, command) in commands.items():
            loc = self.file.loc(*where)
            yield CiAuth(loc=loc, ci="gitlab", cloud=cloud, method="variables", job=name, detail=command)
        for line, number in lines:
            where = Pos(number, 1)
            yield from self.pat_refs(name, line, where, line_usage(line))
            for seconds in durations(line):
                yield Lifetime(
                    loc=self.file.loc(*where),
                    setting="--duration-seconds",
                    seconds=seconds,
                    identity=name,
                    platform="aws",
                )

    def auth(self, job: str, cloud: str, pos: Pos, detail: str) -> CiAuth:
        return CiAuth(
            loc=self.file.loc(*pos), ci="gitlab", cloud=cloud, method="static", job=job, detail=detail
        )

    def pat_refs(self, job: str, text: str, pos: Pos, usage: str) -> Iterator[CiSecretUse]:
        for ref in _VAR_REF.findall(text):
            if is_pat_name(ref):
                yield CiSecretUse(
                    loc=self.file.loc(*pos),
                    ci="gitlab",
                    secret=ref,
                    workflow=self.file.rel,
                    job=job,
                    usage=usage,
                )

    def script(self, job: LMap) -> Iterator[tuple[str, int]]:
        """Every shell line of the job's before_script, script and after_script, with its line."""
        for key in ("before_script", "script", "after_script"):
            value = _deref(job.get(key), self.doc)
            yield from self.lines(value, job.vpos(key))

    def lines(self, value: Any, pos: Pos, depth: int = 0) -> list[tuple[str, int]]:
        value = _deref(value, self.doc)
        if isinstance(value, str):
            return list(script_lines(self.file, value, pos))
        if not isinstance(value, LSeq):
            return []
        if depth >= MAX_EXTENDS:  # GitLab refuses the pipeline; dropping these lines would pass it silently
            raise TooComplex(
                f"too complex to resolve: `!reference` nested deeper than GitLab's {MAX_EXTENDS - 1} levels",
                *pos,
            )
        if id(value) not in self._lines:  # nested lists come from !reference: each expanded once
            self._lines[id(value)] = []  # a list that references itself adds nothing
            found = [
                line for i, item in enumerate(value) for line in self.lines(item, value.ipos(i), depth + 1)
            ]
            self._lines[id(value)] = found
        found = self._lines[id(value)]
        self.budget.spend(len(found))
        return found


def _inherits_default(job: LMap, key: str) -> bool:
    """Whether the job takes `default:`'s `key` (`inherit: default: false` or a list without it opts out)."""
    inherit = job.get("inherit")
    defaults = inherit.get("default", True) if isinstance(inherit, LMap) else True
    return defaults is True or (isinstance(defaults, LSeq) and key in defaults)


def _parents(job: LMap) -> list[str]:
    extends = job.get("extends")
    if isinstance(extends, str):
        return [extends]
    return [str(p) for p in extends if isinstance(p, str)] if isinstance(extends, LSeq) else []


def _containers(job: LMap) -> list[Any]:
    return [v for v in job.values() if isinstance(v, (LMap, LSeq))]


def _referenced(doc: LMap) -> set[str]:
    """Jobs named by a `!reference [job, ...]` anywhere in the pipeline."""
    found: set[str] = set()
    stack: list[Any] = [doc]
    while stack:  # iterative: hostile nesting must not exhaust the stack
        node = stack.pop()
        if isinstance(node, Tagged):
            if node.tag == "!reference" and isinstance(node.value, LSeq) and node.value:
                found.add(str(node.value[0]))
            stack.append(node.value)
        elif isinstance(node, LMap):
            stack.extend(node.values())
        elif isinstance(node, LSeq):
            stack.extend(node)
    return found


def _key_variable(name: str, value: str) -> str | None:
    """The cloud whose key a variable hands the job: a cloud key variable (`AWS_ACCESS_KEY_ID`), or
    one whose name says a cloud key set from another variable (`TF_VAR_aws_secret_key: $KEY`)."""
    if name.upper() in CLOUD_ENV:
        return CLOUD_ENV[name.upper()]
    return key_cloud(name) if _VAR_REF.search(value) else None


def _variable_value(raw: Any) -> Any:
    """A variable's value: `KEY: value` or `KEY: {value: ..., description: ...}`."""
    return raw.get("value") if isinstance(raw, LMap) else raw


def _holds_credential(name: str, value: str) -> bool:
    """A literal secret in a credential-named variable, or a reference to a stored credential."""
    from nhilint.knowledge.credential_names import is_credential_name, is_reference_or_placeholder

    refs = [r for r in _VAR_REF.findall(value) if not _EPHEMERAL.match(r)]
    if any(is_credential_name(r) or r.upper() in CLOUD_ENV for r in refs):
        return True
    named = is_credential_name(name) or name.upper() in CLOUD_ENV
    if not named or _VAR_REF.search(value):
        return named and bool(refs)
    return not is_reference_or_placeholder(value)
