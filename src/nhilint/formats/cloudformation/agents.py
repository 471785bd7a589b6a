"""CloudFormation AI agents (issue 21, docs/ai-agents.md): an `AWS::Bedrock::Agent` or
`AWS::BedrockAgentCore::Runtime` is an `Identity` of kind `ai-agent` linked to the role it runs as,
and a `Workload` on that role named for messages (`Workload.agent`); the Lambda functions of an
agent's `ActionGroups` act for it (`lambda_serving`). An `AWS::Bedrock::AgentAlias` only points at a
version of an agent: nothing of its own."""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.facts import EnvVar, Fact, Identity, Workload
from nhilint.formats.cloudformation.values import Resource, Values, branches, logical_id
from nhilint.parse.tree import LMap, LSeq

# agent resource type -> (property naming its role, property naming the agent, what it is called)
AGENTS = {
    "AWS::Bedrock::Agent": ("AgentResourceRoleArn", "AgentName", "Bedrock agent"),
    "AWS::BedrockAgentCore::Runtime": ("RoleArn", "AgentRuntimeName", "Bedrock AgentCore runtime"),
}
_LAMBDA_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")


def _name(template: Values, resource: Resource, prop: str) -> str:
    names = template.render(resource.props.get(prop))
    return names[0] if len(names) == 1 and names[0] and "${" not in names[0] else resource.name


def agent_facts(template: Values, resource: Resource) -> Iterator[Fact]:
    prop, name_prop, noun = AGENTS[resource.type]
    name = _name(template, resource, name_prop)
    roles = [r for branch in branches(resource.props.get(prop)) if (r := template.target(branch))]
    declared = [template.resources[r.rsplit("#", 1)[-1]] for r in roles if _declared(template, r)]
    runs_as = (
        {"aws": _name(template, declared[0], "RoleName")}
        if declared
        else {"aws": roles[0]}
        if roles and roles[0].startswith("arn:")
        else {}
    )
    yield Identity(
        loc=resource.loc,
        kind="ai-agent",
        name=name,
        provider="aws",
        address=resource.key,
        tags_known=False,  # owner and expiry are judged on the role it runs as
        workload_identity=runs_as,
    )
    for role in roles:
        yield Workload(
            loc=resource.loc,
            kind=resource.type,
            name=name,
            platform="aws",
            identity=role,
            identity_loc=template.prop_loc(resource, prop),
            token_mounted=None,
            agent=f"{noun} {name}",
        )
    variables = resource.props.get("EnvironmentVariables")
    if isinstance(variables, LMap):
        for key, value in variables.items():
            if isinstance(value, str):
                yield EnvVar(loc=template.at(variables.kpos(key)), name=str(key), value=value, workload=name)


def _declared(template: Values, key: str) -> bool:
    found = template.resources.get(key.rsplit("#", 1)[-1])
    return found is not None and found.key == key and found.type == "AWS::IAM::Role"


def lambda_serving(template: Values) -> dict[str, str]:
    """Logical id of a Lambda function -> how findings name it when a Bedrock agent's action group
    runs it: whatever its role may do, the agent may have done on its behalf."""
    found: dict[str, str] = {}
    for agent in template.resources.values():
        groups = agent.props.get("ActionGroups") if agent.type == "AWS::Bedrock::Agent" else None
        for group in groups if isinstance(groups, LSeq) else []:
            executor = group.get("ActionGroupExecutor") if isinstance(group, LMap) else None
            function = logical_id(executor.get("Lambda")) if isinstance(executor, LMap) else None
            target = template.resources.get(function) if function else None
            if target is None or target.type not in _LAMBDA_TYPES:
                continue
            group_names = template.render(group.get("ActionGroupName"))
            group_name = group_names[0] if len(group_names) == 1 else "?"
            found.setdefault(
                target.name,
                f"Lambda {_name(template, target, 'FunctionName')} (action group {group_name} of "
                f"Bedrock agent {_name(template, agent, 'AgentName')})",
            )
    return found
