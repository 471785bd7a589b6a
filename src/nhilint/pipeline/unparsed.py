"""The secrets of a file nhilint could not fully parse: its lines are still searched for credentials
whose format proves what they are, or that a credential name on the line is assigned (`DB_PASSWORD:
"..."`), so a syntax error never hides a committed key behind one NHI001 warning (NHI101 reports
them like any literal)."""

from __future__ import annotations

from collections.abc import Iterable

from nhilint.facts import Fact, StringValue
from nhilint.formats import Problem, SourceFile
from nhilint.knowledge import secrets
from nhilint.knowledge.credential_names import lazy


def raw_secrets(files: Iterable[SourceFile], problems: list[Problem], facts: list[Fact]) -> list[StringValue]:
    """A StringValue for each line of a file with a parse problem holding a credential that the facts
    read from that file do not already hold."""
    broken = {p.loc.file for p in problems}
    if not broken:
        return []
    known: dict[str, list[StringValue]] = {}
    for fact in facts:
        if isinstance(fact, StringValue) and fact.loc.file in broken:
            known.setdefault(fact.loc.file, []).append(fact)
    found = []
    for file in files:
        if file.rel not in broken:
            continue
        for number, line in enumerate(file.text.split("\n"), 1):
            detection = secrets.detect(line)  # no field name: only tokens whose format proves them
            if detection is None:
                continue
            token = line[detection.start : detection.end]
            if any(_holds(value, token, number) for value in known.get(file.rel, ())):
                continue  # read from the part that parsed: already judged
            found.append(
                StringValue(
                    file.loc(number, detection.start + 1),
                    key=_assigned_to(line[: detection.start], token),
                    value=token,
                    path=f"line {number} (the file could not be parsed)",
                    context="unparsed",
                )
            )
    return found


_NAME_BEFORE = lazy(r"([A-Za-z_][\w.-]*)[\"']?[ \t]*[:=][ \t]*[\"']?\Z")


def _assigned_to(before: str, token: str) -> str:
    """The name `token` is assigned to on its line (`DB_PASSWORD: "..."`, `password=...`) when NHI101
    needs it to know the token for a credential (a password has no format of its own), else ""."""
    if secrets.detect(token) is not None:
        return ""
    name = _NAME_BEFORE().search(before[-200:])
    return name.group(1) if name and secrets.detect(token, name.group(1)) is not None else ""


def _holds(value: StringValue, token: str, line: int) -> bool:
    """Whether `value` (read by the parser) is the one holding `token` on `line`: it contains it and
    starts on that line or, a multi-line value, on the lines just above it."""
    return token in value.value and value.loc.line <= line <= value.loc.line + value.value.count("\n") + 1
