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
from typing import Any

from nhilint.facts import (
    Credential,
    EnvVar,
    Fact,
    Identity,
    Lifetime,
    Loc,
    Rotation,
    StoredSecret,
    Suppression,
    Via,
    Workload,
)
from nhilint.formats import Extraction, Problem, SourceFile
from nhilint.formats.cloudformation.agents import AGENTS, agent_facts, lambda_serving
from nhilint.formats.cloudformation.policies import IDENTITY_TYPES, Policies
from nhilint.formats.cloudformation.values import Resource, branches
from nhilint.formats.walk import string_values
from nhilint.parse import ParseError, TooComplex
from nhilint.parse.tree import LMap, LSeq, Pos

_JSON_KEY = re.compile(r'"([^"\\\n]{1,128})"\s*:')  # the keys of a JSON SecretString, `${...}` or not
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


class Template(Policies):
    """One template's resources, parameters and the facts they make."""

    # --- facts -------------------------------------------------------------------------------

    def facts(self) -> Iterator[Fact]:
        serving = lambda_serving(self)  # Lambdas that Bedrock agents' action groups run
        for resource in self.resources.values():
            yield from self._suppressions(resource)
            if resource.type in IDENTITY_TYPES:
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
                yield from self._workload(resource, serving.get(resource.name, ""))
            elif resource.type in AGENTS:
                yield from agent_facts(self, resource)

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
        kind = IDENTITY_TYPES[resource.type]
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

    def _workload(self, resource: Resource, agent: str) -> Iterator[Fact]:
        props = resource.props
        prop = _WORKLOADS[resource.type]
        label = resource.name
        if prop in props:
            for branch in branches(props[prop]):
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
                        agent=agent,
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
