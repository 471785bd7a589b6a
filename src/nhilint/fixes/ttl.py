"""NHI303 (safe): lower a credential or session lifetime written as a literal to the configured
maximum (`max-credential-ttl-seconds`, as `FixOptions.max_ttl_seconds`).

Kubernetes projected ServiceAccount tokens (`expirationSeconds`), Terraform `aws_iam_role`
`max_session_duration` and Vault roles' TTLs, CloudFormation `MaxSessionDuration`. The literal keeps
its style: a number stays a number, a quoted `"86400"` a quoted count, a Vault duration `"768h"` a
duration (`"1h"`). A variable, a parameter's default, an alias or a rendered upstream manifest is not
edited here (the value is set elsewhere, or is not ours to change).
"""

from __future__ import annotations

from typing import Any

from nhilint.fixes.base import Edit, Fix, Fixer, FixInput
from nhilint.fixes.located import blocks, documents, literal_span, mappings
from nhilint.fixes.text import Text
from nhilint.formats.terraform.vault import TTL_ATTRIBUTES, seconds
from nhilint.parse.tree import Block, Pos

_YAML_SETTINGS = {"kubernetes": "expirationSeconds", "cloudformation": "MaxSessionDuration"}


def fix(given: FixInput) -> list[Fix]:
    text = Text(given.text)
    limit = given.options.max_ttl_seconds
    places = _places(given.format, given.path, given.text)
    fixes = []
    for finding in given.findings:
        if finding.cause is not None:
            continue  # upstream's default in a rendered release: set where it is installed
        found = places.get(finding.loc.line)
        if found is None:
            continue
        setting, pos, value = found
        span = literal_span(text, pos, value)
        current = seconds(value)
        if span is None or current is None or (0 < current <= limit):
            continue  # not a literal, or nothing to lower (a stricter per-path limit is the user's)
        start, end, quote = span
        written = str(limit) if not isinstance(value, str) or value.strip().isdigit() else duration(limit)
        fixes.append(
            Fix(
                "NHI303",
                "safe",
                f"lower `{setting}` to {limit} s",
                (Edit(start, end, f"{quote}{written}{quote}"),),
                (finding,),
            )
        )
    return fixes


def duration(limit: int) -> str:
    """A Vault duration string for `limit` seconds, in its largest whole unit."""
    for unit, size in (("h", 3600), ("m", 60)):
        if limit % size == 0:
            return f"{limit // size}{unit}"
    return f"{limit}s"


def _places(fmt: str, rel: str, text: str) -> dict[int, tuple[str, Pos, Any]]:
    """Line -> (setting, where its value starts, its value) of each lifetime setting written."""
    found: dict[int, tuple[str, Pos, Any]] = {}
    for doc in documents(fmt, rel, text):
        if isinstance(doc, Block):
            for block in blocks(doc):
                attrs = block.attrs
                for setting in _terraform_settings(block):
                    found[attrs.kpos(setting).line] = (setting, attrs.vpos(setting), attrs[setting])
        else:
            name = _YAML_SETTINGS.get(fmt, "")
            for mapping in mappings(doc):
                if name in mapping:
                    found[mapping.kpos(name).line] = (name, mapping.vpos(name), mapping[name])
    return found


def _terraform_settings(block: Block) -> list[str]:
    """The lifetime attributes NHI303 reads on a resource (the Terraform extractors' lists)."""
    if block.type != "resource" or not block.labels:
        return []
    kind = block.labels[0]
    if kind == "aws_iam_role":
        wanted: tuple[str, ...] = ("max_session_duration",)
    elif kind.startswith("vault_") and (kind.endswith("_role") or kind == "vault_token"):
        wanted = TTL_ATTRIBUTES
    else:
        return []
    return [name for name in wanted if name in block.attrs]


FORMATS = frozenset({"kubernetes", "terraform", "cloudformation"})
FIXER = Fixer("ttl", frozenset({"NHI303"}), FORMATS, "safe", fix)
