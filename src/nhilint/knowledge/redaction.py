"""Redaction: what nhilint shows of a secret. Nothing the user sees holds more than `redact(value)`.

`redact_secrets` cuts every credential the detectors (`nhilint.knowledge.secrets`) find in a text,
`redact_assigned` every literal assigned to a credential-named field, `redact_snippet` every word of
quoted source that could be secret.
"""

from __future__ import annotations

import re

from nhilint.knowledge.credential_names import REFERENCE, credential_category, has_template, lazy
from nhilint.knowledge.secrets import ASSIGNED, AWS_SECRET, aws_secret_like, candidates, compiled_pattern
from nhilint.quote import redact

# Rules whose location is a literal value that is (or holds) the secret: the value written there is
# cut too, even when no detector recognises it on its own line (`value: ...` under `name: DB_PASSWORD`).
VALUE_RULES = frozenset({"NHI101", "NHI106", "NHI107"})


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
    for d in candidates(text):
        for m in compiled_pattern(d.pattern).finditer(text):
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
        redacted = AWS_SECRET().sub(lambda m: redact(m[0]) if aws_secret_like(m[0]) else m[0], redacted)
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


# `--client-secret VALUE`, `-p 'VALUE'`, `aws configure set aws_secret_access_key VALUE`: a command-line
# option (or a `set` subcommand's setting), blanks, then one quoted or bare word (not the next option).
_OPTION = lazy(
    r"""(?:(?<![\w-])--?|(?<![\w-])set[ \t]+)(?P<name>[A-Za-z][\w.-]{0,127})[ \t]+
        (?:"(?P<double>(?:[^"\\\n]|\\.)*)|'(?P<single>(?:[^'\n]|'')*)|(?P<bare>[^\s"'\-;&|)#][^\s;&|)]*))""",
    re.VERBOSE,
)
_LOGIN = lazy(r"\blogin\b")


# Unquoted, these are expressions or keywords, not literals: Terraform references and calls
# (`var.db_password`, `random_password.db.result`, `file("key.json")`), `secrets: inherit` (GitHub
# Actions), access levels (`id-token: write`, a GitHub Actions permission), booleans and nulls.
_BARE_EXPRESSION = lazy(
    r"[A-Za-z_][\w-]*(?:\.[\w*-]+|\[[^\]\n]*\])+|[A-Za-z_][\w.]*\(.*"
    r"|(?i:true|false|yes|no|on|off|null|nil|none|inherit|read|write)"
)


def redact_assigned(text: str) -> str:
    """`text` with every literal assigned to a credential-named field (`password = "..."`,
    `"Password":"..."`, `token: ...`, `DB_SECRET=...`, `--client-secret "..."`, a login's `-p ...`)
    replaced by `****`, whether or not a detector recognises the value. References, templates and
    unquoted expressions stay; so does a value already cut to a redaction (`Summ****`, by
    `redact_secrets` or a rule), so that such text reads the same before and after this pass.
    """
    if "=" in text or ":" in text:
        text = ASSIGNED().sub(lambda m: _cut(m, credential_category(m["name"]) is not None), text)
    if "-" in text or "set" in text:  # command lines: the value follows its option after a blank
        login = _LOGIN().search(text) is not None  # `az login -p X`, `docker login -p X`: a password
        text = _OPTION().sub(
            lambda m: _cut(m, credential_category(m["name"]) is not None or (login and m["name"] == "p")),
            text,
        )
    return text


def _cut(m: re.Match[str], credential: bool) -> str:
    """The match of `ASSIGNED` or `_OPTION` with its literal value replaced by `****` when its name is
    a `credential` one."""
    group = next(g for g in ("double", "single", "bare") if m[g] is not None)
    value = m[group]
    keep = (
        not value
        or not credential
        or "****" in value
        or REFERENCE().search(value) is not None
        or has_template(value)
        or (group == "bare" and _BARE_EXPRESSION().fullmatch(value) is not None)
    )
    if keep:
        return m[0]
    start, end = m.start(group) - m.start(), m.end(group) - m.start()
    return m[0][:start] + "****" + m[0][end:]
