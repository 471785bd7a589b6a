"""AI agents declared in infrastructure code (issue 21), through the real CLI: Bedrock agents, their
action-group Lambdas and AgentCore runtimes (Terraform and CloudFormation), Vertex AI agent engines and
Azure OpenAI / AI Services accounts. The agent is an `ai-agent` identity linked to the role or service
account it runs as: findings on that role name it, a role shared with another workload is NHI402, and
an account with API keys is NHI102. Snippets follow the provider and CloudFormation documentation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli

BEDROCK_TRUST = """
data "aws_iam_policy_document" "bedrock_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["bedrock.amazonaws.com"]
    }
  }
}
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def scan(tmp_path: Path, files: dict[str, str]) -> list[dict[str, Any]]:
    write(tmp_path, files)
    done = run_cli("scan", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["internal_errors"] == []
    findings: list[dict[str, Any]] = report["findings"]
    return findings


def inventory(tmp_path: Path) -> list[dict[str, Any]]:
    done = run_cli("inventory", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    entries: list[dict[str, Any]] = json.loads(done.stdout)["identities"]
    return entries


def of(findings: list[dict[str, Any]], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule_id"] == rule_id]


def role(name: str, actions: str) -> str:
    return f"""
resource "aws_iam_role" "{name}" {{
  name               = "{name}"
  assume_role_policy = data.aws_iam_policy_document.bedrock_trust.json
}}

resource "aws_iam_role_policy" "{name}" {{
  role = aws_iam_role.{name}.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = {actions}, Resource = "*" }}]
  }})
}}
"""


BEDROCK_AGENT = """
resource "aws_bedrockagent_agent" "support" {
  agent_name              = "support"
  agent_resource_role_arn = aws_iam_role.support-agent.arn
  foundation_model        = "anthropic.claude-3-5-sonnet-20240620-v1:0"
  instruction             = "You answer customer support questions with the order tools."
}
"""


def test_a_wildcard_on_a_bedrock_agents_role_names_the_agent(tmp_path: Path) -> None:
    findings = scan(tmp_path, {"main.tf": BEDROCK_TRUST + role("support-agent", '"*"') + BEDROCK_AGENT})
    (wildcard,) = of(findings, "NHI201")
    assert "role support-agent, used by Bedrock agent support, is allowed `*`" in wildcard["message"]
    assert of(findings, "NHI402") == []  # one agent on its own role shares nothing
    (agent,) = [e for e in inventory(tmp_path) if e["kind"] == "ai-agent"]
    assert (agent["provider"], agent["name"]) == ("aws", "support")
    assert any(link.startswith("runs as aws_iam_role support-agent") for link in agent["links"])
    (held,) = [e for e in inventory(tmp_path) if e["kind"] == "aws_iam_role"]
    assert any(w.startswith("aws_bedrockagent_agent support") for w in held["workloads"])


def test_a_narrow_agent_role_is_silent(tmp_path: Path) -> None:
    findings = scan(
        tmp_path, {"main.tf": BEDROCK_TRUST + role("support-agent", '"bedrock:InvokeModel"') + BEDROCK_AGENT}
    )
    assert [f for f in findings if f["rule_id"] in ("NHI201", "NHI203", "NHI204", "NHI402")] == []


def test_an_agent_and_a_function_on_one_role_share_it(tmp_path: Path) -> None:
    lambda_ = """
resource "aws_lambda_function" "reports" {
  function_name = "reports"
  role          = aws_iam_role.support-agent.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "reports.zip"
}
"""
    findings = scan(
        tmp_path,
        {"main.tf": BEDROCK_TRUST + role("support-agent", '"s3:GetObject"') + BEDROCK_AGENT + lambda_},
    )
    (shared,) = of(findings, "NHI402")
    assert "aws_bedrockagent_agent support" in shared["message"]
    assert "aws_lambda_function reports" in shared["message"]


def test_an_action_group_lambdas_role_is_named_for_the_agent(tmp_path: Path) -> None:
    tools = """
resource "aws_lambda_function" "orders" {
  function_name = "orders-lookup"
  role          = aws_iam_role.orders.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "orders.zip"
}

resource "aws_bedrockagent_agent_action_group" "orders" {
  action_group_name = "orders"
  agent_id          = aws_bedrockagent_agent.support.agent_id
  agent_version     = "DRAFT"
  action_group_executor {
    lambda = aws_lambda_function.orders.arn
  }
  api_schema {
    payload = file("orders-openapi.yaml")
  }
}
"""
    files = {
        "main.tf": BEDROCK_TRUST
        + role("support-agent", '"bedrock:InvokeModel"')
        + role("orders", '["iam:PassRole", "lambda:CreateFunction"]')
        + BEDROCK_AGENT
        + tools
    }
    findings = scan(tmp_path, files)
    (escalation,) = of(findings, "NHI203")
    assert (
        "used by Lambda orders-lookup (action group orders of Bedrock agent support)" in escalation["message"]
    )
    assert of(findings, "NHI402") == []  # the agent calls the function, it does not run as its role


def test_an_unresolvable_role_is_neither_a_crash_nor_a_finding(tmp_path: Path) -> None:
    module = """
variable "role_arn" {
  type = string
}

resource "aws_bedrockagent_agent" "support" {
  agent_name              = "support"
  agent_resource_role_arn = var.role_arn
  foundation_model        = "anthropic.claude-3-5-sonnet-20240620-v1:0"
}

resource "aws_bedrockagentcore_agent_runtime" "research" {
  agent_runtime_name = "research"
  role_arn           = var.role_arn
  agent_runtime_artifact {
    container_configuration {
      container_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/research:1.4.2"
    }
  }
  network_configuration {
    network_mode = "PUBLIC"
  }
}
"""
    assert scan(tmp_path, {"main.tf": module}) == []
    agents = sorted(e["name"] for e in inventory(tmp_path) if e["kind"] == "ai-agent")
    assert agents == ["research", "support"]


def test_an_agentcore_runtime_is_an_agent_and_its_env_is_a_workloads_env(tmp_path: Path) -> None:
    runtime = """
resource "aws_bedrockagentcore_agent_runtime" "research" {
  agent_runtime_name = "research"
  role_arn           = aws_iam_role.research.arn
  agent_runtime_artifact {
    container_configuration {
      container_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/research:1.4.2"
    }
  }
  environment_variables = {
    LOG_LEVEL   = "INFO"
    DB_PASSWORD = "correct-horse-battery"
  }
  network_configuration {
    network_mode = "PUBLIC"
  }
}
"""
    main = BEDROCK_TRUST + role("research", '"s3:*"') + runtime
    findings = scan(tmp_path, {"main.tf": main})
    (wildcard,) = of(findings, "NHI201")
    assert "used by Bedrock AgentCore runtime research" in wildcard["message"]
    env = [f for f in findings if f["rule_id"] in ("NHI101", "NHI106")]
    assert [f["line"] for f in env] == [main[: main.index("DB_PASSWORD")].count("\n") + 1]


def test_a_vertex_agent_engines_service_account_grant_names_the_engine(tmp_path: Path) -> None:
    main = """
resource "google_service_account" "agent" {
  account_id   = "support-agent"
  display_name = "Support agent engine"
}

resource "google_project_iam_member" "agent" {
  project = "acme-prod"
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.agent.email}"
}

resource "google_vertex_ai_reasoning_engine" "support" {
  display_name = "support"
  region       = "europe-west1"
  spec {
    agent_framework = "google-adk"
    service_account = google_service_account.agent.email
  }
}

resource "google_vertex_ai_reasoning_engine" "memory" {
  display_name = "memory-bank"
  region       = "europe-west1"
}
"""
    findings = scan(tmp_path, {"main.tf": main})
    (admin,) = of(findings, "NHI204")
    assert "used by Vertex AI agent engine support" in admin["message"]
    agents = {e["name"]: e for e in inventory(tmp_path) if e["kind"] == "ai-agent"}
    assert set(agents) == {"support", "memory-bank"}
    assert any(
        link.startswith("runs as gcp_service_account support-agent") for link in agents["support"]["links"]
    )
    assert agents["memory-bank"]["links"] == []


AZURE_ACCOUNT = """
resource "azurerm_cognitive_account" "openai" {{
  name                = "support-openai"
  location            = "westeurope"
  resource_group_name = "support"
  kind                = "{kind}"
  sku_name            = "S0"{extra}
}}
"""


@pytest.mark.parametrize(
    ("kind", "extra", "line"),
    [
        ("OpenAI", "", 2),  # unset: the provider's default is true
        ("AIServices", "\n  local_auth_enabled  = true", 8),
    ],
)
def test_an_azure_ai_account_with_api_keys_is_a_long_lived_key(
    tmp_path: Path, kind: str, extra: str, line: int
) -> None:
    findings = scan(tmp_path, {"main.tf": AZURE_ACCOUNT.format(kind=kind, extra=extra)})
    (keys,) = of(findings, "NHI102")
    assert keys["line"] == line
    assert "local_auth_enabled = false" in keys["suggestion"]["text"]
    (account,) = [e for e in inventory(tmp_path) if e["kind"] == "ai-agent"]
    assert account["provider"] == "azure"
    assert any(c.startswith("static azure_cognitive_account_key") for c in account["credentials"])


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("OpenAI", "\n  local_auth_enabled  = false"),
        ("OpenAI", "\n  local_auth_enabled  = var.local_auth"),  # unknown here: not a finding
        ("TextAnalytics", ""),  # not a model or agent service
    ],
)
def test_an_azure_account_without_keys_is_silent(tmp_path: Path, kind: str, extra: str) -> None:
    assert scan(tmp_path, {"main.tf": AZURE_ACCOUNT.format(kind=kind, extra=extra)}) == []


CFN_AGENT = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AgentRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: support-agent
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{Service: bedrock.amazonaws.com}}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/{policy}
  OrdersFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: orders-lookup
      Runtime: python3.12
      Handler: index.handler
      Role: {lambda_role}
      Code:
        ZipFile: "def handler(event, context): return {{}}"
  SupportAgent:
    Type: AWS::Bedrock::Agent
    Properties:
      AgentName: support
      AgentResourceRoleArn: {agent_role}
      FoundationModel: anthropic.claude-3-5-sonnet-20240620-v1:0
      ActionGroups:
        - ActionGroupName: orders
          ActionGroupExecutor:
            Lambda: !GetAtt OrdersFunction.Arn
  SupportAgentAlias:
    Type: AWS::Bedrock::AgentAlias
    Properties:
      AgentAliasName: live
      AgentId: !GetAtt SupportAgent.AgentId
"""


@pytest.mark.parametrize(
    "agent_role",
    [
        "!GetAtt AgentRole.Arn",
        "!Sub ${AgentRole.Arn}",
        "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/support-agent",
        "arn:aws:iam::123456789012:role/support-agent",
    ],
)
def test_a_cloudformation_bedrock_agent_shares_and_names_its_role(tmp_path: Path, agent_role: str) -> None:
    template = CFN_AGENT.format(
        policy="AdministratorAccess", lambda_role="!GetAtt AgentRole.Arn", agent_role=agent_role
    )
    findings = scan(tmp_path, {"template.yaml": template})
    (admin,) = of(findings, "NHI204")
    assert "Bedrock agent support" in admin["message"]
    assert "Lambda orders-lookup (action group orders of Bedrock agent support)" in admin["message"]
    (shared,) = of(findings, "NHI402")
    assert "AWS::Bedrock::Agent support" in shared["message"]
    kinds = sorted(e["kind"] for e in inventory(tmp_path))
    assert kinds == ["ai-agent", "aws_iam_role"]  # the alias is no identity of its own


def test_a_cloudformation_agent_on_its_own_narrow_role_is_silent(tmp_path: Path) -> None:
    template = CFN_AGENT.format(
        policy="AmazonBedrockReadOnly",
        lambda_role="arn:aws:iam::123456789012:role/orders-lookup",
        agent_role="!GetAtt AgentRole.Arn",
    )
    findings = scan(tmp_path, {"template.yaml": template})
    assert [f for f in findings if f["rule_id"] in ("NHI201", "NHI203", "NHI204", "NHI402")] == []


def test_a_cloudformation_agent_with_a_parameter_role_is_not_a_finding(tmp_path: Path) -> None:
    template = """Parameters:
  AgentRoleArn:
    Type: String
  RuntimeRoleArn:
    Type: String
Resources:
  SupportAgent:
    Type: AWS::Bedrock::Agent
    Properties:
      AgentName: support
      AgentResourceRoleArn: !Ref AgentRoleArn
  ResearchRuntime:
    Type: AWS::BedrockAgentCore::Runtime
    Properties:
      AgentRuntimeName: research
      RoleArn: !Ref RuntimeRoleArn
      NetworkConfiguration:
        NetworkMode: PUBLIC
"""
    findings = scan(tmp_path, {"template.yaml": template})
    assert [f for f in findings if f["rule_id"] not in ("NHI301", "NHI302")] == []
