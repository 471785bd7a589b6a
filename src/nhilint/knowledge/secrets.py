"""Credential detectors: the heart of NHI101 (hardcoded-credential). What names and placeholders say
is `credential_names`; what nhilint shows of a secret, `redaction`.

Pure functions over strings, shared by every format. `detect(value, key)` answers "is this literal
a credential?" and says what kind, how sure, and where in `value` the secret sits; it never returns
the secret itself. Nothing the user could see should ever contain more than `redact(...)` of it.

Two tiers:
* high: a token whose format proves what it is (a vendor prefix, a PEM header, a JWT header),
  found anywhere inside the value (connection strings, `export TOKEN=...` script lines, JSON);
* medium: a literal that looks like a secret, assigned to a credential-named field
  (`password`, `client_secret`, `GITHUB_TOKEN`...), or a `password=...` pair inside the value.

Decisions (see tests/test_secrets.py for the examples that pin them):
* AWS: AKIA (long-term) and ASIA (STS session) key ids, plus ABIA/ACCA and legacy A3T ids, are
  credentials. AIDA/AROA/AGPA/ANPA/ANVA/AIPA are the unique ids of users, roles, groups, policies
  and instance profiles: identifiers, not secrets, never flagged.
* Stripe `sk_test_`/`rk_test_` keys only reach a sandbox: not flagged, not even by the generic
  detector. Publishable `pk_` keys are public by design.
* A weak literal password (`Passw0rd!`, `hunter2hunter2`) in a credential-named field is still a
  hardcoded credential and is flagged (medium); only placeholders, references and name-like values
  (lowercase words with `-`/`_`/`.`, SCREAMING_SNAKE env var names, CamelCase words) are not.
* GitHub's CRC32 token checksum is not checked: format + prefix already give high confidence, and a
  token failing it is still a hardcoded-looking secret that must not live in IaC.
* URLs with a password are credentials unless the password is a placeholder/reference, equals the
  user name, or the host is loopback (CI service containers, local dev databases).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from functools import cache

from msgspec import Struct

from nhilint.knowledge.agent_keys import AGENT_KEY_FORMATS
from nhilint.knowledge.credential_names import (
    WORDS,
    credential_category,
    is_reference_or_placeholder,
    lazy,
    names_itself,
)


class Detection(Struct, frozen=True):
    """A credential found in a value. `value[start:end]` is the secret part (for redaction/columns)."""

    kind: str  # human readable: "AWS access key ID", "GitHub personal access token", "password"
    confidence: str  # "high" (format proves it) | "medium" (credential-named field + looks random)
    start: int = 0
    end: int = 0


def entropy(value: str) -> float:
    """Shannon entropy of `value`, in bits per character."""
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values()) if n else 0.0


# `name = value`, `name: value`, `"name": "value"`, `NAME=value`, `--name=value`: a name (a whole run of
# name characters, bounded), a separator (`:` needs a space or a closing quote after the name, so ARNs
# and URLs are not pairs; `=` is not `==`), then a quoted value (escapes kept inside) or a bare one
# (words up to the next `,;}])` or ` #`). Every part is bounded or unambiguous: linear in the text.
ASSIGNED = lazy(
    r"""(?<![\w.-])(?P<name>[\w.-]{1,128})
        (?:["'][ \t]*:|[ \t]*:(?=[ \t])|["']?[ \t]*=(?![=>~]))[ \t]*
        (?:"(?P<double>(?:[^"\\\n]|\\.)*)|'(?P<single>(?:[^'\n]|'')*)
          |(?P<bare>[^\s"',;{}\[\]()#][^\s,;}\]]*(?:[ \t]+[^\s,;{}\[\]#][^\s,;}\]]*)*))""",
    re.VERBOSE,
)


# --- generic (medium) heuristics -----------------------------------------------------------------

_NOT_SECRET = lazy(
    r"""[a-z]+[0-9]*(?:[-_.:/][a-z]+[0-9]*|[-_.][0-9]+)*   # names: my-app-secret, db_creds_v2, read:org
      | [a-z]+[0-9]*(?:[a-z]+[0-9]*)?(?:[-_.:/][a-z]+[0-9]*(?:[a-z]+[0-9]*)?)+  # tfc-agent-k8s-secrets
      | [A-Z]+[0-9]*(?:_[A-Z0-9]+)+                        # env var names: SECRET_NAME
      | [A-Za-z][a-z]+(?:[A-Z][a-z]+)+                     # CamelCase words: DbPassword
      | [-+]?[0-9][0-9_.,:]* | true|false|yes|no|on|off|True|False|TRUE|FALSE
      | (?:~|\.{1,2})?(?:/[\w.@-]+)+/? | [\w.-]+/[\w./-]*\.(?:pem|key|json|p12|pfx|jks|crt|txt|env|ya?ml)
      | [a-zA-Z][\w+.-]*://\S* | arn:\S+ | [^@\s]+@[^@\s]+\.[a-z]{2,}
      | (?:sha\d*|md5):[0-9a-fA-F]+ | [\[{].* | -----BEGIN\ .* | (?:sk|rk|pk)_test_\w+ | pk_live_\w+""",
    re.VERBOSE | re.DOTALL,
)


def _looks_secret(value: str) -> bool:
    """A literal that could be a password/secret (the field name already says it should be one)."""
    v = value.strip()
    if len(v) < 8 or any(c.isspace() for c in v) or _NOT_SECRET().fullmatch(v):
        return False
    if is_reference_or_placeholder(v):
        return False
    classes = sum(
        (
            any(c.islower() for c in v),
            any(c.isupper() for c in v),
            any(c.isdigit() for c in v),
            any(not c.isalnum() for c in v),
        )
    )
    e = entropy(v)
    return e >= 3.0 or (classes >= 2 and e >= 2.5)


# --- high-confidence detectors -------------------------------------------------------------------

# A check returns whether the match is a credential, or the kind to report instead of the detector's.
Check = Callable[[re.Match[str]], "bool | str | None"]


def _real(m: re.Match[str]) -> bool:
    """The random part (group `body` or `secret`, else the match) is not a placeholder."""
    part = next((m.group(g) for g in ("body", "secret") if g in m.re.groupindex), m.group())
    return not is_reference_or_placeholder(part)


def _has_pem_key(m: re.Match[str]) -> bool:
    return any(_pem_body(p) for p in compiled_pattern(_PEM_HEADER).finditer(m.string))


def _pem_body(m: re.Match[str]) -> bool:
    """A PEM header followed by key material (not `...` or a bare header in docs)."""
    return re.search(r"[A-Za-z0-9+/]{32,}", m.string[m.end() : m.end() + 400]) is not None


def _jwt(m: re.Match[str]) -> bool:
    import base64
    import json

    header = m.group().split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except ValueError:
        return False
    return isinstance(decoded, dict) and "alg" in decoded


def _basic_auth(m: re.Match[str]) -> bool:
    import base64
    import binascii

    try:
        user, _, password = base64.b64decode(m.group("secret"), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return bool(user) and bool(password) and not is_reference_or_placeholder(password)


def _bearer(m: re.Match[str]) -> bool:
    token = m.group("secret")
    return _real(m) and _NOT_SECRET().fullmatch(token) is None and entropy(token) >= 3.0


def _url_password(m: re.Match[str]) -> bool:
    password, host = m.group("secret"), m.group("host").lower()
    loopback = host in ("localhost", "127.0.0.1", "[::1]", "0.0.0.0")
    return not loopback and password != m.group("user") and not is_reference_or_placeholder(password)


# A property read in program text (`event.resultToken`, `self.apiKey`, `process.env.TOKEN`): code, not
# a literal, whatever the name it is assigned to.
_PROPERTY_READ = lazy(r"[a-z_$][a-z0-9_$]*(?:\.[A-Za-z_$][\w$]*)+")


def _assignment(m: re.Match[str]) -> str | None:
    """`password=...` / `export API_TOKEN=...` inside a value: the name must be credential-named."""
    start = m.start()
    while start and (m.string[start - 1].isalnum() or m.string[start - 1] in "_.-"):
        start -= 1
    name = m.string[start : m.start("secret")].rstrip("\"' \t:=")
    value = m.group("secret")
    if _PROPERTY_READ().fullmatch(value) and not value.islower():
        return None
    return credential_category(name) if _looks_secret(value) else None


class _Detector(Struct, frozen=True):
    kind: str
    hints: tuple[str, ...]  # one of these literals must occur in the value: a cheap prefilter
    # Group `body`: the random part of a token (checked for placeholders; the finding spans the whole
    # token, whose prefix is not secret). Group `secret`: the secret behind a wrapper such as `Bearer `
    # or `password=` (the finding spans only it).
    pattern: str
    check: Check = _real
    confidence: str = "high"
    ignore_case: bool = False  # hints are lowercase and tested against the lowercased value


_PEM_HEADER = r"-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
_B = r"(?<![A-Za-z0-9_])"  # not inside a longer word
_E = r"(?![A-Za-z0-9_])"
_GITHUB = {
    "ghp": "personal access token",
    "gho": "OAuth access token",
    "ghu": "user-to-server token",
    "ghs": "app installation token",
    "ghr": "refresh token",
}
_GITLAB = {
    "glpat": "personal/project access token",
    "gldt": "deploy token",
    "glrt": "runner token",
    "glptt": "pipeline trigger token",
    "gloas": "OAuth application secret",
    "glft": "feed token",
    "glsoat": "SCIM token",
    "glagent": "agent token",
}
_AWS_ID = r"(?P<body>[A-Z0-9]{16})" + _E


# In priority order: when several match one value, the first one in this list names the finding.
_DETECTORS: tuple[_Detector, ...] = (
    _Detector(
        "GCP service-account key", ("service_account",), r'"type"\s*:\s*"service_account"', _has_pem_key
    ),
    _Detector("PEM private key", ("PRIVATE KEY",), _PEM_HEADER, _pem_body),
    _Detector(
        "AWS access key ID", ("AKIA", "ABIA", "ACCA", "A3T"), _B + r"(?:AKIA|ABIA|ACCA|A3T[A-Z0-9])" + _AWS_ID
    ),
    _Detector("AWS temporary access key ID", ("ASIA",), _B + "ASIA" + _AWS_ID),
    # LLM and agent-platform keys (OpenAI, Anthropic, Hugging Face, Groq...): their own module
    *(_Detector(kind, hints, pattern) for kind, hints, pattern in AGENT_KEY_FORMATS),
    *(
        _Detector(f"GitHub {kind}", (prefix + "_",), _B + prefix + r"_(?P<body>[A-Za-z0-9]{36})" + _E)
        for prefix, kind in _GITHUB.items()
    ),
    _Detector(
        "GitHub fine-grained personal access token",
        ("github_pat_",),
        _B + r"github_pat_(?P<body>[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + _E,
    ),
    *(
        _Detector(f"GitLab {kind}", (prefix + "-",), _B + prefix + r"-(?P<body>[\w-]{20,}(?:\.[\w.-]+)?)")
        for prefix, kind in _GITLAB.items()
    ),
    _Detector("GitLab runner registration token", ("GR1348941",), _B + r"GR1348941(?P<body>[\w-]{20,})"),
    _Detector("Slack token", ("xox",), _B + r"xox[abeoprs]-(?P<body>[A-Za-z0-9-]{10,})"),
    _Detector("Slack app-level token", ("xapp-",), _B + r"xapp-\d-(?P<body>[A-Z0-9]+-\d+-[a-z0-9]{20,})"),
    _Detector(
        "Slack webhook URL",
        ("hooks.slack.com",),
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<body>[A-Za-z0-9_/]{20,})",
    ),
    _Detector("Stripe live secret key", ("sk_live_",), _B + r"sk_live_(?P<body>[A-Za-z0-9]{24,})"),
    _Detector("Stripe live restricted key", ("rk_live_",), _B + r"rk_live_(?P<body>[A-Za-z0-9]{24,})"),
    _Detector("Azure storage account key", ("AccountKey=",), r"AccountKey=(?P<secret>[A-Za-z0-9+/]{86}==)"),
    _Detector(
        "Azure shared access key", ("SharedAccessKey=",), r"SharedAccessKey=(?P<secret>[A-Za-z0-9+/]{42,}=*)"
    ),
    _Detector("Azure SAS token", ("sig=",), r"[?&]sig=(?P<secret>[A-Za-z0-9%+/]{40,}(?:=|%3[Dd])*)"),
    _Detector(
        "Azure AD client secret", ("Q~",), r"(?<![\w~.-])[\w~.]{3}\dQ~(?P<body>[\w~.-]{31,34})(?![\w~.-])"
    ),
    _Detector("Google API key", ("AIza",), _B + r"AIza(?P<body>[\w-]{35})" + _E),
    _Detector("Google OAuth client secret", ("GOCSPX-",), _B + r"GOCSPX-(?P<body>[\w-]{28})" + _E),
    _Detector("HashiCorp Vault token", ("hvs.", "hvb."), _B + r"hv[sb]\.(?P<body>[\w-]{24,})"),
    _Detector("Terraform Cloud API token", (".atlasv1.",), r"[a-zA-Z0-9]{14}\.atlasv1\.(?P<body>[\w-]{60,})"),
    _Detector("npm access token", ("npm_",), _B + r"npm_(?P<body>[A-Za-z0-9]{36})" + _E),
    _Detector("PyPI API token", ("pypi-",), _B + r"pypi-AgEIcHlwaS5vcmc(?P<body>[\w-]{50,})"),
    _Detector("Docker Hub access token", ("dckr_pat_",), _B + r"dckr_pat_(?P<body>[\w-]{27,})"),
    # Starts only where a run of `[\w-]` starts: with `_B`, `eyJ-eyJ-...` is rescanned from every `eyJ`.
    _Detector("JSON Web Token", ("eyJ",), r"(?<![\w-])eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}", _jwt),
    _Detector("bearer token", ("earer",), r"\b[Bb]earer\s+(?P<secret>[\w.~+/-]{20,}=*)", _bearer),
    _Detector(
        "HTTP basic-auth credentials",
        ("Basic",),
        r"\bBasic\s+(?P<secret>[A-Za-z0-9+/]{8,}={0,2})(?![\w+/=])",
        _basic_auth,
    ),
    _Detector(
        "password in URL",
        ("://",),
        # Schemes are short (registered ones under 32 characters): bounded, a long `a.a.a...` is not
        # rescanned from every word. User and password stop at the `/` of any later `://`.
        r"[a-zA-Z][\w+.-]{0,31}://(?P<user>[^:/@\s]*):(?P<secret>[^@/\s]+)@(?P<host>[^\s/:?#]+)",
        _url_password,
    ),
    _Detector(
        "credential",  # the check names the kind after the assigned name: password, token...
        ("pass", "pwd", "secret", "token", "key", "auth", "cred"),
        # `name=value`, `name: value`, `"name":"value"`; not `:secret:` inside ARNs and patterns
        # The rest of the name is bounded: unbounded, `keykeykey...` is rescanned from every `key`.
        r"(?i:pass|pwd|secret|token|key|auth|cred)[\w.-]{0,64}"
        r"(?:[\"']?[ \t]*=|[ \t]*:[ \t]|[\"']:)[ \t]*[\"']?"
        r"(?P<secret>[^\s\"'`;&|,(){}\[\]=]{8,}=*)(?![^\s\"'`;&|,)}\]])",
        _assignment,
        "medium",
        ignore_case=True,
    ),
)
AWS_SECRET = lazy(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
compiled_pattern = cache(re.compile)


@cache
def _hints(ignore_case: bool) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Each hint of the case-sensitive (or case-insensitive) detectors, and the detectors it enables."""
    by_hint: dict[str, list[int]] = {}
    for i, d in enumerate(_DETECTORS):
        for hint in d.hints if d.ignore_case == ignore_case else ():
            by_hint.setdefault(hint, []).append(i)
    return tuple((hint, tuple(ids)) for hint, ids in by_hint.items())


def candidates(value: str) -> list[_Detector]:
    """The detectors worth running on `value`, in priority order (most values: none). One substring
    search per hint: a few dozen C scans, several times faster than one alternation regex."""
    chosen = {i for hint, detectors in _hints(False) if hint in value for i in detectors}
    if "=" in value or ":" in value:  # every case-insensitive detector is an assignment
        lowered = value.lower()
        chosen.update(i for hint, detectors in _hints(True) if hint in lowered for i in detectors)
    return [_DETECTORS[i] for i in sorted(chosen)]


def aws_secret_like(s: str) -> bool:
    """40 base64 characters of all classes (a git SHA is lowercase hex and never matches)."""
    return (
        any(c.islower() for c in s)
        and any(c.isupper() for c in s)
        and any(c.isdigit() or c in "+/" for c in s)
        and not is_reference_or_placeholder(s)
    )


def _find_token(value: str) -> tuple[Detection | None, bool]:
    """The first detector (in priority order) with a match that passes its check; and whether the
    whole value had a token's shape but failed the check (a placeholder such as `AKIAXXXX...`)."""
    placeholder = False
    whole = value.strip()  # once: per match, a long value full of near-misses made this quadratic
    for d in candidates(value):
        for m in compiled_pattern(d.pattern).finditer(value):
            verdict = d.check(m)
            if verdict:
                kind = verdict if isinstance(verdict, str) else d.kind
                span = m.span("secret") if "secret" in m.re.groupindex else m.span()
                return Detection(kind, d.confidence, *span), False
            placeholder = placeholder or m.group() == whole
    return None, placeholder


# Fields whose value is a program (CloudFormation `Code.ZipFile`, SAM `InlineCode`, `inline_code`):
# only a token whose format proves what it is counts there; `token = event.token` is code.
CODE_KEYS = frozenset({"zipfile", "inlinecode", "inline_code", "source_code", "sourcecode"})


def _quoted_in_code(code: str) -> Detection | None:
    """A quoted literal assigned to a credential-named name in program text (`password = "..."`,
    `apiKey: '...'`); unquoted right-hand sides (`token = event.token`) are code."""
    for m in ASSIGNED().finditer(code):
        group = "double" if m["double"] is not None else "single" if m["single"] is not None else None
        category = credential_category(m["name"]) if group else None
        if group and category and _looks_secret(m[group]):
            return Detection(category, "medium", m.start(group), m.end(group))
    return None


def detect(value: str, key: str = "") -> Detection | None:
    """Is `value` (assigned to the field/env/variable named `key`, maybe empty) a credential?"""
    if len(value) < 8:
        return None
    if key.lower() in CODE_KEYS and "\n" in value.strip():
        found = _find_token(value)[0]
        return found if found and found.confidence == "high" else _quoted_in_code(value)
    found, placeholder = _find_token(value)
    if found and found.kind.startswith("AWS") and any(map(aws_secret_like, AWS_SECRET().findall(value))):
        return Detection(found.kind + " and secret access key", "high", found.start, found.end)
    if found or placeholder or not key:
        return found
    category = credential_category(key)
    if category is None:
        return None
    stripped = value.strip()
    start = value.find(stripped)
    words = [w.lower() for w in WORDS().findall(key)]
    aws_named = "secret" in words and {"aws", "access", "key"}.intersection(words)
    if aws_named and AWS_SECRET().fullmatch(stripped) and aws_secret_like(stripped):
        return Detection("AWS secret access key", "high", start, start + len(stripped))
    if _looks_secret(stripped) and not names_itself(stripped, key):
        return Detection(category, "medium", start, start + len(stripped))
    return None
