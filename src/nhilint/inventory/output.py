"""The inventory as JSON, CSV, markdown or (`html`) one self-contained page."""

from __future__ import annotations

from msgspec.structs import asdict

from nhilint.inventory.model import COLUMNS, Inventory


def to_json(inv: Inventory) -> str:
    import json

    from nhilint import __version__

    document = {
        "version": "1",
        "tool": {"name": "nhilint", "version": __version__},
        "date": inv.today.isoformat(),
        "counts": inv.counts(),
        "identities": [{**asdict(e), "location": e.location} for e in inv.entries],
    }
    return json.dumps(document, indent=2) + "\n"


def to_csv(inv: Inventory) -> str:
    import csv
    import io

    from nhilint.report.escape import csv_cell

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in e.cells().items()} for e in inv.entries)
    return out.getvalue()


def to_markdown(inv: Inventory) -> str:
    from nhilint.report.escape import code_span

    counts = ", ".join(f"{n} {risk}" for risk, n in inv.counts().items())
    lines = [
        f"# Machine-identity inventory ({inv.today.isoformat()})",
        "",
        f"{len(inv.entries)} identities by risk: {counts}.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for entry in inv.entries:
        cells = entry.cells()
        # every cell comes from the scanned files: as code, no HTML, link, image or @mention is live
        lines.append("| " + " | ".join(code_span(cells[c], in_table=True) for c in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def render(inv: Inventory, fmt: str) -> str:
    if fmt == "html":
        from nhilint.inventory.html import render as html

        return html(inv)
    return {"json": to_json, "csv": to_csv, "markdown": to_markdown}[fmt](inv)
