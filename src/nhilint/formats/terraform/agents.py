"""Terraform AI agents: the machine identities agents run as (issue 21, docs/ai-agents.md).

Each agent is an `Identity` of kind `ai-agent` (listed by the inventory, linked to the role or service
account it runs as; its lifecycle tags are the role's business, so they are not judged here) and a
`Workload` on that role or service account, named for messages (`Workload.agent`): a role shared
with another workload is NHI402, and privilege findings on the role say which agent holds it.

- `aws_bedrockagent_agent.agent_resource_role_arn`, `aws_bedrockagentcore_agent_runtime.role_arn`;
  the Lambda functions of an `aws_bedrockagent_agent_action_group` act for the agent
  (`lambda_serving`, used by aws.py to name them).
- `google_vertex_ai_reasoning_engine.spec.service_account` (without one the engine runs as a
  Google-managed service agent or its own agent identity: nothing of the repository's).
- `azurerm_cognitive_account` of kind OpenAI or AIServices: local authentication (on unless
  `local_auth_enabled = false`) gives it two API keys that never expire (NHI102).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhilint.facts import Credential, EnvVar, Fact, Identity, Loc, Workload
from nhilint.formats.terraform.aws_values import target
from nhilint.formats.terraform.gcp import SA_TYPE, service_account_key
from nhilint.formats.terraform.module import Module, Resource, reference
from nhilint.parse.tree import LMap

# agent resource type -> (attribute naming its role, attribute naming the agent, what it is called)
_AWS_AGENTS = {
    "aws_bedrockagent_agent": ("agent_resource_role_arn", "agent_name", "Bedrock agent"),
    "aws_bedrockagentcore_agent_runtime": ("role_arn", "agent_runtime_name", "Bedrock AgentCore runtime"),
}
_ACTION_GROUP = "aws_bedrockagent_agent_action_group"
_ENV = "environment_variables"
_VERTEX_ENGINE = "google_vertex_ai_reasoning_engine"
_COGNITIVE_ACCOUNT = "azurerm_cognitive_account"
# account kinds that serve models and agents (Azure OpenAI, Azure AI Foundry / AI Services)
_AI_KINDS = frozenset({"OpenAI", "AIServices"})


def extract(module: Module) -> Iterator[Fact]:
    yield from _aws_agents(module)
    yield from _vertex_engines(module)
    yield from _cognitive_accounts(module)


def _label(resource: Resource, attr: str) -> str:
    value = resource.get(attr)
    return value if isinstance(value, str) and value else resource.name


def _declared_name(module: Module, address: str, attr: str) -> str:
    """The name an identity is declared with (what the inventory joins on), else `address` as
    written (an ARN or email the inventory reads a name from)."""
    declared = module.by_address(address)
    return _label(declared, attr) if declared is not None else address


def _agent(resource: Resource, name: str, provider: str, runs_as: dict[str, str]) -> Identity:
    return Identity(
        loc=resource.loc,
        kind="ai-agent",
        name=name,
        provider=provider,
        address=resource.address,
        tags_known=False,  # owner and expiry are judged on the identity it runs as
        workload_identity=runs_as,
    )


def _aws_agents(module: Module) -> Iterator[Fact]:
    for type_, (attr, name_attr, noun) in _AWS_AGENTS.items():
        for resource in module.resources(type_):
            name = _label(resource, name_attr)
            role = target(module, resource, attr, "aws_iam_role") if resource.has(attr) else None
            declared = role is not None and role.startswith("aws_iam_role.")
            runs_as = {"aws": _declared_name(module, role, "name")} if role and declared else {}
            if role and not declared and role.startswith("arn:"):
                runs_as = {"aws": role}
            yield _agent(resource, name, "aws", runs_as)
            if role:
                yield Workload(
                    loc=resource.loc,
                    kind=type_,
                    name=name,
                    platform="aws",
                    identity=role,
                    identity_loc=resource.attr_loc(attr),
                    token_mounted=None,
                    agent=f"{noun} {name}",
                )
            yield from _runtime_env(module, resource, name)


def _runtime_env(module: Module, resource: Resource, name: str) -> Iterator[Fact]:
    """An AgentCore runtime's `environment_variables`, given to the agent's container as written."""
    raw = resource.raw(_ENV)
    variables = module.resolve_deep(raw)
    if not isinstance(variables, LMap):
        return
    inline = isinstance(raw, LMap)
    for key, value in variables.items():
        if isinstance(value, str):
            where = (
                resource.pos_loc(variables.kpos(key))
                if inline
                else resource.attr_loc("environment_variables")
            )
            yield EnvVar(loc=where, name=str(key), value=value, workload=name)


def lambda_serving(module: Module) -> dict[str, str]:
    """Lambda function address -> how findings name it when a Bedrock agent's action group runs it:
    whatever its role may do, the agent may have done on its behalf."""
    found: dict[str, str] = {}
    for group in module.resources(_ACTION_GROUP):
        agent_ref = reference(group.raw("agent_id"))
        agent = module.by_address(agent_ref) if agent_ref else None
        if agent is None or agent.type != "aws_bedrockagent_agent":
            continue
        for executor in group.block.children("action_group_executor"):
            function = _function(module, executor.attrs.get("lambda"))
            if function is not None:
                found.setdefault(
                    function.address,
                    f"Lambda {_label(function, 'function_name')} (action group "
                    f"{_label(group, 'action_group_name')} of Bedrock agent {_label(agent, 'agent_name')})",
                )
    return found


def _function(module: Module, raw: Any) -> Resource | None:
    """The `aws_lambda_function` an action group's `lambda` names (reference or literal ARN)."""
    ref = reference(raw)
    if ref and ref.startswith("aws_lambda_function."):
        return module.by_address(ref)
    value = module.resolve(raw)
    if isinstance(value, str) and ":function:" in value:
        return module.by_attr("aws_lambda_function", "function_name", value.split(":function:", 1)[1])
    return None


def _vertex_engines(module: Module) -> Iterator[Fact]:
    for resource in module.resources(_VERTEX_ENGINE):
        name = _label(resource, "display_name")
        spec = resource.block.child("spec")
        raw = spec.attrs.get("service_account") if spec is not None else None
        key = service_account_key(module, raw) if raw is not None else None
        declared = key is not None and key.startswith(f"{SA_TYPE}.")
        runs_as = {"gcp": _declared_name(module, key, "account_id")} if key and declared else {}
        if key and not declared:
            runs_as = {"gcp": key}
        yield _agent(resource, name, "gcp", runs_as)
        if key and spec is not None:
            yield Workload(
                loc=resource.loc,
                kind=_VERTEX_ENGINE,
                name=name,
                platform="gcp",
                identity=key,
                identity_loc=resource.pos_loc(spec.attrs.kpos("service_account")),
                token_mounted=None,
                agent=f"Vertex AI agent engine {name}",
            )


def _cognitive_accounts(module: Module) -> Iterator[Fact]:
    for resource in module.resources(_COGNITIVE_ACCOUNT):
        if resource.get("kind") not in _AI_KINDS:
            continue
        name = _label(resource, "name")
        yield _agent(resource, name, "azure", {})
        local_auth = module.resolve(resource.raw("local_auth_enabled"))
        if resource.has("local_auth_enabled") and local_auth is not True:
            continue  # false, or unknown here (a variable): not a finding
        where: Loc = (
            resource.attr_loc("local_auth_enabled") if resource.has("local_auth_enabled") else resource.loc
        )
        yield Credential(
            loc=where,
            kind="azure_cognitive_account_key",
            resource_type=resource.type,
            identity=resource.address,
            name=resource.name,
        )
