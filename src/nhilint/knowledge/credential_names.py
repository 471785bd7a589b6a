"""What names and values say about credentials, before any detector looks at a value.

* `is_reference_or_placeholder(value, key)`: references (`${...}`, `$VAR`, `vault:`...), placeholders
  (`changeme`, `<your-key>`) and values that repeat their field's name are never credentials;
* `is_credential_name(key)`: a field, variable or secret name that says it holds one (`DB_PASSWORD`,
  `clientSecret`), not one about it (`token_ttl`, `secret_arn`, `public_key`);
* `stored_credential(...)`: why a secret kept in a secret store holds a credential (NHI304).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache


def lazy(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """Compile on first use: importing this module must stay cheap (pre-commit start-up)."""
    return cache(lambda: re.compile(pattern, flags))


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- placeholders and references ------------------------------------------------------------------

REFERENCE = lazy(
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
WORDS = lazy(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def is_reference_or_placeholder(value: str, key: str = "") -> bool:
    """References (`${...}`, `{{ }}`, `$VAR`, `vault:`...) and placeholders are never credentials;
    nor is a value that repeats the name of the field it is assigned to (`MAPS_API_KEY:
    MAPS_API_KEY_VAL`, a token a deploy script substitutes)."""
    v = value.strip().strip("'\"")
    if not v or REFERENCE().search(v) or has_template(v) or (key and names_itself(v, key)):
        return True
    low = v.lower()
    if any(part in low for part in _PLACEHOLDER_PARTS) or _is_trivial(v):
        return True
    # "test-token", "YOUR_API_KEY_HERE", "MySecretPassword": only placeholder words, no digits.
    words_only = re.fullmatch(r"[A-Za-z_.\- ]+", v) is not None and all(
        w.lower() in _PLACEHOLDER_WORDS for w in WORDS().findall(v)
    )
    return words_only or _base64_placeholder(v)


def names_itself(value: str, key: str) -> bool:
    """`value` is `key` (case and separators aside) plus at most a short word (`_VAL`, `-here`)."""
    name, text = _squashed(key), _squashed(value)
    if len(name) < 4 or name not in text or re.fullmatch(r"[\w.-]+", value) is None:
        return False
    rest = text.replace(name, "", 1)
    return rest == "" or (rest.isalpha() and len(rest) <= 12)


def _squashed(text: str) -> str:
    return re.sub(r"[\W_]", "", text.lower())


_BASE64 = lazy(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


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


def has_template(value: str) -> bool:
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
def credential_category(key: str) -> str | None:
    """What a credential-named `key` holds ("password", "token", ...), None if it is not one."""
    words = [w.lower() for w in WORDS().findall(key) if not w.isdigit()]
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
    return credential_category(key) is not None


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
        words = [w.lower() for w in WORDS().findall(text)]
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
