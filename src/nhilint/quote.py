"""How nhilint quotes text it read: never more than a secret's first characters.

Below every layer (parsers quote source text in their errors; reports, fingerprints and rules quote
values), so it depends on nothing of ours; `knowledge.redaction` finds the secrets in free text.
"""

from __future__ import annotations

import re
from functools import cache


def redact(value: str) -> str:
    """At most a quarter of `value`, and never more than 4 characters, then `****`: a 16-character
    token shows `ghp_`, an 8-character password its first 2 characters, one under 8 nothing."""
    shown = min(4, len(value) // 4) if len(value) >= 8 else 0
    return value[:shown] + "****"


@cache
def _snippet_word() -> re.Pattern[str]:
    return re.compile(r"[^\s\"'{}\[\]()=,:;<>@#]+")


@cache
def _harmless_word() -> re.Pattern[str]:
    return re.compile(r"[A-Za-z_]{1,10}|.{1,3}")


def redact_snippet(text: str) -> str:
    """Source text quoted in an error message, with every word that could be a secret redacted.

    Short letter-only words (`locals`, `resource`) and punctuation stay readable; anything else
    (`AKIA...`, a password) keeps only its `redact(...)` prefix.
    """
    return _snippet_word().sub(lambda m: m[0] if _harmless_word().fullmatch(m[0]) else redact(m[0]), text)
