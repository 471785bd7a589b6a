"""CloudFormation and SAM templates (YAML with short intrinsic tags, or JSON) to facts.

Identities are keyed `<file>#<LogicalId>` (Identity.address, Workload.identity and
PolicyStatement.identity agree); a SAM function without `Role` runs as its generated role
`<file>#<LogicalId>Role`. Intrinsics are read as far as a template says: `Ref` to parameter
defaults (list parameters split), `Fn::Sub`, `Fn::Join`, `Fn::Split`, `Fn::GetAtt`, and both branches of
`Fn::If` (risky if either is). A grant or session length from a parameter default is reported at the
`Default`, the line to edit, with the property that reads it as related.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nhilint.facts import (
    Credential,
    EnvVar,
    Fact,
    Grant,
    Identity,
    Lifetime,
    Loc,
    PolicyStatement,
    Rotation,
    StoredSecret,
    Suppression,
    Via,
    Workload,
)
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.walk import string_values
from nhilint.knowledge import iam_policy
from nhilint.parse import Budget, ParseError, TooComplex
from nhilint.parse.tree import LMap, LSeq, Pos

_MANAGED_POLICY = re.compile(r":iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")
_JSON_KEY = re.compile(r'"([^"\\\n]{1,128})"\s*:')  # the keys of a JSON SecretString, `${...}` or not
_IDENTITY_TYPES = {"AWS::IAM::Role": "aws_iam_role", "AWS::IAM::User": "aws_iam_user"}
# workload type -> property naming the role it runs as
_WORKLOADS = {
    "AWS::Lambda::Function": "Role",
    "AWS::Serverless::Function": "Role",
    "AWS::ECS::TaskDefinition": "TaskRoleArn",
    "AWS::EKS::PodIdentityAssociation": "RoleArn",
}
_POLICY_TYPES = ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy")
_SINGLE_POLICY = {"AWS::IAM::RolePolicy": "RoleName", "AWS::IAM::UserPolicy": "UserName",
                  "AWS::IAM::GroupPolicy": "GroupName"}  # fmt: skip


def parse(file: SourceFile) -> Any:
    if file.rel.endswith(".json") or file.text.lstrip().startswith("{"):
        from nhilint.parse.json import parse_json

        return parse_json(file.text)
    from nhilint.parse.yaml import parse_yaml

    docs = parse_yaml(file.text, tags="cloudformation")
    return docs[0] if docs else None


def _written_values(node: Any, key: str) -> list[tuple[Any, Pos]]:
    """Every value written for `key` in `node`: the one that counts and those a duplicate replaced."""
    if not isinstance(node, LMap):
        return []
    found = [(v, where) for k, v, where in node.shadowed if k == key]
    return found + [(node[key], node.vpos(key))] if key in node else found


def _written(node: LMap, key: str) -> list[tuple[Any, Any]]:
    """The entries of every mapping written for `key` in `node`, duplicates' included."""
    return [
        entry
        for value, _ in _written_values(node, key)
        if isinstance(value, LMap)
        for entry in [*value.items(), *((k, v) for k, v, _ in value.shadowed)]
    ]


def extract(files: list[SourceFile]) -> Extraction:
    (file,) = files
    template = parse(file)
    if not isinstance(template, LMap):
        raise ParseError("a CloudFormation template must be a mapping")
    result = Extraction()
    parameters = template.get("Parameters")
    if isinstance(parameters, LMap):
        for name, spec in parameters.items():
            if isinstance(spec, LMap) and isinstance(spec.get("Default"), str):
                result.facts.extend(
                    string_values(
                        file,
                        spec["Default"],
                        spec.vpos("Default"),
                        "parameter",
                        path=f"Parameters.{name}",
                        key=str(name),
                    )
                )
    resources = template.get("Resources")
    for name, resource in _written(template, "Resources"):  # a duplicate's literals are in the file too
        for properties, where in _written_values(resource, "Properties"):
            result.facts.extend(
                string_values(file, properties, where, "attribute", path=f"{name}", identity=str(name))
            )
    if isinstance(resources, LMap):
        literal = len(result.facts)
        try:
            reader = Template(file, template, resources)
            result.facts.extend(reader.facts())
            result.problems.extend(reader.problems)
        except TooComplex as exc:  # the literals stand; what references resolve to is unknown
            del result.facts[literal:]
            result.problems.append(Problem(file.loc(exc.line, exc.col), exc.reason))
    return result


@dataclass
class Resource:
    name: str
    type: str
    body: LMap
    props: LMap
    key: str  # `<file>#<LogicalId>`
    loc: Loc


class Template:
    """One template's resources, parameters and the facts they make."""

    def __init__(self, file: SourceFile, template: LMap, resources: LMap) -> None:
        self.file = file
        self.budget = Budget(len(file.text))
        self.problems: list[Problem] = []  # unreadable parts (a policy that is not JSON): NHI001
        self._refs: dict[str, list[str]] = {}  # parameter -> its rendered default, rendered once
        self._named: dict[tuple[str, str], dict[str, str]] = {}  # (type, name property) -> name -> key
        params = template.get("Parameters")
        self.params = params if isinstance(params, LMap) else LMap()
        self.resources: dict[str, Resource] = {}
        for name, body in resources.items():
            if isinstance(body, LMap) and isinstance(body.get("Type"), str):
                props = body.get("Properties")
                self.resources[str(name)] = Resource(
                    str(name),
                    body["Type"],
                    body,
                    props if isinstance(props, LMap) else LMap(body.pos),
                    f"{file.rel}#{name}",
                    file.loc(*resources.kpos(name)),
                )

    def at(self, pos: Pos) -> Loc:
        return self.file.loc(*pos)

    def prop_loc(self, resource: Resource, prop: str) -> Loc:
        return self.at(resource.props.kpos(prop)) if prop in resource.props else resource.loc

    # --- values ------------------------------------------------------------------------------

    def render(self, value: Any) -> list[str]:
        """Strings of a value; unresolved intrinsics become `${...}` (unknown to rules).

        The distinct strings only: `Fn::If` chained through parameter defaults doubles the list at
        every level otherwise. Every list made counts against the template's budget."""
        strings = self._render(value)
        if len(strings) > 1:
            strings = list(dict.fromkeys(strings))
        self.budget.spend(len(strings))
        return strings

    def _render(self, value: Any) -> list[str]:
        if isinstance(value, LSeq | list):
            return [s for item in value for s in self.render(item)]
        if isinstance(value, bool):
            return [str(value).lower()]
        if isinstance(value, str | int | float):
            return [str(value)]
        if not isinstance(value, LMap) or len(value) != 1:
            return []
        ((fn, arg),) = value.items()
        if fn == "Ref":
            return self._ref(str(arg))
        if fn == "Fn::If" and isinstance(arg, LSeq) and len(arg) == 3:
            return self.render(arg[1]) + self.render(arg[2])
        if fn == "Fn::Sub":
            return [self._sub(arg)]
        if (
            fn == "Fn::Split"
            and isinstance(arg, LSeq)
            and len(arg) == 2
            and isinstance(arg[0], str)
            and arg[0]
        ):
            return [piece for text in self.render(arg[1]) for piece in _split(text, arg[0])]
        if fn == "Fn::Join" and isinstance(arg, LSeq) and len(arg) == 2 and isinstance(arg[0], str):
            parts = [self.render(p) for p in arg[1]] if isinstance(arg[1], LSeq) else None
            if parts is not None and all(len(p) == 1 for p in parts):
                return [arg[0].join(p[0] for p in parts)]
        if fn == "Fn::GetAtt":
            return [
                "${" + ".".join(str(a) for a in arg) + "}" if isinstance(arg, LSeq) else "${" + str(arg) + "}"
            ]
        return ["${" + str(fn) + "}"]

    def _ref(self, name: str) -> list[str]:
        if name == "AWS::NoValue":
            return []
        spec = self.params.get(name)
        if not isinstance(spec, LMap) or "Default" not in spec:
            return ["${" + name + "}"]
        if name not in self._refs:
            self._refs[name] = ["${" + name + "}"]  # a default that refers to itself is unknown
            default = self.render(spec["Default"])
            kind = spec.get("Type")
            if isinstance(kind, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
                default = [item.strip() for text in default for item in _split(text, ",")]
            self._refs[name] = default
        return self._refs[name]

    def _default_of(self, value: Any, text: str) -> tuple[str, Loc] | None:
        """The parameter whose literal `Default` gave a rendered text of a value, and where that
        default is written: the line to edit (a deployer may override it, but it is what deploys)."""
        for name in dict.fromkeys(self._parameters(value)):
            spec = self.params.get(name)
            if not isinstance(spec, LMap) or "Default" not in spec or not text:
                continue
            # a number is its default only when equal; an ARN may embed its default or be one of a list
            if any(
                d == text or (d and "${" not in d and not text.isdigit() and (d in text or text in d))
                for d in self._ref(name)
            ):
                return name, self.at(spec.vpos("Default"))
        return None

    def _sub(self, arg: Any) -> str:
        text, variables = (
            (arg, LMap())
            if isinstance(arg, str)
            else (arg[0], arg[1])
            if (
                isinstance(arg, LSeq)
                and len(arg) == 2
                and isinstance(arg[0], str)
                and isinstance(arg[1], LMap)
            )
            else ("${Fn::Sub}", LMap())
        )

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            found = self.render(variables[name]) if name in variables else self._ref(name)
            return found[0] if len(found) == 1 else match.group(0)

        return _SUB_VAR.sub(replace, text)

    def target(
        self, value: Any, identity_type: str = "AWS::IAM::Role", name_prop: str = "RoleName"
    ) -> str | None:
        """The key of the resource a value points at (`!Ref`, `!GetAtt X.Arn`, `!Sub ${X.Arn}`,
        a literal name or ARN of a resource in the template), else the value's text."""
        logical = _logical_id(value)
        if logical in self.resources:
            return self.resources[logical].key
        texts = self.render(value)
        if len(texts) != 1 or not texts[0]:
            return None
        text = texts[0]
        name = text.rsplit("/", 1)[-1] if text.startswith("arn:") else text
        return self._by_name(identity_type, name_prop).get(name, text)

    def _by_name(self, identity_type: str, name_prop: str) -> dict[str, str]:
        """Keys of the resources of a type by their (single) rendered name, indexed once."""
        key = (identity_type, name_prop)
        if key not in self._named:
            index: dict[str, str] = {}
            for resource in self.resources.values():
                if resource.type == identity_type:
                    names = self.render(resource.props.get(name_prop))
                    if len(names) == 1:
                        index.setdefault(names[0], resource.key)
            self._named[key] = index
        return self._named[key]

    # --- facts -------------------------------------------------------------------------------

    def facts(self) -> Iterator[Fact]:
        for resource in self.resources.values():
            yield from self._suppressions(resource)
            if resource.type in _IDENTITY_TYPES:
                yield from self._identity(resource)
            elif resource.type in _POLICY_TYPES:
                yield from self._managed_policy(resource)
            elif resource.type in _SINGLE_POLICY:
                owner = self.target(resource.props.get(_SINGLE_POLICY[resource.type]))
                yield from self._document(resource, "PolicyDocument", "identity", owner, resource.name)
            elif resource.type == "AWS::IAM::Group":
                yield from self._policies(resource, resource.key)
            elif resource.type == "AWS::IAM::AccessKey":
                yield Credential(
                    loc=resource.loc,
                    kind="aws_access_key",
                    resource_type=resource.type,
                    identity=self.target(resource.props.get("UserName"), "AWS::IAM::User", "UserName"),
                    name=resource.name,
                )
            elif resource.type == "AWS::IAM::InstanceProfile":
                yield from self._instance_profile(resource)
            elif resource.type == "AWS::SecretsManager::Secret":
                yield self._stored_secret(resource)
            elif resource.type == "AWS::SecretsManager::RotationSchedule":
                yield Rotation(
                    loc=self.prop_loc(resource, "SecretId"),
                    secret=self.target(resource.props.get("SecretId"), "AWS::SecretsManager::Secret", "Name")
                    or "",
                )
            if resource.type in _WORKLOADS:
                yield from self._workload(resource)

    def _stored_secret(self, resource: Resource) -> StoredSecret:
        """A Secrets Manager secret: `GenerateSecretString` mints a password; the keys of a JSON
        `SecretString` say what it holds (NHI304)."""
        props = resource.props
        name, description = self.render(props.get("Name")), self.render(props.get("Description"))
        keys = [k for text in self.render(props.get("SecretString")) for k in _JSON_KEY.findall(text)]
        return StoredSecret(
            loc=resource.loc,
            address=resource.key,
            name=name[0] if len(name) == 1 else "",
            description=description[0] if len(description) == 1 else "",
            value_keys=list(dict.fromkeys(keys)),
            generated="GenerateSecretString" if isinstance(props.get("GenerateSecretString"), LMap) else "",
        )

    def _identity(self, resource: Resource) -> Iterator[Fact]:
        props = resource.props
        kind = _IDENTITY_TYPES[resource.type]
        name_prop = "RoleName" if kind == "aws_iam_role" else "UserName"
        names = self.render(props.get(name_prop))
        tags, tag_locs, known = self._tags(props)
        deployed = {key for key, value in self._tag_values(props) if self._from_parameter(value)}
        known_name = len(names) == 1 and names[0] and "${" not in names[0]
        yield Identity(
            loc=resource.loc,
            kind=kind,
            name=names[0] if known_name else resource.name,
            provider="aws",
            address=resource.key,
            tags={k: v for k, v in tags.items() if k not in deployed},
            tag_locs=tag_locs,
            tags_loc=self.prop_loc(resource, "Tags"),
            tags_known=known,
            tags_open=bool(deployed),
        )
        yield from self._session_duration(resource)
        if kind == "aws_iam_role":
            yield from self._document(
                resource, "AssumeRolePolicyDocument", "trust", resource.key, f"{resource.name} trust"
            )
        if "LoginProfile" in props:
            yield Credential(
                loc=self.prop_loc(resource, "LoginProfile"),
                kind="aws_login_profile",
                resource_type=resource.type,
                identity=resource.key,
                name=resource.name,
            )
        yield from self._policies(resource, resource.key)
        yield from self._managed_arns(resource, resource.key, "role" if kind == "aws_iam_role" else "user")

    def _session_duration(self, resource: Resource) -> Iterator[Lifetime]:
        """`MaxSessionDuration`, literal or from a parameter's default (reported at the default)."""
        duration = resource.props.get("MaxSessionDuration")
        written = self.prop_loc(resource, "MaxSessionDuration")
        for text in self.render(duration) if not isinstance(duration, bool) else []:
            if not (text.isdigit() and len(text) <= 12):
                continue
            found = self._default_of(duration, text)
            yield Lifetime(
                loc=found[1] if found else written,
                setting="MaxSessionDuration",
                seconds=int(text),
                identity=resource.key,
                platform="aws",
                origin=f"parameter {found[0]}'s default" if found else "",
                via=[Via(written, f"{resource.name} reads parameter {found[0]} here")] if found else [],
            )

    def _tags(self, props: LMap) -> tuple[dict[str, str], dict[str, Loc], bool]:
        tags: dict[str, str] = {}
        locs: dict[str, Loc] = {}
        raw = props.get("Tags")
        if raw is None:
            return tags, locs, True
        if not isinstance(raw, LSeq):
            return tags, locs, False
        for item in raw:
            if not isinstance(item, LMap) or not isinstance(item.get("Key"), str):
                return tags, locs, False  # a conditional or computed tag: unknown
            value = self.render(item.get("Value"))
            tags[item["Key"]] = value[0] if len(value) == 1 else ""
            locs[item["Key"]] = self.at(item.kpos("Key"))
        return tags, locs, True

    @staticmethod
    def _tag_values(props: LMap) -> Iterator[tuple[str, Any]]:
        raw = props.get("Tags")
        for item in raw if isinstance(raw, LSeq) else ():
            if isinstance(item, LMap) and isinstance(item.get("Key"), str):
                yield item["Key"], item.get("Value")

    def _from_parameter(self, value: Any) -> bool:
        """Whether a value reads a template parameter (`Ref`, `Fn::Sub` "${Param}"): the deployer
        sets it, whatever its `Default` says, so the tag's value is not known here."""
        return next(self._parameters(value), None) is not None

    def _parameters(self, value: Any) -> Iterator[str]:
        """The template parameters a value reads (`Ref`, `Fn::Sub` "${Param}"), at any depth."""
        if isinstance(value, LSeq):
            for item in value:
                yield from self._parameters(item)
        if not isinstance(value, LMap):
            return
        for fn, arg in value.items():
            if fn == "Ref" and isinstance(arg, str) and arg in self.params:
                yield arg
            text = (arg[0] if isinstance(arg, LSeq) and arg else arg) if fn == "Fn::Sub" else None
            if isinstance(text, str):
                yield from (name for name in _SUB_VAR.findall(text) if name in self.params)
            yield from self._parameters(arg)

    def _policies(self, resource: Resource, identity: str | None) -> Iterator[Fact]:
        """`Policies: [{PolicyName, PolicyDocument}]`; SAM also allows managed names and bare documents."""
        raw = resource.props.get("Policies")
        sam = resource.type == "AWS::Serverless::Function"
        items = (
            [(v, raw.ipos(i)) for i, v in enumerate(raw)]
            if isinstance(raw, LSeq)
            else ([(raw, resource.props.vpos("Policies"))] if raw is not None else [])
        )
        for item, pos in items:
            for branch in _branches(item):
                if isinstance(branch, LMap) and "PolicyDocument" in branch:
                    policy = self.render(branch.get("PolicyName"))
                    label = f"{resource.name}/{policy[0]}" if len(policy) == 1 else resource.name
                    document, at = branch["PolicyDocument"], branch.vpos("PolicyDocument")
                    yield from self._statements(document, "identity", identity, label, at)
                elif sam and isinstance(branch, LMap) and any(str(k).lower() == "statement" for k in branch):
                    yield from self._statements(branch, "identity", identity, resource.name)
                elif sam:
                    yield from self._grant(branch, self.at(pos), identity, "role")

    def _document(
        self, resource: Resource, prop: str, kind: str, identity: str | None, policy: str
    ) -> Iterator[PolicyStatement]:
        if prop in resource.props:
            yield from self._statements(
                resource.props[prop], kind, identity, policy, resource.props.vpos(prop)
            )

    def _statements(
        self, document: Any, kind: str, identity: str | None, policy: str, at: Pos | None = None
    ) -> Iterator[PolicyStatement]:
        for branch in _branches(document):
            if isinstance(branch, str):  # a JSON string (rare, but allowed)
                try:
                    branch = iam_policy.json_document(branch, 1)
                except ParseError as exc:  # unreadable, not absent: NHI001 at the document
                    self.problems.append(Problem(self.at(at or Pos(1)), exc.reason))
                    continue
            if isinstance(branch, LMap):
                yield from iam_policy.statements(
                    _expand_statements(branch),
                    self.at,
                    self.render,
                    policy_kind=kind,
                    identity=identity,
                    policy=policy,
                )

    def _managed_policy(self, resource: Resource) -> Iterator[Fact]:
        props = resource.props
        owners: list[str | None] = []
        for prop, type_, name_prop in (
            ("Roles", "AWS::IAM::Role", "RoleName"),
            ("Users", "AWS::IAM::User", "UserName"),
            ("Groups", "AWS::IAM::Group", "GroupName"),
        ):
            raw = props.get(prop)
            for item in raw if isinstance(raw, LSeq) else []:
                owners.append(self.target(item, type_, name_prop))
        # a ManagedPolicy also reaches the identities that list it in ManagedPolicyArns
        for other in self.resources.values():
            arns = other.props.get("ManagedPolicyArns")
            if (
                other.type in _IDENTITY_TYPES
                and isinstance(arns, LSeq)
                and any(_logical_id(a) == resource.name for a in arns)
            ):
                owners.append(other.key)
        for owner in owners or [None]:
            yield from self._document(resource, "PolicyDocument", "identity", owner, resource.name)

    def _managed_arns(self, resource: Resource, identity: str, kind: str) -> Iterator[Fact]:
        """Each item of `ManagedPolicyArns`, or the whole value when it makes the list itself
        (`!Split [",", !Ref Param]`, `!Ref` of a list parameter)."""
        raw = resource.props.get("ManagedPolicyArns")
        if isinstance(raw, LSeq):
            for i, item in enumerate(raw):
                yield from self._grant(item, self.at(raw.ipos(i)), identity, kind)
        elif raw is not None:
            yield from self._grant(raw, self.at(resource.props.vpos("ManagedPolicyArns")), identity, kind)

    def _grant(self, value: Any, loc: Loc, identity: str | None, kind: str) -> Iterator[Fact]:
        """An AWS managed policy, by ARN or (SAM) by bare name."""
        for text in self.render(value):
            match = _MANAGED_POLICY.search(text)
            role = match.group(1) if match else text if re.fullmatch(r"[A-Za-z][\w+=,.@-]*", text) else None
            if role and identity:
                declared = next((r for r in self.resources.values() if r.key == identity), None)
                names = self.render(declared.props.get("RoleName")) if declared else []
                grantee = (
                    names[0]
                    if len(names) == 1 and names[0] and "${" not in names[0]
                    else identity.rsplit("#", 1)[-1]
                )
                found = self._default_of(value, text)
                yield Grant(
                    loc=found[1] if found else loc,
                    platform="aws",
                    role=role,
                    grantee=grantee,
                    grantee_kind=kind,
                    scope="account",
                    identity=identity,
                    via=[Via(loc, f"{grantee} reads parameter {found[0]} here")] if found else [],
                    origin=f"parameter {found[0]}'s default" if found else "",
                )

    def _instance_profile(self, resource: Resource) -> Iterator[Fact]:
        roles = resource.props.get("Roles")
        for item in roles if isinstance(roles, LSeq) else []:
            role = self.target(item)
            if role:
                yield Workload(
                    loc=resource.loc,
                    kind="instance_profile",
                    name=resource.name,
                    platform="aws",
                    identity=role,
                    identity_loc=self.prop_loc(resource, "Roles"),
                    token_mounted=None,
                )

    def _workload(self, resource: Resource) -> Iterator[Fact]:
        props = resource.props
        prop = _WORKLOADS[resource.type]
        label = resource.name
        if prop in props:
            for branch in _branches(props[prop]):
                role = self.target(branch)
                if role:
                    yield Workload(
                        loc=resource.loc,
                        kind=resource.type,
                        name=label,
                        platform="aws",
                        identity=role,
                        identity_loc=self.prop_loc(resource, prop),
                        token_mounted=None,
                    )
        if resource.type == "AWS::Serverless::Function":
            implicit = f"{resource.key}Role" if prop not in props else self.target(props[prop])
            yield from self._policies(resource, implicit)
        yield from self._env(resource, label)

    def _env(self, resource: Resource, label: str) -> Iterator[Fact]:
        environment = resource.props.get("Environment")
        variables = environment.get("Variables") if isinstance(environment, LMap) else None
        if isinstance(variables, LMap):
            for key, value in variables.items():
                if isinstance(value, str):
                    yield EnvVar(loc=self.at(variables.kpos(key)), name=str(key), value=value, workload=label)
        containers = resource.props.get("ContainerDefinitions")
        for container in containers if isinstance(containers, LSeq) else []:
            env = container.get("Environment") if isinstance(container, LMap) else None
            for item in env if isinstance(env, LSeq) else []:
                if (
                    isinstance(item, LMap)
                    and isinstance(item.get("Name"), str)
                    and isinstance(item.get("Value"), str)
                ):
                    name = container.get("Name")
                    yield EnvVar(
                        loc=self.at(item.kpos("Value")),
                        name=item["Name"],
                        value=item["Value"],
                        workload=f"{label}/{name}" if isinstance(name, str) else label,
                    )

    def _suppressions(self, resource: Resource) -> Iterator[Fact]:
        """`Metadata: {nhilint: {ignore: [{id, reason, expires}]}}` covers the resource's lines."""
        metadata = resource.body.get("Metadata")
        config = metadata.get("nhilint") if isinstance(metadata, LMap) else None
        ignores = config.get("ignore") if isinstance(config, LMap) else None
        if not isinstance(ignores, LSeq):
            return
        for i, item in enumerate(ignores):
            rule_ids = item.get("id") if isinstance(item, LMap) else item
            ids = (
                [rule_ids] if isinstance(rule_ids, str) else [r for r in rule_ids or [] if isinstance(r, str)]
            )
            reason = item.get("reason") if isinstance(item, LMap) else None
            expires = item.get("expires") if isinstance(item, LMap) else None
            yield Suppression(
                loc=self.at(ignores.ipos(i)),
                rules=ids,
                reason=reason if isinstance(reason, str) else "",
                expires=str(expires) if expires is not None else None,
                start_line=resource.loc.line,
                end_line=resource.body.end_line,
            )


def _split(text: str, separator: str) -> list[str]:
    """`Fn::Split` of a rendered text, never inside an unresolved `${...}` (`${AWS::Partition}`)."""
    pieces = [""]
    for part in re.split(r"(\$\{[^}]*\})", text):
        if part.startswith("${"):
            pieces[-1] += part
        else:
            first, *rest = part.split(separator)
            pieces[-1] += first
            pieces.extend(rest)
    return pieces


def _logical_id(value: Any) -> str | None:
    """The resource a `Ref`, `Fn::GetAtt` or `Fn::Sub "${X.Arn}"` names."""
    if not isinstance(value, LMap) or len(value) != 1:
        return None
    ((fn, arg),) = value.items()
    if fn == "Ref" and isinstance(arg, str):
        return arg
    if fn == "Fn::GetAtt":
        parts = arg if isinstance(arg, LSeq) else str(arg).split(".")
        return str(parts[0]) if parts else None
    if fn == "Fn::Sub" and isinstance(arg, str):
        match = re.fullmatch(r"\$\{([\w]+)(?:\.\w+)?\}", arg.strip())
        return match.group(1) if match else None
    return None


def _branches(value: Any) -> list[Any]:
    """Both branches of an `Fn::If` (recursively), else the value itself."""
    if isinstance(value, LMap) and len(value) == 1 and "Fn::If" in value:
        arg = value["Fn::If"]
        if isinstance(arg, LSeq) and len(arg) == 3:
            return _branches(arg[1]) + _branches(arg[2])
        return []
    if isinstance(value, LMap) and value.get("Ref") == "AWS::NoValue":
        return []
    return [value]


def _expand_statements(document: LMap) -> LMap:
    """The document with each `Fn::If` statement replaced by its branches (positions kept)."""
    key = next((k for k in document if str(k).lower() == "statement"), None)
    body = document.get(key) if key is not None else None
    if not isinstance(body, LSeq) or not any(isinstance(s, LMap) and "Fn::If" in s for s in body):
        return document
    statements = LSeq(body.pos, body.end_line)
    for i, item in enumerate(body):
        for branch in _branches(item):
            statements.push(branch, branch.pos if isinstance(branch, LMap) else body.ipos(i))
    out = LMap(document.pos, document.end_line)
    for k, v in document.items():
        out.put(k, statements if k == key else v, document.kpos(k), document.vpos(k))
    return out
