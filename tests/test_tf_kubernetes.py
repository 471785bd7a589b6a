"""Terraform Kubernetes provider: the same facts and identity keys as Kubernetes YAML."""

from __future__ import annotations

MAIN = """
provider "kubernetes" {
  host  = "https://k8s.example.com"
  token = data.aws_eks_cluster_auth.main.token
}

resource "kubernetes_namespace" "apps" {
  metadata {
    name = "apps"
  }
}

resource "kubernetes_service_account_v1" "api" {
  metadata {
    name      = "api"
    namespace = kubernetes_namespace.apps.metadata[0].name
    labels = {
      owner = "payments-team"
    }
  }
}

resource "kubernetes_secret_v1" "api_token" {
  metadata {
    name      = "api-token"
    namespace = "apps"
    annotations = {
      "kubernetes.io/service-account.name" = kubernetes_service_account_v1.api.metadata[0].name
    }
  }
  type = "kubernetes.io/service-account-token"
}

resource "kubernetes_cluster_role_v1" "ops" {
  metadata {
    name = "ops"
  }
  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = ["get", "list"]
  }
  rule {
    api_groups = ["*"]
    resources  = ["*"]
    verbs      = ["*"]
  }
}

resource "kubernetes_cluster_role_binding" "ops" {
  metadata {
    name = "ops"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "cluster-admin"
  }
  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.api.metadata[0].name
    namespace = "apps"
  }
  subject {
    kind = "Group"
    name = "system:authenticated"
  }
}

resource "kubernetes_deployment_v1" "api" {
  metadata {
    name      = "api"
    namespace = "apps"
  }
  spec {
    template {
      metadata {}
      spec {
        service_account_name = kubernetes_service_account_v1.api.metadata[0].name
        container {
          name  = "api"
          image = "api:1"
          env {
            name  = "DB_PASSWORD"
            value = "s3cr3t-pw"
          }
          env {
            name  = "LOG_TOKEN_HEADER"
            value = "x-log-token-43"
          }
        }
      }
    }
  }
}

resource "kubernetes_pod" "debug" {
  metadata {
    name = "debug"
  }
  spec {
    container {
      name  = "debug"
      image = "busybox"
    }
  }
}

resource "kubernetes_job_v1" "migrate" {
  metadata {
    name = "migrate"
  }
  spec {
    template {
      metadata {}
      spec {
        automount_service_account_token = false
        container {
          name  = "migrate"
          image = "migrate:1"
        }
      }
    }
  }
}
"""

YAML_CRON = """apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: apps
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: api
          containers:
            - name: report
              image: report:1
"""


def _lines(result, rule_id: str) -> list[tuple[str, int]]:
    return sorted((f.loc.file, f.loc.line) for f in result.findings if f.rule_id == rule_id)


def test_terraform_kubernetes_resources(scan) -> None:
    result = scan({"main.tf": MAIN})
    assert _lines(result, "NHI104") == [("main.tf", 31)]
    assert "ServiceAccount apps/api" in next(f.message for f in result.findings if f.rule_id == "NHI104")
    assert _lines(result, "NHI206") == [("main.tf", 43)]  # the wildcard `rule` block, not the read-only one
    assert _lines(result, "NHI207") == [("main.tf", 59), ("main.tf", 64)]
    assert _lines(result, "NHI401") == [("main.tf", 101)]  # the pod's `spec`; the job mounts no token
    assert _lines(result, "NHI101") == [("main.tf", 85)]  # keyed by DB_PASSWORD
    assert _lines(result, "NHI105") == []  # a token minted at run time from the runner's identity
    assert _lines(result, "NHI301") == []
    assert _lines(result, "NHI302") == [("main.tf", 14)]  # the `metadata` block of the ServiceAccount
    k8s = next(f for f in result.findings if f.rule_id == "NHI206")
    assert "kubernetes_role_v1" in (k8s.suggestion.snippet or "")  # the Terraform remediation, not YAML


def test_terraform_and_yaml_workloads_share_a_service_account(scan) -> None:
    result = scan({"main.tf": MAIN, "k8s/cron.yaml": YAML_CRON})
    shared = [f for f in result.findings if f.rule_id == "NHI402"]
    assert [(f.loc.file, f.loc.line) for f in shared] == [("main.tf", 13)]
    assert sorted((r.loc.file, r.loc.line) for r in shared[0].related) == [
        ("k8s/cron.yaml", 12),
        ("main.tf", 79),
    ]


def test_static_provider_token_and_kubernetes_manifest(scan) -> None:
    result = scan(
        {
            "main.tf": """
provider "kubernetes" {
  token = var.cluster_token
}

resource "kubernetes_manifest" "binding" {
  manifest = {
    apiVersion = "rbac.authorization.k8s.io/v1"
    kind       = "ClusterRoleBinding"
    metadata   = { name = "everyone" }
    roleRef    = { apiGroup = "rbac.authorization.k8s.io", kind = "ClusterRole", name = "view" }
    subjects = [
      { kind = "Group", name = "system:serviceaccounts", apiGroup = "rbac.authorization.k8s.io" },
    ]
  }
}
"""
        }
    )
    assert _lines(result, "NHI105") == [("main.tf", 3)]
    assert _lines(result, "NHI207") == [("main.tf", 13)]
