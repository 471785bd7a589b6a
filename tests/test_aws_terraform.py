"""Terraform AWS: policies in every form, trusts, tags, keys, workloads and secrets, scanned for real."""

from __future__ import annotations

from nhilint.config import Config


def _by_rule(result, rule_id: str) -> list[tuple[int, str]]:
    return sorted((f.loc.line, f.message) for f in result.findings if f.rule_id == rule_id)


def _lines(result, rule_id: str) -> list[int]:
    return [line for line, _ in _by_rule(result, rule_id)]


ROLE = """
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
  tags               = { owner = "team", expires = "2035-01-01" }
}
"""


def test_heredoc_policy_points_at_the_action_line(scan) -> None:
    result = scan(
        {
            "main.tf": ROLE
            + """
resource "aws_iam_role_policy" "app" {
  role   = aws_iam_role.app.id
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
        {
          "Effect": "Allow",
          "Action": "s3:*",
          "Resource": "${aws_s3_bucket.data.arn}"
        }
      ]
    }
  EOF
}
"""
        }
    )
    assert _lines(result, "NHI203") == [14]
    assert "role app may use `iam:PassRole`" in _by_rule(result, "NHI203")[0][1]
    assert _lines(result, "NHI201") == []  # s3:* on a named (unresolved) bucket is not "*"


def test_policy_document_with_source_and_override(scan) -> None:
    result = scan(
        {
            "main.tf": ROLE
            + """
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Admin"
    actions   = ["*"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "final" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid       = "Put"
    actions   = ["iam:Put*"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "tamed" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.readonly.json]
}

data "aws_iam_policy_document" "readonly" {
  statement {
    sid       = "Admin"
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "final" {
  name   = "final"
  policy = data.aws_iam_policy_document.final.json
}

resource "aws_iam_role_policy_attachment" "final" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.final.arn
}

resource "aws_iam_role_policy" "tamed" {
  role   = aws_iam_role.app.name
  policy = data.aws_iam_policy_document.tamed.json
}
"""
        }
    )
    assert _lines(result, "NHI201") == [11]  # through `final`; `tamed` overrides the Admin sid
    assert "role app" in _by_rule(result, "NHI201")[0][1]
    assert _lines(result, "NHI203") == [20]
    assert "iam:PutRolePolicy" in _by_rule(result, "NHI203")[0][1]


def test_file_policy_is_read_beside_and_above_the_module_inside_the_root(scan, tmp_path) -> None:
    (tmp_path / "secret.json").write_text(
        '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    )
    result = scan(
        {
            "infra/policy.json": '{\n  "Statement": [{\n    "Effect": "Allow",\n    "Action": "*",\n'
            '    "Resource": "*"\n  }]\n}\n',
            "infra/main.tf": ROLE
            + """
resource "aws_iam_role_policy" "from_file" {
  role   = aws_iam_role.app.id
  policy = file("${path.module}/policy.json")
}

resource "aws_iam_role_policy" "outside" {
  role   = aws_iam_role.app.id
  policy = file("../secret.json")
}
""",
        }
    )
    found = [(f.loc.file, f.loc.line) for f in result.findings if f.rule_id == "NHI201"]
    # above the module but inside the scan root is read too (never above it: test_tf_policy_paths.py)
    assert sorted(found) == [("infra/policy.json", 4), ("secret.json", 1)]


def test_trust_through_a_provider_reference(scan) -> None:
    result = scan(
        {
            "main.tf": """
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [local.subject]
    }
  }
}

locals {
  subject = "repo:acme/*"
}

resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"""
        },
        Config(select=("NHI205",)),
    )
    ((line, message),) = _by_rule(result, "NHI205")
    assert line == 19 and "role deploy" in message and "repo:acme/*" in message


def test_default_tags_merge_and_unknown_tags(scan) -> None:
    result = scan(
        {
            "main.tf": """
provider "aws" {
  default_tags {
    tags = { owner = "platform" }
  }
}

variable "common" {
  default = { expires = "2035-06-30" }
}

resource "aws_iam_role" "tagged" {
  name               = "tagged"
  assume_role_policy = "{}"
  tags               = merge(var.common, { service = "api" })
}

resource "aws_iam_user" "unknown" {
  name = "unknown"
  tags = module.labels.tags
}

resource "aws_iam_user" "bare" {
  name = "bare"
}
"""
        },
        Config(select=("NHI301", "NHI302"), max_identity_lifetime_days=3650),
    )
    assert _lines(result, "NHI301") == []  # default_tags give every identity its owner
    assert _lines(result, "NHI302") == [23]  # only `bare`: `unknown` cannot be judged


def test_keys_login_profile_grants_and_provider(scan) -> None:
    result = scan(
        {
            "main.tf": """
variable "secret_key" {}

provider "aws" {
  access_key = var.access_key
  secret_key = var.secret_key
}

resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_access_key" "ci" {
  user = "ci"
}

resource "aws_iam_user_login_profile" "ci" {
  user = aws_iam_user.ci.name
}

data "aws_partition" "current" {}

resource "aws_iam_user_policy_attachment" "ci" {
  user       = aws_iam_user.ci.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/IAMFullAccess"
}
"""
        }
    )
    assert _lines(result, "NHI102") == [13]
    assert _lines(result, "NHI404") == [17]  # the literal user name resolves to aws_iam_user.ci
    assert _lines(result, "NHI204") == [25]
    (finding,) = [f for f in result.findings if f.rule_id == "NHI105"]
    assert finding.loc.line == 5 and finding.severity == "warning"
    assert "assume_role_with_web_identity" in finding.suggestion.snippet


def test_shared_role_session_env_and_secrets(scan) -> None:
    result = scan(
        {
            "main.tf": """
resource "aws_iam_role" "worker" {
  name                 = "worker"
  assume_role_policy   = "{}"
  max_session_duration = 14400
}

resource "aws_iam_instance_profile" "worker" {
  role = aws_iam_role.worker.name
}

resource "aws_ecs_task_definition" "api" {
  family        = "api"
  task_role_arn = aws_iam_role.worker.arn
  container_definitions = <<EOF
[
  {
    "name": "api",
    "environment": [{"name": "DB_PASSWORD", "value": "api-db-pass"}]
  }
]
EOF
}

resource "aws_secretsmanager_secret" "kept" {
  name = "kept-db-password"
}

resource "aws_secretsmanager_secret" "rotated" {
  name = "rotated-db-password"
}

resource "aws_secretsmanager_secret_rotation" "rotated" {
  secret_id = aws_secretsmanager_secret.rotated.id
}
"""
        }
    )
    ((line, message),) = _by_rule(result, "NHI402")
    assert line == 2 and "aws_iam_instance_profile" in message and "aws_ecs_task_definition api" in message
    assert [r.loc.line for f in result.findings if f.rule_id == "NHI402" for r in f.related] == [14, 9]
    assert _lines(result, "NHI303") == [5]
    assert _lines(result, "NHI106") == [19]
    assert _lines(result, "NHI304") == [25]


def test_deny_conditions_and_star_only_actions_stay_quiet(scan) -> None:
    result = scan(
        {
            "main.tf": ROLE
            + """
resource "aws_iam_role_policy" "app" {
  role = aws_iam_role.app.id
  policy = jsonencode({
    Statement = [
      { Effect = "Deny", Action = "*", Resource = "*" },
      { Effect = "Allow", Resource = "*",
        Action = ["sts:GetCallerIdentity", "ec2:Describe*", "logs:CreateLogGroup"] },
      { Effect = "Allow", Action = "iam:PassRole", Resource = "*",
        Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } } },
      { Effect = "Allow", Action = "ec2:*", Resource = "*",
        Condition = { StringEquals = { "aws:ResourceTag/team" = "app" } } },
    ]
  })
}
"""
        }
    )
    assert [f.rule_id for f in result.findings if f.rule_id.startswith("NHI2")] == []


ROLE_AND_FUNCTION = """
resource "aws_iam_role" "this" {
  name = "%(name)s"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
  tags = { owner = "platform", expires = "2026-12-31" }
}

resource "aws_lambda_function" "this" {
  function_name = "%(name)s"
  role          = aws_iam_role.this.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}
"""


def test_same_address_in_two_modules_is_two_identities(scan) -> None:
    # terraform-aws-modules style: every module calls its role `this`.
    result = scan(
        {
            "modules/orders/main.tf": ROLE_AND_FUNCTION % {"name": "orders"},
            "modules/invoices/main.tf": ROLE_AND_FUNCTION % {"name": "invoices"},
        },
        Config(select=("NHI402",)),
    )
    assert result.findings == []
    second_function = """
resource "aws_lambda_function" "refunds" {
  function_name = "refunds"
  role          = aws_iam_role.this.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}
"""
    shared = ROLE_AND_FUNCTION % {"name": "orders"} + second_function
    result = scan({"modules/orders/main.tf": shared}, Config(select=("NHI402",)))
    assert [(f.rule_id, f.loc.file) for f in result.findings] == [("NHI402", "modules/orders/main.tf")]


def test_trust_suggestion_matches_the_kind_of_trust(scan) -> None:
    trust = """
resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "%(action)s", Principal = %(principal)s }]
  })
}
"""
    anyone = trust % {"action": "sts:AssumeRole", "principal": '{ AWS = "*" }'}
    oidc = trust % {
        "action": "sts:AssumeRoleWithWebIdentity",
        "principal": '{ Federated = "arn:aws:iam::123456789012:oidc-provider/'
        'token.actions.githubusercontent.com" }',
    }
    by_account = scan({"a/main.tf": anyone}, Config(select=("NHI205",))).findings
    by_repo = [
        f for f in scan({"b/main.tf": oidc}, Config(select=("NHI205",))).findings if f.loc.file == "b/main.tf"
    ]
    assert by_account and by_repo
    assert all(f.suggestion and "sts:ExternalId" in f.suggestion.snippet for f in by_account)
    assert all(f.suggestion and ":sub" in f.suggestion.snippet for f in by_repo)
