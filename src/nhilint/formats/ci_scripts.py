"""The shell scripts of CI files, read the same way by every CI format: a script value's lines at their
file lines, `\\` continuations joined, logins with a stored cloud key, `--duration-seconds`, and
what a line does with a token."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nhilint.formats import SourceFile
from nhilint.parse.tree import Pos

_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*\s*(?:#.*)?$")


def script_lines(file: SourceFile, text: str, pos: Pos) -> Iterator[tuple[str, int]]:
    """Each line of a shell script value with its line number in the file (block scalars start a
    line below their `|`; folded `>` scalars are approximated line by line)."""
    source = file.text.splitlines()
    head = source[pos.line - 1][pos.col - 1 :] if 0 < pos.line <= len(source) else ""
    first = pos.line + 1 if _BLOCK_SCALAR.match(head) else pos.line
    for offset, line in enumerate(text.split("\n")):
        if line.strip():
            yield line, first + offset


def logical_lines(lines: list[tuple[str, int]]) -> Iterator[tuple[str, int]]:
    """Shell lines with their `\\` continuations joined, each at the line where it starts."""
    parts: list[str] = []
    start = 0
    for line, number in lines:
        if not parts:
            start = number
        if line.rstrip().endswith("\\"):
            parts.append(line.rstrip()[:-1])
            continue
        yield " ".join([*parts, line]), start
        parts = []
    if parts:
        yield " ".join(parts), start


# (cloud, the command, conditions on the rest of the line after it or None, what it is)
_SHELL_AUTH: tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None, str], ...] = (
    ("aws", re.compile(r"\bAWS_(?:SECRET_ACCESS_KEY|ACCESS_KEY_ID)\s*=\s*(?!\$\(|%s|\s)\S"), None,
     "AWS key exported"),
    ("aws", re.compile(r"\baws\s+configure\s+set\s+(?:[\w.]+\.)?aws_(?:secret_access_key|access_key_id)\b"),
     None, "`aws configure set` with a stored key"),
    ("gcp", re.compile(r"\bgcloud\s+auth\s+activate-service-account\b"), None,
     "`gcloud auth activate-service-account`"),
    ("azure", re.compile(r"\b(?:ARM|AZURE)_CLIENT_SECRET\s*=\s*(?!\$\(|\s)\S"), None,
     "Azure client secret exported"),
    ("azure", re.compile(r"\baz\s+login\b"),
     re.compile(r"(?=.*--service-principal)(?=.*\s(?:-p|--password|--secret|--client-secret)[\s=])"
                r"(?!.*--federated-token)"),
     "`az login --service-principal` with a secret"),
    ("aws", re.compile(r"(?:>>?|\btee\s+(?:-a\s+)?)\s*[\"']?\S*\.aws/credentials\b"), None,
     "an AWS credentials file written from a variable"),
    ("azure", re.compile(r"\bazd\s+auth\s+login\b"), re.compile(r"(?=.*\s--client-secret[\s=])"),
     "`azd auth login --client-secret`"),
    ("aws", re.compile(r"\b(?:serverless|sls)\s+config\s+credentials\b"),
     re.compile(r"(?=.*\s--(?:key|secret)[\s=])(?!.*--provider[\s=]+[\"']?(?:azure|google|gcp)\b)"),
     "`serverless config credentials` with a stored key"),
    ("gcp", re.compile(r"\b(?:serverless|sls)\s+config\s+credentials\b"),
     re.compile(r"(?=.*--provider[\s=]+[\"']?(?:google|gcp)\b)(?=.*\s--(?:key|secret|credentials)[\s=])"),
     "`serverless config credentials` with a stored key"),
    ("azure", re.compile(r"\b(?:serverless|sls)\s+config\s+credentials\b"),
     re.compile(r"(?=.*--provider[\s=]+[\"']?azure\b)(?=.*\s--(?:key|secret)[\s=])"),
     "`serverless config credentials` with a stored key"),
)  # fmt: skip
_FEDERATED_LINE = re.compile(r"assume-role-with-web-identity|--federated-token|ID_TOKEN|id_token", re.I)
_DURATION = re.compile(r"--duration-seconds[=\s]+[\"']?(\d+)")


def shell_auth(line: str) -> Iterator[tuple[str, str, str]]:
    """(cloud, "static", what) for each way a shell line logs in to a cloud with a stored key."""
    if _FEDERATED_LINE.search(line) or line.lstrip().startswith("#"):
        return
    for cloud, command, condition, detail in _SHELL_AUTH:
        # the conditions are read after the first place the command is written: `(?=.*X)` holds there
        # if anywhere, and one scan of the rest of the line (not one from every place) keeps it linear
        found = command.search(line)
        if found and (condition is None or condition.match(line, found.end())):
            yield cloud, "static", detail


def durations(line: str) -> list[int]:
    """`--duration-seconds N` of `aws sts assume-role ...` (also on a continuation line)."""
    return [int(n) for n in _DURATION.findall(line)]


def line_usage(line: str) -> str:
    """What a shell line does with a token: git-push, gh, api, or just run."""
    if re.search(r"\bgit\s+(?:push|remote\s+(?:add|set-url))\b|x-access-token:|oauth2:|@github\.com", line):
        return "git-push"
    if re.search(r"(?:^|[\s;&|(])gh\s+\w", line):
        return "gh"
    if re.search(r"\b(?:curl|wget|http|Invoke-RestMethod|Invoke-WebRequest)\b|Authorization", line, re.I):
        return "api"
    return "run"
