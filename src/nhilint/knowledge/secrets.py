"""Credential detectors, placeholders and redaction: the heart of NHI101 (hardcoded-credential).

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
from dataclasses import dataclass
from functools import cache, lru_cache


@dataclass(frozen=True)
class Detection:
    """A credential found in a value. `value[start:end]` is the secret part (for redaction/columns)."""

    kind: str  # human readable: "AWS access key ID", "GitHub personal access token", "password"
    confidence: str  # "high" (format proves it) | "medium" (credential-named field + looks random)
    start: int = 0
    end: int = 0


def redact(value: str) -> str:
    """At most a quarter of `value`, and never more than 4 characters, then `****`: a 16-character
    token shows `ghp_`, an 8-character password its first 2 characters, one under 8 nothing."""
    shown = min(4, len(value) // 4) if len(value) >= 8 else 0
    return value[:shown] + "****"


def redact_secrets(text: str) -> str:
    """`text` with every credential the detectors find in it cut to its `redact(...)` prefix.

    For what nhilint shows (messages, identity names): a secret that reached a name through a
    broken file or an odd template is still never printed. Every candidate detector reads the
    text once and every match it accepts is cut, wherever it lies (one pass: linear in the text,
    whatever the number of secrets). Most texts hold no hint of a token and cost a few substring
    searches.
    """
    if len(text) < 8:
        return text
    spans: list[tuple[int, int]] = []
    aws = False
    for d in _candidates(text):
        for m in _compile(d.pattern).finditer(text):
            verdict = d.check(m)
            start, end = m.span("secret") if "secret" in m.re.groupindex else m.span()
            if verdict and end > start:
                spans.append((start, end))
                aws = aws or (verdict if isinstance(verdict, str) else d.kind).startswith("AWS")
    parts: list[str] = []
    done = 0
    for start, end in _merged(spans):
        parts += [text[done:start], redact(text[start:end])]
        done = end
    redacted = "".join(parts) + text[done:]
    if aws:  # a key ID's secret access key has no prefix of its own: 40 random characters near it
        redacted = _AWS_SECRET().sub(lambda m: redact(m[0]) if _aws_secret_like(m[0]) else m[0], redacted)
    return redacted


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans joined into one, in text order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def entropy(value: str) -> float:
    """Shannon entropy of `value`, in bits per character."""
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values()) if n else 0.0


def _lazy(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """Compile on first use: importing this module must stay cheap (pre-commit start-up)."""
    return cache(lambda: re.compile(pattern, flags))


_SNIPPET_WORD = _lazy(r"[^\s\"'{}\[\]()=,:;<>@#]+")
_HARMLESS_WORD = _lazy(r"[A-Za-z_]{1,10}|.{1,3}")


def redact_snippet(text: str) -> str:
    """Source text quoted in an error message, with every word that could be a secret redacted.

    Short letter-only words (`locals`, `resource`) and punctuation stay readable; anything else
    (`AKIA...`, a password) keeps only its `redact(...)` prefix.
    """
    return _SNIPPET_WORD().sub(lambda m: m[0] if _HARMLESS_WORD().fullmatch(m[0]) else redact(m[0]), text)


# `name = value`, `name: value`, `"name": "value"`, `NAME=value`, `--name=value`: a name (a whole run of
# name characters, bounded), a separator (`:` needs a space or a closing quote after the name, so ARNs
# and URLs are not pairs; `=` is not `==`), then a quoted value (escapes kept inside) or a bare one
# (words up to the next `,;}])` or ` #`). Every part is bounded or unambiguous: linear in the text.
_ASSIGNED = _lazy(
    r"""(?<![\w.-])(?P<name>[\w.-]{1,128})
        (?:["'][ \t]*:|[ \t]*:(?=[ \t])|["']?[ \t]*=(?![=>~]))[ \t]*
        (?:"(?P<double>(?:[^"\\\n]|\\.)*)|'(?P<single>(?:[^'\n]|'')*)
          |(?P<bare>[^\s"',;{}\[\]()#][^\s,;}\]]*(?:[ \t]+[^\s,;{}\[\]#][^\s,;}\]]*)*))""",
    re.VERBOSE,
)
# `--client-secret VALUE`, `-p 'VALUE'`, `aws configure set aws_secret_access_key VALUE`: a command-line
# option (or a `set` subcommand's setting), blanks, then one quoted or bare word (not the next option).
_OPTION = _lazy(
    r"""(?:(?<![\w-])--?|(?<![\w-])set[ \t]+)(?P<name>[A-Za-z][\w.-]{0,127})[ \t]+
        (?:"(?P<double>(?:[^"\\\n]|\\.)*)|'(?P<single>(?:[^'\n]|'')*)|(?P<bare>[^\s"'\-;&|)#][^\s;&|)]*))""",
    re.VERBOSE,
)
_LOGIN = _lazy(r"\blogin\b")
# Unquoted, these are expressions or keywords, not literals: Terraform references and calls
# (`var.db_password`, `random_password.db.result`, `file("key.json")`), `secrets: inherit` (GitHub
# Actions), booleans and nulls.
_BARE_EXPRESSION = _lazy(
    r"[A-Za-z_][\w-]*(?:\.[\w*-]+|\[[^\]\n]*\])+|[A-Za-z_][\w.]*\(.*"
    r"|(?i:true|false|yes|no|on|off|null|nil|none|inherit)"
)


def redact_assigned(text: str) -> str:
    """`text` with every literal assigned to a credential-named field (`password = "..."`,
    `"Password":"..."`, `token: ...`, `DB_SECRET=...`, `--client-secret "..."`, a login's `-p ...`)
    replaced by `****`, whether or not a detector recognises the value. References, templates and
    unquoted expressions stay; so does a value already cut to a redaction (`Summ****`, by
    `redact_secrets` or a rule), so that such text reads the same before and after this pass.
    """
    if "=" in text or ":" in text:
        text = _ASSIGNED().sub(lambda m: _cut(m, _credential_category(m["name"]) is not None), text)
    if "-" in text or "set" in text:  # command lines: the value follows its option after a blank
        login = _LOGIN().search(text) is not None  # `az login -p X`, `docker login -p X`: a password
        text = _OPTION().sub(
            lambda m: _cut(m, _credential_category(m["name"]) is not None or (login and m["name"] == "p")),
            text,
        )
    return text


def _cut(m: re.Match[str], credential: bool) -> str:
    """The match of `_ASSIGNED` or `_OPTION` with its literal value replaced by `****` when its name is
    a `credential` one."""
    group = next(g for g in ("double", "single", "bare") if m[g] is not None)
    value = m[group]
    keep = (
        not value
        or not credential
        or "****" in value
        or _REFERENCE().search(value) is not None
        or _has_template(value)
        or (group == "bare" and _BARE_EXPRESSION().fullmatch(value) is not None)
    )
    if keep:
        return m[0]
    start, end = m.start(group) - m.start(), m.end(group) - m.start()
    return m[0][:start] + "****" + m[0][end:]


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- placeholders and references ------------------------------------------------------------------

_REFERENCE = _lazy(
    r"""\$\{ | \$\( | \(\([\w.\s-]+\)\) | \#\{[^{}]*\} | %\(\w+\)s | <[^<>\n]+>
      | ^\$[A-Za-z_]\w*$ | (?:^|[^\w$])\$[A-Z_][A-Z0-9_]*\b | ^__\w+__$ | ^ENC\[ | @Microsoft\.KeyVault\(
      | ^(?:vault|ssm|secretsmanager|sm|op|gcpsm|awssm|azurekv)(?::|://)
      | ^arn:aws[\w-]*:(?:secretsmanager|ssm|kms): | ^projects/[^/]+/secrets/""",
    re.VERBOSE,
)
_PLACEHOLDER_WORDS = _wordset(
    """
    changeme change me this replace replaceme todo tbd fixme dummy example sample test testing
    password passwd pass pwd secret secrets token key api apikey access credential credentials none
    null nil undefined empty redacted placeholder fake foo bar baz foobar my your here value default
    insert enter put qwerty letmein admin user username xxx na n a
    """
)
# Substrings that make any value a placeholder ("ghp_xxxxxxxx", "<your-key>", "sk_live_...").
_PLACEHOLDER_PARTS = _wordset(
    """
    example placeholder redacted changeme change_me change-me replace_me replace-me replaceme dummy
    xxxx **** ... your_ your-
    """
)
_WORDS = _lazy(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def is_reference_or_placeholder(value: str, key: str = "") -> bool:
    """References (`${...}`, `{{ }}`, `$VAR`, `vault:`...) and placeholders are never credentials;
    nor is a value that repeats the name of the field it is assigned to (`MAPS_API_KEY:
    MAPS_API_KEY_VAL`, a token a deploy script substitutes)."""
    v = value.strip().strip("'\"")
    if not v or _REFERENCE().search(v) or _has_template(v) or (key and _names_itself(v, key)):
        return True
    low = v.lower()
    if any(part in low for part in _PLACEHOLDER_PARTS) or _is_trivial(v):
        return True
    # "test-token", "YOUR_API_KEY_HERE", "MySecretPassword": only placeholder words, no digits.
    words_only = re.fullmatch(r"[A-Za-z_.\- ]+", v) is not None and all(
        w.lower() in _PLACEHOLDER_WORDS for w in _WORDS().findall(v)
    )
    return words_only or _base64_placeholder(v)


def _names_itself(value: str, key: str) -> bool:
    """`value` is `key` (case and separators aside) plus at most a short word (`_VAL`, `-here`)."""
    name, text = _squashed(key), _squashed(value)
    if len(name) < 4 or name not in text or re.fullmatch(r"[\w.-]+", value) is None:
        return False
    rest = text.replace(name, "", 1)
    return rest == "" or (rest.isalpha() and len(rest) <= 12)


def _squashed(text: str) -> str:
    return re.sub(r"[\W_]", "", text.lower())


_BASE64 = _lazy(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def _base64_placeholder(value: str) -> bool:
    """`cGFzc3dvcmQ=` (Kubernetes Secret `data`, Terraform `binary_data`): base64 of a placeholder
    (`password`, `changeme`, empty) is a placeholder. Random bytes are rarely UTF-8 text, and text
    that is not a placeholder stays a credential."""
    import base64
    import binascii

    if not value or len(value) > 256 or not _BASE64().fullmatch(value):  # placeholders are short
        return False
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8").strip()
    except (binascii.Error, UnicodeDecodeError):
        return False
    if not decoded:
        return True
    return decoded.isprintable() and is_reference_or_placeholder(decoded)


def _has_template(value: str) -> bool:
    """`{{ ... }}` on one line. Not a regex: `{{.*}}` rescans the rest of the line from every `{{`."""
    return any((i := line.find("{{")) >= 0 and "}}" in line[i + 2 :] for line in value.splitlines())


def _is_trivial(s: str) -> bool:
    """Repeated characters or an obvious run (`aaaa`, `abab`, `1234567890`, `abcdef`)."""
    if len(set(s)) <= 2:
        return True
    steps = sum(abs(ord(b) - ord(a)) <= 1 for a, b in zip(s, s[1:], strict=False))
    return steps >= 0.8 * (len(s) - 1)


# --- credential-named keys -----------------------------------------------------------------------

_CRED_WORDS = {
    **dict.fromkeys(("password", "passwd", "pwd", "pass", "passphrase"), "password"),
    **dict.fromkeys(("token", "tokens", "apitoken", "authtoken", "accesstoken", "bearer"), "token"),
    **dict.fromkeys(("secret", "secrets", "secretkey"), "secret"),
    **dict.fromkeys(("credential", "credentials", "creds", "auth", "authorization"), "credential"),
    "apikey": "API key",
    "accesskey": "access key",
    "privatekey": "private key",
    "connstr": "connection string",
    "connectionstring": "connection string",
}
# "<qualifier>_key" is a credential; a bare "key" (S3 object key, map key) is not.
_KEY_QUALIFIERS = {
    **dict.fromkeys(("api", "app", "auth", "service"), "API key"),
    **dict.fromkeys(("access", "account", "master", "shared", "storage"), "access key"),
    **dict.fromkeys(("secret", "encryption"), "secret"),
    **dict.fromkeys(("private", "signing", "client", "deploy", "ssh"), "private key"),
}
# Words that may follow the credential word ("private_key_pem", "secret_string", "password_wo").
_TAILS = _wordset(
    """
    value val string str data b64 base64 encoded plain plaintext text raw hex json pem der wo
    literal content contents
    """
)
# Words before it that make the field about something else ("public_key", "max_token", "kms_key").
_NOT_BEFORE = _wordset(
    """
    public pub kms max min num is has use enable enabled require allow generate create rotate no
    skip page next continuation request idempotency change output input lifecycle
    """
)


@lru_cache(maxsize=4096)
def _credential_category(key: str) -> str | None:
    """What a credential-named `key` holds ("password", "token", ...), None if it is not one."""
    words = [w.lower() for w in _WORDS().findall(key) if not w.isdigit()]
    for i in range(len(words) - 1, -1, -1):
        word, prev = words[i], words[i - 1] if i else ""
        category = _CRED_WORDS.get(word)
        if word == "key":
            category = _KEY_QUALIFIERS.get(prev)
        elif word in ("string", "str") and prev in ("connection", "conn"):
            category = "connection string"
        if category:
            tail_ok = all(w in _TAILS for w in words[i + 1 :])
            return category if tail_ok and not _NOT_BEFORE.intersection(words[:i]) else None
    return None


def is_credential_name(key: str) -> bool:
    """Does the field/env/variable name `key` say it holds a credential (`clientSecret`, `DB_PASSWORD`)?

    Names of things about a credential are not: `token_ttl`, `password_length`, `secret_name`,
    `secret_arn`, `key_id`, `secret_id`, `password_file`, `max_token`, `kms_key`, `public_key`.
    """
    return _credential_category(key) is not None


# --- generic (medium) heuristics -----------------------------------------------------------------

_NOT_SECRET = _lazy(
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
    return any(_pem_body(p) for p in _compile(_PEM_HEADER).finditer(m.string))


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
_PROPERTY_READ = _lazy(r"[a-z_$][a-z0-9_$]*(?:\.[A-Za-z_$][\w$]*)+")


def _assignment(m: re.Match[str]) -> str | None:
    """`password=...` / `export API_TOKEN=...` inside a value: the name must be credential-named."""
    start = m.start()
    while start and (m.string[start - 1].isalnum() or m.string[start - 1] in "_.-"):
        start -= 1
    name = m.string[start : m.start("secret")].rstrip("\"' \t:=")
    value = m.group("secret")
    if _PROPERTY_READ().fullmatch(value) and not value.islower():
        return None
    return _credential_category(name) if _looks_secret(value) else None


@dataclass(frozen=True)
class _Detector:
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

_AWS_SECRET = _lazy(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_compile = cache(re.compile)


@cache
def _hints(ignore_case: bool) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Each hint of the case-sensitive (or case-insensitive) detectors, and the detectors it enables."""
    by_hint: dict[str, list[int]] = {}
    for i, d in enumerate(_DETECTORS):
        for hint in d.hints if d.ignore_case == ignore_case else ():
            by_hint.setdefault(hint, []).append(i)
    return tuple((hint, tuple(ids)) for hint, ids in by_hint.items())


def _candidates(value: str) -> list[_Detector]:
    """The detectors worth running on `value`, in priority order (most values: none). One substring
    search per hint: a few dozen C scans, several times faster than one alternation regex."""
    chosen = {i for hint, detectors in _hints(False) if hint in value for i in detectors}
    if "=" in value or ":" in value:  # every case-insensitive detector is an assignment
        lowered = value.lower()
        chosen.update(i for hint, detectors in _hints(True) if hint in lowered for i in detectors)
    return [_DETECTORS[i] for i in sorted(chosen)]


def _aws_secret_like(s: str) -> bool:
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
    for d in _candidates(value):
        for m in _compile(d.pattern).finditer(value):
            verdict = d.check(m)
            if verdict:
                kind = verdict if isinstance(verdict, str) else d.kind
                span = m.span("secret") if "secret" in m.re.groupindex else m.span()
                return Detection(kind, d.confidence, *span), False
            placeholder = placeholder or m.group() == value.strip()
    return None, placeholder


# Fields whose value is a program (CloudFormation `Code.ZipFile`, SAM `InlineCode`, `inline_code`):
# only a token whose format proves what it is counts there; `token = event.token` is code.
CODE_KEYS = frozenset({"zipfile", "inlinecode", "inline_code", "source_code", "sourcecode"})


def _quoted_in_code(code: str) -> Detection | None:
    """A quoted literal assigned to a credential-named name in program text (`password = "..."`,
    `apiKey: '...'`); unquoted right-hand sides (`token = event.token`) are code."""
    for m in _ASSIGNED().finditer(code):
        group = "double" if m["double"] is not None else "single" if m["single"] is not None else None
        category = _credential_category(m["name"]) if group else None
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
    if found and found.kind.startswith("AWS") and any(map(_aws_secret_like, _AWS_SECRET().findall(value))):
        return Detection(found.kind + " and secret access key", "high", found.start, found.end)
    if found or placeholder or not key:
        return found
    category = _credential_category(key)
    if category is None:
        return None
    stripped = value.strip()
    start = value.find(stripped)
    words = [w.lower() for w in _WORDS().findall(key)]
    aws_named = "secret" in words and {"aws", "access", "key"}.intersection(words)
    if aws_named and _AWS_SECRET().fullmatch(stripped) and _aws_secret_like(stripped):
        return Detection("AWS secret access key", "high", start, start + len(stripped))
    if _looks_secret(stripped) and not _names_itself(stripped, key):
        return Detection(category, "medium", start, start + len(stripped))
    return None


# --- secrets in a secret store (NHI304) ------------------------------------------------------------

# Words of a stored secret's name or description that say what it holds.
_STRONG_WORDS = _wordset(
    """
    password passwords passwd pwd passphrase token tokens credential credentials creds apikey apikeys
    privatekey pat
    """
)
_WEAK_WORDS = _wordset("key keys secret secrets auth cert certs certificate")
# ... and words that say it holds configuration, which win over the weak ones (`kms-key-arn`)
_CONFIG_WORDS = _wordset(
    """
    config configs configuration settings setting arn arns bucket buckets endpoint endpoints url urls uri
    host hostname hosts region kms cmk id ids name names param params parameters public pub
    """
)


def stored_credential(name: str, description: str, value_keys: list[str], generated: str) -> str | None:
    """Why a secret kept in a secret store holds a credential (`generated by random_password.db`,
    `its value holds \\`password\\``, `its name says token`), or None when it holds configuration or
    nothing says (a KMS key ARN, a bucket name, `app-config`, `prod/orders/db`).

    What mints the value decides first, then the keys of the value (a JSON value of only
    `bucket` and `kms_key_arn` is configuration, whatever its name), then the name and description.
    """
    if generated:
        return f"generated by {generated}"
    if value_keys:
        named = [k for k in value_keys if is_credential_name(k)]
        return f"its value holds `{named[0]}`" if named else None
    for what, text, weak in (("name", name, True), ("description", description, False)):
        words = [w.lower() for w in _WORDS().findall(text)]
        pairs = {
            f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if b == "key" and a in _KEY_QUALIFIERS
        } | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if (a, b) == ("client", "secret")}
        strong = sorted(pairs) or [w for w in words if w in _STRONG_WORDS]
        if strong:
            return f"its {what} says {strong[0]}"
        # A description always calls the thing a secret: only a name's weak words count.
        found = [w for w in words if w in _WEAK_WORDS] if weak else []
        if found and not _CONFIG_WORDS.intersection(words):
            return f"its {what} says {found[0]}"
    return None
