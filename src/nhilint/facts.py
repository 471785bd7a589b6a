"""The format-neutral model of machine identities and what touches them.

Extractors (one per format, in `nhilint.formats`) turn located trees into these facts; rules read
only facts. Every fact carries the `Loc` a human must edit. `identity` fields hold the `address`
of an `Identity` (unique within a scan) or a best-effort name when the identity is not declared
in the scan.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field


class Loc(Struct, frozen=True):
    file: str  # path relative to the scan root, with forward slashes
    line: int
    col: int = 1
    end_line: int | None = None

    def at(self, line: int, col: int = 1) -> Loc:
        return Loc(self.file, line, col)

    # Ordered as the tuple of its fields. A struct's `order=True` compares the last field with `<` even
    # when all are equal, and two equal locations without an end line would then compare `None < None`.
    def __lt__(self, other: object) -> bool:
        return _fields(self) < _fields(other) if type(other) is Loc else NotImplemented

    def __le__(self, other: object) -> bool:
        return _fields(self) <= _fields(other) if type(other) is Loc else NotImplemented

    def __gt__(self, other: object) -> bool:
        return _fields(self) > _fields(other) if type(other) is Loc else NotImplemented

    def __ge__(self, other: object) -> bool:
        return _fields(self) >= _fields(other) if type(other) is Loc else NotImplemented


def _fields(loc: Loc) -> tuple[str, int, int, int | None]:
    return (loc.file, loc.line, loc.col, loc.end_line)


class Fact(Struct, tag=True):  # a facts entry names each fact by its class (cache.decode_entry)
    loc: Loc


class Identity(Fact):
    """A machine identity declared in the scan.

    kind: aws_iam_role, aws_iam_user, aws_instance_profile, gcp_service_account,
    azure_application, azure_service_principal, azure_managed_identity, k8s_service_account,
    vault_role, mcp-server, ai-agent (a Bedrock agent or AgentCore runtime, a Vertex AI agent engine, an
    Azure OpenAI / AI Services account).
    `tags` maps tag/label/annotation keys to values (owner/expiry conventions of platforms without
    tags are mapped onto keys here by the extractor); `tags_loc` is where a human adds a tag (the
    tags attribute, or the block header); `tags_known` is False when tags come from an expression
    the extractor could not resolve (rules must then stay silent).
    """

    kind: str = ""
    name: str = ""
    provider: str = ""  # aws | gcp | azure | kubernetes | vault | github | gitlab
    address: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    tag_locs: dict[str, Loc] = field(default_factory=dict)  # where each tag is written
    tags_loc: Loc | None = None
    tags_known: bool = True
    has_owners: bool = False  # a platform owner list (azuread_application.owners) is set
    # Kubernetes ServiceAccount `automountServiceAccountToken` (None when not written)
    automount_token: bool | None = None
    # cloud identities this one federates to, by provider, as written (IRSA role ARN, GKE Workload
    # Identity email, Azure Workload Identity client id): {"aws": "arn:aws:iam::1:role/x"}
    workload_identity: dict[str, str] = field(default_factory=dict)
    # tags may come from outside the file (the caller of a reusable Terraform module, the deployer
    # of a CloudFormation parameter): an owner/expiry not written is unknown, not missing; what is
    # written is still judged
    tags_open: bool = False
    # the Helm chart a rendered manifest came from (`helm.sh/chart` label or `# Source:` header)
    chart: str = ""
    # a reusable module's identity judged for one call (with its arguments and provider): the call
    via: list[Via] = field(default_factory=list)
    # where one edit gives this identity and its neighbours an owner and expiry, when that is not the
    # identity itself: the kustomization listing it (its `resources:` line, add `labels:`), a root
    # module's `aws` provider block (add `default_tags`); `fix_place_name` names it for messages
    fix_place: Loc | None = None
    fix_place_name: str = ""


class Kustomize(Fact):
    """A kustomization in the scan (`loc`: its `resources:` line, where a human adds labels): the
    files and directories it deploys (`resources`, `bases`, `components`, as scan paths) and the
    labels and annotations it sets on their objects, with where each is written."""

    deploys: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    label_locs: dict[str, Loc] = field(default_factory=dict)


class StringValue(Fact):
    """A literal string written in a config file, for credential detection (NHI101).

    `key` is the name of the field/variable/env it is assigned to (may be empty); `path` a
    dotted description of where it sits (for messages); `identity` whose secret it is, if known.
    """

    key: str = ""
    value: str = ""
    path: str = ""
    identity: str | None = None
    context: str = ""  # attribute | variable-default | env | secret-data | ci-variable | parameter


class EnvVar(Fact):
    """An environment variable given to a workload as a plain literal (NHI106)."""

    name: str = ""
    value: str = ""
    workload: str = ""


class Credential(Fact):
    """A long-lived credential minted or stored for an identity (NHI102, NHI104, NHI404).

    kind: aws_access_key, aws_login_profile, gcp_service_account_key, azure_application_password,
    azure_service_principal_password, k8s_service_account_token, azure_cognitive_account_key (the
    static API keys of an Azure OpenAI / AI Services account with local authentication on).
    """

    kind: str = ""
    resource_type: str = ""
    identity: str | None = None
    name: str = ""


class Lifetime(Fact):
    """A credential or session lifetime setting (NHI303). `seconds` None means unbounded."""

    setting: str = ""  # max_session_duration, token_ttl, expirationSeconds, end_date ...
    seconds: int | None = None
    identity: str | None = None
    platform: str = ""
    origin: str = ""  # where the value is set when not here, for messages: "parameter X's default"
    via: list[Via] = field(default_factory=list)


class ProviderCredentials(Fact):
    """A Terraform provider block configured with a static credential (NHI105)."""

    provider: str = ""
    attribute: str = ""
    literal: bool = False


class Condition(Struct):
    operator: str  # StringEquals, StringLike, ...
    key: str  # token.actions.githubusercontent.com:sub
    values: list[str]
    loc: Loc | None = None  # where this condition is written (its key line)


class Via(Struct, frozen=True):
    """A place a fact was reached through, shown with its findings as a related location: the
    resource that reads a policy file, the module call whose arguments decided a value."""

    loc: Loc
    message: str


class PolicyStatement(Fact):
    """One IAM policy statement, from Terraform or CloudFormation alike.

    policy_kind: identity (attached to a role/user/group or a managed policy), trust
    (assume-role policy of `identity`), resource. Values that could not be resolved are kept as
    their source text prefixed with `${` so rules can tell them from literals.
    """

    effect: str = "Allow"
    actions: list[str] = field(default_factory=list)
    not_actions: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    not_resources: list[str] = field(default_factory=list)
    principals: dict[str, list[str]] = field(default_factory=dict)  # {"AWS": [...], "Federated": [...]}
    conditions: list[Condition] = field(default_factory=list)
    policy_kind: str = "identity"
    identity: str | None = None  # address or name of the identity it reaches
    policy: str = ""  # the policy's own address, for messages
    action_loc: Loc | None = None
    resource_loc: Loc | None = None
    principal_loc: Loc | None = None
    condition_loc: Loc | None = None
    via: list[Via] = field(default_factory=list)


class Grant(Fact):
    """A role granted to a principal (NHI204, NHI207): a built-in one, or a custom role defined in the
    scan (`permissions` set).

    platform: aws (managed policy attachment), gcp, azure, kubernetes.
    """

    platform: str = ""
    role: str = ""
    grantee: str = ""
    grantee_kind: str = ""  # service_account | group | user | role | service_principal | unknown
    # project | folder | organization | subscription | management_group | cluster | namespace | account
    scope: str = ""
    identity: str | None = None
    # a custom role defined in the scan (GCP custom role, Azure role definition): its permissions
    # (actions) and excluded ones (Azure `not_actions`) as written, and where they are written;
    # None for a built-in role or a definition that cannot be read
    permissions: list[str] | None = None
    not_permissions: list[str] = field(default_factory=list)
    permissions_loc: Loc | None = None
    via: list[Via] = field(default_factory=list)
    origin: str = ""  # where the role is named when not here, for messages: "parameter X's default"
    # Kubernetes: the bound role as its RbacRule facts name it (`namespace/name` for a Role)
    role_ref: str = ""


class Trust(Fact):
    """A non-IAM-policy federation (NHI205): GCP WIF providers, Azure federated credentials,
    Vault JWT roles. `condition` is the narrowing expression or subject as written (None when
    absent)."""

    kind: str = ""  # gcp_wif_provider | azure_federated_credential | vault_jwt_role
    issuer: str = ""
    subject: str | None = None
    condition: str | None = None
    identity: str | None = None


class RbacRule(Fact):
    """One rule of a Kubernetes Role or ClusterRole (NHI206).

    `role_loc` is where the role is named (the rules of one role share it); `aggregate_to` lists the
    built-in roles for people (`view`, `edit`, `admin`) the ClusterRole is aggregated into by its
    `rbac.authorization.k8s.io/aggregate-to-*` labels. `resource_names` are the objects the rule
    is limited to (`resourceNames`; empty: every object, as Kubernetes reads it, and when unknown).
    """

    role: str = ""
    cluster_scoped: bool = False
    verbs: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    api_groups: list[str] = field(default_factory=list)
    role_loc: Loc | None = None
    aggregate_to: list[str] = field(default_factory=list)
    resource_names: list[str] = field(default_factory=list)


class CustomApiGroup(Fact):
    """An API group a CustomResourceDefinition or an aggregated APIService of the scan serves: a
    wildcard confined to it reaches only that operator's own resources (NHI206: a note)."""

    group: str = ""


class Workload(Fact):
    """Something that runs as an identity (NHI401, NHI402).

    `identity` is the identity key it runs as: for Kubernetes `ServiceAccount/NAMESPACE/NAME`
    (the address of its `Identity`), for AWS the role (address or ARN text), for GCP the
    service-account email or reference. `uses_default` is True when it runs as a platform default
    identity; `identity_loc` is the line naming it. `token_mounted` None means the workload does
    not say and its identity's `automount_token` decides (Kubernetes).
    """

    kind: str = ""
    name: str = ""
    platform: str = ""
    identity: str | None = None
    identity_loc: Loc | None = None
    uses_default: bool = False
    token_mounted: bool | None = True
    # an AI agent, or what runs for one, as findings on its identity name it: `Bedrock agent support`,
    # `Lambda lookup (an action group of Bedrock agent support)`; empty for other workloads
    agent: str = ""


class CiAuth(Fact):
    """How a CI job reaches a cloud (NHI103). method: static | federated."""

    ci: str = ""  # github | gitlab
    cloud: str = ""  # aws | gcp | azure
    method: str = ""
    job: str = ""
    detail: str = ""
    secrets: list[str] = field(default_factory=list)  # stored secrets the key is read from, by name


class CiSecretUse(Fact):
    """A stored CI secret referenced by a pipeline (NHI107, NHI403)."""

    ci: str = ""
    secret: str = ""
    workflow: str = ""  # file
    job: str = ""
    usage: str = ""  # checkout | gh | git-push | api | env | with | inherit | global-variable
    environment: str = ""  # the deployment environment whose variables it reads (Bitbucket), if any


class TokenScope(Fact):
    """A GitHub workflow's or job's `permissions` (NHI208); `permissions` None = not set."""

    level: str = "workflow"  # workflow | job
    job: str = ""
    permissions: Any = None
    federates: bool = False  # the job requests an OIDC token
    locs: dict[str, Loc] = field(default_factory=dict)  # where each scope (`id-token`...) is written
    reusable: bool = False  # the workflow only runs via `workflow_call`: its caller caps the token
    calls_workflow: bool = False  # a job that calls a reusable workflow (`jobs.<id>.uses`)


class StoredSecret(Fact):
    """A secret kept in a secret manager (NHI304); `rotated` when a rotation or expiry is in the scan.

    What says whether it holds a credential or configuration: its `description` (or content type),
    the keys of its value (`password` of a JSON value, `db_password` of `var.db_password`), and
    `generated`, what mints the value (`random_password.db`, `GenerateSecretString`). `missing`
    names what would rotate it on its platform.
    """

    address: str = ""
    name: str = ""
    rotated: bool = False
    description: str = ""
    value_keys: list[str] = field(default_factory=list)
    generated: str = ""
    missing: str = "rotation schedule"


class Rotation(Fact):
    secret: str = ""  # address or reference text of the secret it rotates


class Planned(Fact):
    """A resource instance of a Terraform plan, at the place it is reported (its `.tf` block, or its
    entry in the plan): findings about it replace the `.tf` file's at the same line; one the plan does
    not deploy (deleted, unchanged) is reported only when asked (`--all-resources`)."""

    address: str  # module.ci.aws_iam_role.deploy["prod"]
    deployed: bool = True
    in_source: bool = False  # the `.tf` files declare its block: the source scan judges it too


class Suppression(Fact):
    """An in-file or in-object ignore (Kubernetes annotation, CloudFormation Metadata)."""

    rules: list[str] = field(default_factory=list)
    reason: str = ""
    expires: str | None = None
    start_line: int = 0
    end_line: int = 0


class AgentCredential(Struct, frozen=True):
    """One setting an MCP server is given (an env variable, a header, an argument, its URL), as
    written: `refs` are the variables it reads (`env:NAME`, `input:id`, `secrets:NAME`)."""

    loc: Loc
    setting: str  # where: `mcpServers.github.env.GITHUB_PERSONAL_ACCESS_TOKEN`
    name: str  # the variable, header or option it sets (empty for a positional argument)
    value: str
    refs: tuple[str, ...] = ()
    context: str = ""  # env | header | arg | url


class AgentServer(Fact):
    """An MCP server an AI agent's client is configured with (NHI107, NHI209, NHI403); `loc` is
    where its name is written. `runs` says what it is whatever its name (its package, image or URL),
    `forge` whether it is the GitHub or GitLab server."""

    name: str = ""
    address: str = ""
    client: str = ""  # vscode | continue | mcp (the common `mcpServers` layout)
    transport: str = ""  # stdio | http | sse
    url: str = ""
    url_loc: Loc | None = None
    runs: str = ""
    forge: str = ""  # github | gitlab | ""
    headers: bool = False
    oauth: bool = False
    credentials: list[AgentCredential] = field(default_factory=list)
