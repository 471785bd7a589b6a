"""Every format nhilint reads, in precedence order: the only list of them.

Discovery asks each format in this order (its path conventions, then a document's shape, then the
words of a file that does not parse) and takes the first that recognises a file; files are pulled
in in this order too (a GitLab include before a Terraform module, as the scan always did).
"""

from __future__ import annotations

from nhilint.formats import (
    azure_pipelines,
    bitbucket_pipelines,
    circleci,
    cloudformation,
    github_actions,
    gitlab_ci,
    kubernetes,
    mcp,
    terraform,
)
from nhilint.formats.base import Format, SourceFile, json_document, lines_of
from nhilint.formats.kubernetes import helm_template

FORMATS: tuple[Format, ...] = (
    cloudformation.FORMAT,
    kubernetes.FORMAT,
    github_actions.FORMAT,
    gitlab_ci.FORMAT,
    azure_pipelines.FORMAT,
    circleci.FORMAT,
    bitbucket_pipelines.FORMAT,
    terraform.FORMAT,
    helm_template.FORMAT,
    mcp.FORMAT,
)
BY_NAME = {f.name: f for f in FORMATS}
# The formats a catalogue entry may name (a Helm template is judged only for the secrets in it).
CATALOGUED = frozenset(f.name for f in FORMATS if f.catalogued)


def get(name: str) -> Format:
    return BY_NAME[name]


def numbered_lines(file: SourceFile) -> list[str]:
    """The file's lines as its parser numbers them, so a finding's line, its snippet, its inline
    ignores and its fingerprint are one line."""
    fmt = BY_NAME.get(file.format)
    newline_only = fmt.newline_lines if fmt is not None else json_document
    return lines_of(file.text, newline_only(file.rel, file.text))
