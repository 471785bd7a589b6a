"""Azure Pipelines files to facts.

Besides the StringValues every format emits (NHI101), a pipeline (or a template of stages, jobs,
steps or variables) yields how each job reaches a cloud (`CiAuth`): tasks through a service
connection, `addSpnToEnvironment` scripts that read the connection's secret, cloud keys in
`variables:` and step `env:`, key files from secure files, and shell lines that log in with a key;
and every secret variable or variable group it reads, and what for (`CiSecretUse`).

A secret is any `$(name)`, `${{ variables.name }}` or `$[variables.name]` the file does not define
itself: Azure keeps secret variables and variable groups outside the YAML. Predefined variables
(`System.AccessToken`, the job's own scoped token, `Build.*`...) are not secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from nhilint.facts import CiAuth, CiSecretUse, Fact, StringValue
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.base import Skipped, single_mapping
from nhilint.formats.ci_scripts import line_usage, logical_lines, script_lines, shell_auth
from nhilint.formats.walk import string_values, strings
from nhilint.knowledge.ci_credentials import CLOUD_ENV, key_cloud
from nhilint.knowledge.credential_names import is_reference_or_placeholder
from nhilint.parse import ParseError
from nhilint.parse.tree import LMap, LSeq, Pos

CI = "azure"
_MACRO = re.compile(r"\$\(\s*([A-Za-z_][\w.\-]*)\s*\)")
_EXPR_VAR = re.compile(r"\bvariables(?:\.([A-Za-z_][\w.\-]*)|\[\s*'([^']+)'\s*\])")
_EXPR = re.compile(r"\$\{\{(.*?)\}\}|\$\[(.*?)\]", re.S)
_PREDEFINED = re.compile(
    r"^(?:system|build|agent|pipeline|release|environment|strategy|resources|deployment|checks|"
    r"tf_build)(?:\.|$)",
    re.I,
)
_SET_VARIABLE = re.compile(r"task\.setvariable\s+variable=([\w.\-]+)", re.I)
_SCRIPT_STEPS = ("script", "bash", "pwsh", "powershell")
_SCRIPT_INPUTS = ("inlinescript", "script", "inline")  # task inputs holding script text (lower case)
# The inputs that name a task's service connection (aliases included).
_CONNECTIONS = (
    "azuresubscription", "connectedservicenamearm", "azureresourcemanagerconnection", "connectedservicename",
    "awscredentials", "gcpserviceconnection", "backendservicearm", "environmentservicenamearm",
)  # fmt: skip
# A connection's name is all the YAML says of it: these words say workload identity federation.
_FEDERATED_NAME = re.compile(r"oidc|wif(?![a-z])|federat|workload[\W_]*identity", re.I)
_DEVOPS_LOGIN = re.compile(r"\baz\s+devops\s+login\b|AZURE_DEVOPS_EXT_PAT", re.I)
_SPN_KEY = re.compile(r"servicePrincipalKey", re.I)
_ID_TOKEN = re.compile(r"\bidToken\b")
_ROLE_ARN = re.compile(r"--role-arn[\s=]+[\"']?(arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+)")
_GCLOUD_KEY_LOGIN = re.compile(
    r"\bauth\s+activate-service-account\b|--key-file[\s=]+\S*\.secureFilePath\b", re.I
)
_STEPS_DEPTH = 6  # where a deployment job's `strategy:` keeps its steps


def parse(file: SourceFile) -> LMap:
    return single_mapping(file, "an Azure pipeline")


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    try:
        doc = parse(file)
    except ParseError as exc:
        from nhilint.formats.kubernetes import helm_template

        if helm_template.syntax_at(file.text, exc.line):  # a starter template: `- {{ branch }}`
            return helm_template.extract(files)
        return Extraction(problems=[Problem(file.loc(exc.line, exc.col), exc.reason)])
    facts: list[Fact] = list(string_values(file, doc, doc.pos, "ci-variable", identity=file.rel))
    facts += _Pipeline(file, doc).facts()
    unread = any("@" in path or "$" in path for path in _template_references(doc))
    return Extraction(facts=facts, skipped=[Skipped(file.rel, UNREAD_TEMPLATES)] if unread else [])


def template_paths(file: SourceFile) -> list[str]:
    """Local paths of the templates a file references (not `x.yml@repository`, not expressions);
    `x.yml@self` is this repository's, from its root."""
    return [path for path in _template_references(parse(file)) if "@" not in path and "$" not in path]


def _template_references(doc: LMap) -> list[str]:
    """Every `template:` reference, `@self` turned into a path from the repository root."""
    found = []
    for key, value, _, _ in strings(doc, doc.pos):
        if key == "template" and value.strip():
            path, at, repository = value.strip().rpartition("@")
            found.append("/" + path.lstrip("/") if at and repository.strip() == "self" else value.strip())
    return found


# The pipeline itself is judged; what its templates hold is not, and the summary must say so.
UNREAD_TEMPLATES = "templates not read: another repository's (`x.yml@repo`) or a path from an expression"


def flat(seq: Any) -> Iterator[tuple[LMap, Pos]]:
    """Items of a list of stages, jobs, steps or variables, with the lists of `${{ if }}:` /
    `${{ each }}:` insertions opened (the scan sees every branch)."""
    if not isinstance(seq, LSeq):
        return
    stack = [(seq, i) for i in reversed(range(len(seq)))]
    while stack:
        parent, i = stack.pop()
        item = parent[i]
        if not isinstance(item, LMap):
            continue
        inserted = [v for k, v in item.items() if str(k).startswith("${{") and isinstance(v, LSeq)]
        if inserted:
            for inner in reversed(inserted):
                stack += [(inner, j) for j in reversed(range(len(inner)))]
        else:
            yield item, parent.ipos(i)


def macro_names(text: str) -> list[str]:
    """Variables a string reads: `$(x)`, and `variables.x` / `variables['x']` in expressions."""
    names = _MACRO.findall(text)
    for match in _EXPR.finditer(text):
        names += [a or b for a, b in _EXPR_VAR.findall(match.group(1) or match.group(2) or "")]
    return names


class _Pipeline:
    def __init__(self, file: SourceFile, doc: LMap) -> None:
        self.file, self.doc = file, doc
        # variables the file defines itself (plain configuration, or set at run time by a step)
        self.defined = {str(n).lower() for n in _SET_VARIABLE.findall(file.text)}
        self.step_names: set[str] = set()  # `name:` of steps: `$(step.output)` is an output variable
        for key, value, _, _ in strings(doc, doc.pos):
            if key == "name" and isinstance(value, str):
                self.step_names.add(value.lower())
        self.key_files: set[str] = set()  # `name:` of DownloadSecureFile steps that fetch a cloud key
        self.defined |= _defined_variables(doc)

    def facts(self) -> Iterator[Fact]:
        doc = self.doc
        yield from self.variables(doc.get("variables"), "")
        yield from self.template_call(
            doc.get("extends"), doc.kpos("extends") if "extends" in doc else doc.pos, ""
        )
        for stage, _ in flat(doc.get("stages")):
            yield from self.variables(stage.get("variables"), "")
            yield from self.template_call(stage, stage.pos, "")
            yield from self.jobs(stage.get("jobs"), str(stage.get("stage") or ""))
        yield from self.jobs(doc.get("jobs"))
        if isinstance(doc.get("steps"), LSeq):
            yield from self.steps(doc["steps"], "")

    def jobs(self, jobs: Any, stage: str = "") -> Iterator[Fact]:
        for job, _ in flat(jobs):
            name = str(job.get("job") or job.get("deployment") or "")
            name = f"{stage}.{name}" if stage and name else name  # job names are unique per stage only
            yield from self.variables(job.get("variables"), name)
            yield from self.template_call(job, job.pos, name)
            for steps in _steps_lists(job):
                yield from self.steps(steps, name)

    # --- variables -------------------------------------------------------------------------------

    def variables(self, node: Any, job: str) -> Iterator[Fact]:
        """`variables:` as a mapping or a list (`name`/`value`, `group`, `template`)."""
        pairs: list[tuple[str, Any, Pos, Pos]] = []
        if isinstance(node, LMap):
            pairs = [(str(k), v, node.kpos(k), node.vpos(k)) for k, v in node.items()]
        for item, pos in flat(node):
            if isinstance(item.get("group"), str) and "$" not in item["group"]:  # not a parameter's
                yield CiSecretUse(
                    loc=self.file.loc(*item.vpos("group")), ci=CI, secret=item["group"],
                    workflow=self.file.rel, job=job, usage="variable-group",
                )  # fmt: skip
            elif "name" in item:
                pairs.append((str(item["name"]), item.get("value"), item.kpos("name"), item.vpos("value")))
            else:
                yield from self.template_call(item, pos, job)
        for name, value, kpos, vpos in pairs:
            self.defined.add(name.lower())
            text = value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) else ""
            yield from self.key_variable(name, text, kpos, job, f"`variables.{name}`")
            yield from self.uses(text, vpos, job, "env")

    def key_variable(self, name: str, value: str, pos: Pos, job: str, where: str) -> Iterator[CiAuth]:
        """A variable or env entry whose name says a cloud key, given a value (a literal or a secret).
        Non-secret pipeline variables reach every script's environment under their own name."""
        cloud = CLOUD_ENV.get(name.upper().replace(".", "_")) or key_cloud(name)
        if not cloud or not value.strip():
            return
        if name.upper() == "GOOGLE_APPLICATION_CREDENTIALS":
            if not any(n.lower().endswith(".securefilepath") for n in macro_names(value)):
                return  # a path: a key file and a federation config look the same
            yield self.auth("gcp", pos, job, f"{where}, a key file from secure files")
            return
        if not macro_names(value) and "parameters." not in value and is_reference_or_placeholder(value):
            return
        yield self.auth(cloud, pos, job, where, value)

    # --- templates --------------------------------------------------------------------------------

    def template_call(self, node: Any, pos: Pos, job: str) -> Iterator[Fact]:
        """`template:` + `parameters:` (an include or `extends`): parameters whose name says a cloud
        key given a value, and the secrets the parameters read."""
        if not isinstance(node, LMap) or not isinstance(node.get("template"), str):
            return
        params = node.get("parameters")
        for key, text, where, _ in strings(params, node.vpos("parameters") if "parameters" in node else pos):
            detail = f"parameter `{key}` of template `{node['template']}`"
            yield from self.key_variable(key, text, where, job, detail)
            yield from self.uses(text, where, job, "with")

    # --- steps ------------------------------------------------------------------------------------

    def steps(self, steps: LSeq, job: str) -> Iterator[Fact]:
        for step, pos in flat(steps):
            if isinstance(step.get("template"), str):
                yield from self.template_call(step, pos, job)
                continue
            yield from self.step(step, job)

    def step(self, step: LMap, job: str) -> Iterator[Fact]:
        env = step.get("env")
        if isinstance(env, LMap):
            for key, value in env.items():
                if isinstance(value, str):
                    yield from self.key_variable(str(key), value, env.kpos(key), job, f"`env.{key}`")
                    usage = "az-devops" if _DEVOPS_LOGIN.search(str(key)) else _env_usage(str(key))
                    yield from self.uses(value, env.vpos(key), job, usage)
        for key in _SCRIPT_STEPS:
            if isinstance(step.get(key), str):
                yield from self.script(step[key], step.vpos(key), job)
        task = step.get("task")
        if isinstance(task, str):
            yield from self.task(task, step, job)
        for key in step:
            if key not in ("env", "inputs", *_SCRIPT_STEPS):
                for _, text, where, _ in strings(step[key], step.vpos(key)):
                    yield from self.uses(text, where, job, "other")

    def task(self, task: str, step: LMap, job: str) -> Iterator[Fact]:
        name = task.split("@", 1)[0].strip().lower()
        inputs = step.get("inputs")
        if not isinstance(inputs, LMap):
            inputs = LMap(step.pos)
        given = {str(k).lower(): k for k in inputs}
        cloud = (
            "aws" if name.startswith(("aws", "s3", "lambda", "ecr", "beanstalk", "cloudformation")) else ""
        )
        cloud = cloud or ("gcp" if name.startswith(("gcp", "gcloud", "google")) else "azure")
        connection = next((given[c] for c in _CONNECTIONS if c in given), None)
        if connection is not None and isinstance(inputs[connection], str):
            method = "federated" if _FEDERATED_NAME.search(inputs[connection]) else "service-connection"
            detail = f"service connection `{inputs[connection]}` of `{task}`"
            yield self.auth(cloud, inputs.kpos(connection), job, detail, method=method)
        script = " ".join(str(inputs[given[k]]) for k in _SCRIPT_INPUTS if k in given)
        spn = given.get("addspntoenvironment")
        if spn is not None and str(inputs[spn]).strip().lower() == "true":
            if _SPN_KEY.search(script):
                detail = f"`addSpnToEnvironment: true` and `$servicePrincipalKey` in the script of `{task}`"
                yield self.auth("azure", inputs.kpos(spn), job, detail)
            elif _ID_TOKEN.search(script):
                yield self.auth(
                    "azure", inputs.kpos(spn), job, "`idToken` of the connection", method="federated"
                )
        if name == "downloadsecurefile" and isinstance(inputs.get("secureFile"), str):
            stem = inputs["secureFile"].rsplit(".", 1)[0]
            found = key_cloud(stem)
            if isinstance(step.get("name"), str) and found:
                self.key_files.add(step["name"].lower())
            if found:
                yield self.auth(
                    found, inputs.vpos("secureFile"), job, f"secure file `{inputs['secureFile']}`"
                )
        words = " ".join(v for v in inputs.values() if isinstance(v, str))
        if _GCLOUD_KEY_LOGIN.search(words):  # a gcloud runner task: `command` + `arguments`
            yield self.auth("gcp", step.pos, job, f"`auth activate-service-account` of `{task}`")
        for key, value in inputs.items():
            lower = str(key).lower()
            if lower in _SCRIPT_INPUTS and isinstance(value, str):
                yield from self.script(value, inputs.vpos(key), job)
            elif isinstance(value, str) and lower not in _CONNECTIONS and macro_names(value):
                yield from self.key_variable(
                    str(key), value, inputs.kpos(key), job, f"input `{key}` of `{task}`"
                )
            if lower not in _SCRIPT_INPUTS:
                for _, text, where, _ in strings(value, inputs.vpos(key)):
                    yield from self.uses(text, where, job, "with")

    def script(self, text: str, pos: Pos, job: str) -> Iterator[Fact]:
        lines = list(script_lines(self.file, text, pos))
        for line, number in logical_lines(lines):
            shell = _MACRO.sub(lambda m: "$" + m.group(1).replace(".", "_"), line)  # macros are values
            where = Pos(number, 1)
            for cloud, _, detail in shell_auth(shell):
                yield self.auth(cloud, where, job, detail)
            for arn in _ROLE_ARN.findall(line):  # the role a federated job assumes: the inventory links it
                yield StringValue(
                    loc=self.file.loc(*where), key="role-to-assume", value=arn,
                    path=f"{job or 'steps'}.script", identity=self.file.rel, context="ci-variable",
                )  # fmt: skip
            for name in _MACRO.findall(line):
                if name.lower().endswith(".securefilepath") and "--key-file" in line:
                    yield self.auth("gcp", where, job, "a key file from secure files")
                elif self.secret(name) and key_cloud(name):
                    yield self.auth(key_cloud(name) or "", where, job, f"`$({name})` in a script", line)
            usage = "az-devops" if _DEVOPS_LOGIN.search(line) else line_usage(line)
            yield from self.uses(line, where, job, usage)

    # --- facts ------------------------------------------------------------------------------------

    def secret(self, name: str) -> bool:
        lower = name.lower()
        if _PREDEFINED.match(name) or lower in self.defined or lower.startswith("parameters."):
            return False
        return not ("." in lower and lower.split(".", 1)[0] in self.step_names | self.key_files)

    def uses(self, text: str, pos: Pos, job: str, usage: str) -> Iterator[CiSecretUse]:
        for name in macro_names(text):
            if self.secret(name):
                yield CiSecretUse(
                    loc=self.file.loc(*pos), ci=CI, secret=name, workflow=self.file.rel, job=job, usage=usage
                )

    def auth(
        self, cloud: str, pos: Pos, job: str, detail: str, value: str = "", method: str = "static"
    ) -> CiAuth:
        secrets = [n for n in macro_names(value) if self.secret(n)]
        return CiAuth(
            loc=self.file.loc(*pos),
            ci=CI,
            cloud=cloud,
            method=method,
            job=job,
            detail=detail,
            secrets=secrets,
        )


def _env_usage(key: str) -> str:
    return "gh" if key.upper() in ("GH_TOKEN", "GITHUB_TOKEN") else "env"


def _steps_lists(job: LMap) -> Iterator[LSeq]:
    """A job's `steps:`, and those of a deployment job's `strategy:` hooks (`deploy:`, `preDeploy:`,
    `on: failure:`...)."""
    stack: list[tuple[Any, int]] = [(job, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, LMap) or depth > _STEPS_DEPTH:
            continue
        for key, value in node.items():
            if key == "steps" and isinstance(value, LSeq):
                yield value
            elif key in ("strategy", "runOnce", "rolling", "canary", "on", True, "failure", "success") or (
                isinstance(key, str) and key in ("preDeploy", "deploy", "routeTraffic", "postRouteTraffic")
            ):
                stack.append((value, depth + 1))


def _defined_variables(doc: LMap) -> set[str]:
    """Names every `variables:` of the file defines (mapping keys, list items' `name`), lower case."""
    names: set[str] = set()
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, LSeq):
            stack += list(node)
        elif isinstance(node, LMap):
            found = node.get("variables")
            if isinstance(found, LMap):
                names |= {str(k).lower() for k in found if not str(k).startswith("${{")}
            for item, _ in flat(found):
                if isinstance(item.get("name"), str):
                    names.add(item["name"].lower())
            stack += list(node.values())
    return names
