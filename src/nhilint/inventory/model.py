"""The inventory's data: one `Entry` per identity, the `Inventory` of them, and its columns."""

from __future__ import annotations

from datetime import date

from msgspec import Struct, field

RISKS = ("high", "medium", "low", "none")  # from the worst finding: error, warning, note, nothing
COLUMNS = (
    "kind",
    "provider",
    "name",
    "location",
    "owner",
    "expires",
    "days_left",
    "credentials",
    "privilege",
    "workloads",
    "reaches",
    "links",
    "rules",
    "risk",
)


class Entry(Struct):
    kind: str
    provider: str
    name: str
    address: str
    file: str
    line: int
    declared: bool = True
    owner: str | None = None
    expires: str | None = None
    days_left: int | None = None  # negative when overdue
    credentials: list[str] = field(default_factory=list)
    privilege: str = "unknown"  # admin | escalation | wildcard | scoped | unknown
    workloads: list[str] = field(default_factory=list)
    reaches: list[str] = field(default_factory=list)  # an MCP server's endpoint or the process it runs
    links: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    risk: str = "none"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    def cells(self) -> dict[str, str]:
        """The entry as display strings, one per `COLUMNS` name."""
        return {
            "kind": self.kind, "provider": self.provider, "name": self.name, "location": self.location,
            "owner": self.owner or "", "expires": self.expires or "",
            "days_left": "" if self.days_left is None else str(self.days_left),
            "credentials": "; ".join(self.credentials), "privilege": self.privilege,
            "workloads": "; ".join(self.workloads), "reaches": "; ".join(self.reaches),
            "links": "; ".join(self.links),
            "rules": " ".join(self.rules), "risk": self.risk,
        }  # fmt: skip


class Inventory(Struct):
    entries: list[Entry]
    today: date

    def counts(self) -> dict[str, int]:
        return {risk: sum(1 for e in self.entries if e.risk == risk) for risk in RISKS}
