"""The inventory as one self-contained HTML page: counts per risk, a filter by kind, a sortable table.

No network assets: the style and the few lines of script are inline, so the file can be mailed or
attached to a ticket and opened anywhere. Every text from the scanned files is escaped, and the
page's Content-Security-Policy allows only its own style and script (by hash): markup that slipped
through would still load nothing and run nothing.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nhilint.inventory.model import Inventory

STYLE = """
body { font: 14px system-ui, sans-serif; margin: 2em; color: #1f2328; }
.counts span { display: inline-block; margin-right: 1em; padding: .3em .8em; border-radius: 4px; }
.high { background: #ffebe9; } .medium { background: #fff8c5; } .low { background: #ddf4ff; }
.none { background: #dafbe1; }
table { border-collapse: collapse; width: 100%; margin-top: 1em; }
th, td { border: 1px solid #d0d7de; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; cursor: pointer; user-select: none; }
td.num { text-align: right; }
.filter { margin-top: 1em; }
"""
# Click a header to sort by it; click again to reverse. Numbers sort as numbers.
SCRIPT = """
document.querySelectorAll("th").forEach((th, col) => th.addEventListener("click", () => {
  const body = th.closest("table").tBodies[0];
  const asc = th.dataset.dir !== "asc";
  document.querySelectorAll("th").forEach(h => delete h.dataset.dir);
  th.dataset.dir = asc ? "asc" : "desc";
  const key = r => { const t = r.cells[col].dataset.sort ?? r.cells[col].textContent;
                     return t !== "" && !isNaN(t) ? Number(t) : t.toLowerCase(); };
  [...body.rows].sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * (asc ? 1 : -1))
    .forEach(r => body.appendChild(r));
}));
// Show the rows of one kind; `#kind=mcp-server` in the address opens the page filtered.
const filter = document.getElementById("kind-filter");
const applyFilter = () => {
  let shown = 0;
  for (const row of document.getElementById("inventory").tBodies[0].rows) {
    row.hidden = filter.value !== "" && row.dataset.kind !== filter.value;
    shown += row.hidden ? 0 : 1;
  }
  document.getElementById("shown").textContent = String(shown);
};
const wanted = new URLSearchParams(location.hash.slice(1)).get("kind");
if (wanted !== null && [...filter.options].some(o => o.value === wanted)) filter.value = wanted;
filter.addEventListener("change", applyFilter);
applyFilter();
"""
HEADERS = {
    "risk": "Risk", "kind": "Kind", "provider": "Provider", "name": "Name", "location": "Defined at",
    "owner": "Owner", "expires": "Expires", "days_left": "Days left", "credentials": "Credentials",
    "privilege": "Privilege", "workloads": "Workloads", "reaches": "Reaches", "links": "Links",
    "rules": "Rules",
}  # fmt: skip
RISK_ORDER = {"high": 0, "medium": 1, "low": 2, "none": 3}


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CSP = f"default-src 'none'; style-src {_sha256(STYLE)}; script-src {_sha256(SCRIPT)}"


def render(inv: Inventory) -> str:
    counts = "".join(
        f'<span class="{risk}" id="count-{risk}">{risk}: {n}</span>' for risk, n in inv.counts().items()
    )
    head = "".join(f"<th>{escape(title)}</th>" for title in HEADERS.values())
    rows = "\n".join(_row(entry.cells()) for entry in inv.entries)
    kinds = Counter(entry.kind for entry in inv.entries)
    options = "".join(
        f'<option value="{escape(kind)}">{escape(kind)} ({n})</option>' for kind, n in sorted(kinds.items())
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>nhilint machine-identity inventory</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Machine-identity inventory</h1>
<p>{len(inv.entries)} identities, {escape(inv.today.isoformat())}. Click a column header to sort.</p>
<div class="counts">{counts}</div>
<div class="filter"><label for="kind-filter">Kind</label>
<select id="kind-filter"><option value="">all kinds</option>{options}</select>
<span id="shown">{len(inv.entries)}</span> shown</div>
<table id="inventory">
<thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
<script>{SCRIPT}</script>
</body>
</html>
"""


def _row(cells: dict[str, str]) -> str:
    tds = []
    for column in HEADERS:
        value = escape(cells[column])
        if column == "risk":
            tds.append(f'<td class="{value}" data-sort="{RISK_ORDER[cells[column]]}">{value}</td>')
        elif column == "days_left":
            tds.append(f'<td class="num">{value}</td>')
        else:
            tds.append(f"<td>{value}</td>")
    return (
        f'<tr data-risk="{escape(cells["risk"])}" data-kind="{escape(cells["kind"])}">'
        + "".join(tds)
        + "</tr>"
    )
