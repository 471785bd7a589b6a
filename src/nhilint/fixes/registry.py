"""Every fixer, in the order its fixes are tried (the only list of them)."""

from __future__ import annotations

from nhilint.fixes import automount, ci_ttl, github_oidc, github_permissions, gitlab_id_tokens, ownership, ttl
from nhilint.fixes.base import Fixer

FIXERS: tuple[Fixer, ...] = (
    ttl.FIXER,
    automount.FIXER,
    ownership.FIXER,
    github_oidc.FIXER,
    github_permissions.FIXER,
    gitlab_id_tokens.FIXER,
    ci_ttl.FIXER,
)
