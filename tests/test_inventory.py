"""`nhilint inventory`: every machine identity with owner, expiry, credentials, privilege, links."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from datetime import date
from html import escape
from pathlib import Path

from nhilint import inventory
from nhilint.config import Config
from nhilint.facts import Identity
from nhilint.inventory.html import render as render_html
from nhilint.pipeline.scan import scan as scan_paths
from tests.conftest import FIXTURES, missing_tool, run_cli

TODAY = date(2026, 1, 1)


def chromium() -> str:
    """The Chromium binary: $CHROMIUM when set (and only then), else `chromium` on PATH."""
    found = os.environ["CHROMIUM"] if "CHROMIUM" in os.environ else shutil.which("chromium")
    if not found or not shutil.which(found):
        missing_tool("needs a `chromium` binary on PATH (apt-get install chromium), or $CHROMIUM")
    return found


ROLE_TF = """resource "aws_iam_role" "payments" {
  name = "payments-api"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.amazonaws.com/id/EXAMPLE" }
    }]
  })
  tags = {
    owner   = "payments-team"
    expires = "2025-12-01"
  }
}
"""
SERVICE_ACCOUNT = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: payments
  labels:
    owner: payments-team
    expires: "2026-03-02"
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/payments-api
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
  namespace: payments
spec:
  selector:
    matchLabels: {app: payments-api}
  template:
    metadata:
      labels: {app: payments-api}
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: registry.example.com/payments-api:1.4.2
"""
WORKFLOW = """name: deploy
on:
  push:
    branches: [main]
permissions:
  contents: read
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/payments-api
          aws-region: eu-west-1
"""


def inventory_of(root: Path, files: dict[str, str]) -> inventory.Inventory:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return inventory.build([root], Config(), root, today=TODAY)


def test_links_a_service_account_and_a_workflow_to_the_terraform_role(tmp_path: Path) -> None:
    inv = inventory_of(
        tmp_path,
        {"infra/iam.tf": ROLE_TF, "k8s/api.yaml": SERVICE_ACCOUNT, ".github/workflows/deploy.yml": WORKFLOW},
    )
    by_name = {e.name: e for e in inv.entries}
    role, sa = by_name["payments-api"], by_name["payments/api"]

    assert (role.kind, role.provider, role.file) == ("aws_iam_role", "aws", "infra/iam.tf")
    assert (role.owner, role.expires, role.days_left) == ("payments-team", "2025-12-01", -31)  # overdue
    assert any(
        c.startswith("trust Federated: arn:aws:iam::123456789012:oidc-provider/") for c in role.credentials
    )
    assert role.links == [
        f"assumed by k8s_service_account payments/api ({sa.location})",
        "assumed by workflow .github/workflows/deploy.yml:14",
    ]
    assert sa.links == [f"runs as aws_iam_role payments-api ({role.location})"]
    assert sa.location == "k8s/api.yaml:4"
    assert (sa.owner, sa.days_left) == ("payments-team", 60)
    assert sa.workloads == ["Deployment payments/payments-api (k8s/api.yaml:15)"]


def test_fixture_inventory_lists_every_identity_with_its_fields() -> None:
    root = FIXTURES / "insecure"
    declared = [f for f in scan_paths([root], Config(), root=root).facts if isinstance(f, Identity)]
    inv = inventory.build([root], Config(), root, today=TODAY)
    by_address = {e.address: e for e in inv.entries}

    assert declared and {i.address for i in declared} <= by_address.keys()
    for identity in declared:
        entry = by_address[identity.address]
        assert (entry.kind, entry.provider, entry.file, entry.line) == (
            identity.kind,
            identity.provider,
            identity.loc.file,
            identity.loc.line,
        )
    payments = by_address["ServiceAccount/payments/payments"]
    assert payments.credentials[0] == "static k8s_service_account_token (kubernetes/payments.yaml:15)"
    assert "TTL expirationSeconds=604800s (kubernetes/payments.yaml:59)" in payments.credentials
    assert [w.split(" (")[0] for w in payments.workloads] == [
        "Deployment payments/payments-api",
        "Deployment payments/payments-worker",
    ]
    assert payments.privilege == "admin"  # cluster-admin binding (NHI207)
    assert {"NHI104", "NHI207"} <= set(payments.rules) and payments.risk == "high"
    default = by_address["ServiceAccount/payments/default"]  # run as by a CronJob, declared nowhere
    assert not default.declared and "NHI401" in default.rules
    assert inv.counts()["high"] >= 2


def test_json_csv_and_markdown_carry_the_same_rows(tmp_path: Path) -> None:
    inv = inventory_of(tmp_path, {"infra/iam.tf": ROLE_TF, "k8s/api.yaml": SERVICE_ACCOUNT})
    document = json.loads(inventory.render(inv, "json"))
    rows = list(csv.DictReader(io.StringIO(inventory.render(inv, "csv"))))
    markdown = inventory.render(inv, "markdown")

    assert [i["name"] for i in document["identities"]] == [r["name"] for r in rows]
    assert {r["name"] for r in rows} == {"payments-api", "payments/api"}
    assert (
        document["identities"][0]["location"]
        and document["counts"]["none"] + document["counts"]["medium"] >= 1
    )
    assert rows[0].keys() == set(inventory.COLUMNS)
    assert (
        "| `aws_iam_role` | `aws` | `payments-api` | `infra/iam.tf:1` | `payments-team` | `2025-12-01` |"
        " `-31` |" in markdown
    )


def test_cli_writes_a_self_contained_html_report(tmp_path: Path) -> None:
    proc = run_cli(
        "inventory", "insecure", "--format", "html", "-o", str(tmp_path / "inventory.html"), cwd=FIXTURES
    )
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "inventory.html").read_text(encoding="utf-8")
    assert "<script>" in page and not re.search(r"""(src|href)=["']?https?:""", page)
    assert "<td>payments/payments</td>" in page and 'id="count-high"' in page


def test_html_report_renders_its_rows_in_headless_chromium(tmp_path: Path) -> None:
    binary = chromium()
    out = tmp_path / "inventory.html"
    assert run_cli("inventory", "insecure", "--format", "html", "-o", str(out), cwd=FIXTURES).returncode == 0
    browser = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--user-data-dir=" + str(tmp_path / "p"),
    ]

    dom = subprocess.run(
        [*browser, "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    shot = subprocess.run(
        [*browser, f"--screenshot={tmp_path / 'inventory.png'}", "--window-size=1600,1000", out.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )

    rows = re.findall(
        r'<tr data-risk="(\w+)" data-kind="[^"]*"><td[^>]*>\w+</td><td>(\w+)</td><td>\w+</td>'
        r"<td>([^<]+)</td>",
        dom,
    )
    names = {name for _, _, name in rows}
    assert {"payments/payments", "analytics/reports", "payments/default"} <= names
    assert ("high", "k8s_service_account", "payments/payments") in rows
    assert 'id="count-high">high: ' in dom
    assert shot.returncode == 0 and (tmp_path / "inventory.png").stat().st_size > 0  # kept under pytest's tmp


def test_html_filter_by_kind_runs_in_headless_chromium(tmp_path: Path) -> None:
    """The page opened at `#kind=mcp-server` shows only the MCP servers: the filter script runs under
    the page's Content-Security-Policy (its hash is right) and hides every other row."""
    binary = chromium()
    out = tmp_path / "inventory.html"
    assert run_cli("inventory", "insecure", "--format", "html", "-o", str(out), cwd=FIXTURES).returncode == 0
    dom = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + str(tmp_path / "p"),
         "--dump-dom", out.as_uri() + "#kind=mcp-server"],
        capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    rows = re.findall(r'<tr data-risk="\w+" data-kind="([^"]*)"( hidden="")?>', dom)
    shown = [kind for kind, hidden in rows if not hidden]
    assert shown and set(shown) == {"mcp-server"}
    assert {kind for kind, hidden in rows if hidden} >= {"aws_iam_role", "k8s_service_account"}
    assert f'<span id="shown">{len(shown)}</span>' in dom


MCP_CONFIG = """{
  "mcpServers": {
    "research": {
      "command": "npx",
      "args": ["-y", "@acme/research-mcp", "--api-key", "%(pplx)s"],
      "env": {"OPENAI_API_KEY": "%(openai)s", "LOG_LEVEL": "debug"}
    },
    "docs": {
      "type": "http",
      "url": "https://ci-bot:%(password)s@mcp.example.com/mcp?api_key=%(query)s",
      "headers": {"Authorization": "Bearer ${env:DOCS_TOKEN}"}
    }
  }
}
"""
SECRETS = {
    "pplx": "pplx-" + "Q7vK2mX9pL4nR8sT1wY6zB3cD5fG0hJ2kM4nP6qR8sT0vW2x",
    "openai": "sk-"
    + "proj-"
    + "Zr8Kq2Lw5Nx7Vb1Mc4Ht6Jy9Pd3Fs0Gk" * 2
    + "T3Blbk"
    + "FJ"
    + "Ua1Ie4Oz7Xc2Wq5" * 4,
    "password": "Hx7Qp2Lm9Vz4Rt8K",
    "query": "ab12cd34ef56gh78ij90",
}
VSCODE_MCP = """{
  "inputs": [{"type": "promptString", "id": "github_pat", "description": "GitHub token", "password": true}],
  "servers": {
    "github": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${input:github_pat}"}
    }
  }
}
"""


def test_mcp_servers_list_what_they_reach_and_each_credential_redacted(tmp_path: Path) -> None:
    inv = inventory_of(tmp_path, {".cursor/mcp.json": MCP_CONFIG % SECRETS, ".vscode/mcp.json": VSCODE_MCP})
    by_name = {e.name: e for e in inv.entries if e.kind == "mcp-server"}
    research, docs, github = by_name["research"], by_name["docs"], by_name["github"]

    assert research.reaches == ["local process npx @acme/research-mcp"]
    assert research.credentials == [
        "literal Perplexity API key (pplx****) in argument api-key (.cursor/mcp.json:5)",
        "literal OpenAI API key (sk-p****) in env OPENAI_API_KEY (.cursor/mcp.json:6)",
    ]  # LOG_LEVEL hands no credential
    assert docs.reaches == ["http https://mcp.example.com/mcp (.cursor/mcp.json:10)"]
    assert docs.credentials[0] == "variable DOCS_TOKEN in header Authorization (.cursor/mcp.json:11)"
    assert (
        docs.credentials[1].startswith("literal password in URL (")
        and "in url (.cursor/mcp.json:10)" in (docs.credentials[1])
    )
    assert github.reaches == ["local process docker ghcr.io/github/github-mcp-server"]
    assert github.credentials == ["input github_pat in env GITHUB_PERSONAL_ACCESS_TOKEN (.vscode/mcp.json:7)"]
    for fmt in ("json", "csv", "markdown", "html"):
        text = inventory.render(inv, fmt)
        assert [name for name, secret in SECRETS.items() if secret[4:] in text] == [], fmt
        assert "Reaches" in text or "reaches" in text


def test_html_kind_filter_lists_every_kind_escaped(tmp_path: Path) -> None:
    """Kinds come from the data (a format added tomorrow, area A's `ai-agent`): each is an option,
    escaped in the option and in the row's attribute, so a hostile kind or name stays text."""
    hostile = '"><img src=x onerror=alert(1)><option value="'
    entries = [
        inventory.Entry("ai-agent", "aws", "support-bot", "aws_bedrockagent_agent.support", "agents.tf", 3),
        inventory.Entry("mcp-server", "mcp", "docs", "mcp:.mcp.json:mcpServers.docs", ".mcp.json", 3),
        inventory.Entry(hostile, "x", "<script>alert(1)</script>", "a", "<b>.tf", 1),
    ]
    page = render_html(inventory.Inventory(entries, TODAY))
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', page)
    assert [value for value, _ in options] == ["", escape(hostile), "ai-agent", "mcp-server"]
    assert "<img" not in page and "<script>alert" not in page and "<b>" not in page
    assert f'data-kind="{escape(hostile)}"' in page and 'data-kind="ai-agent"' in page
    assert "Content-Security-Policy" in page and "'unsafe-inline'" not in page
