"""Human-readable output in the style of ruff and zizmor.

Per finding: `path:line:col: level ID slug`, the message, the source line with the span underlined
(secrets hidden), the fix, related places, folded rules and the rule's page; prose wrapped to the
terminal width, source lines never. Then the count of findings per rule and the totals.
`render_concise` gives one line per finding instead.
"""

from __future__ import annotations

import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable

from nhilint.findings import Finding, ScanResult
from nhilint.knowledge.redaction import VALUE_RULES
from nhilint.report import DEFAULT_WIDTH, first_paragraph
from nhilint.report.escape import printable, terminal_line
from nhilint.report.snippet import Snippet, snippet

# Each rule's page, rendered from checks/ into docs/rules/ (the Documentation URL in pyproject.toml).
RULE_DOCS = "https://github.com/nhilint/nhilint/blob/main/docs/rules/"
MIN_WIDTH = 40
_RESET = "\x1b[0m"
_STYLES = {
    "error": "\x1b[31m",
    "warning": "\x1b[33m",
    "note": "\x1b[36m",
    "file": "\x1b[1m",
    "dim": "\x1b[2m",
    "rule": "\x1b[1m",
    "gutter": "\x1b[34m",
    "fail": "\x1b[1;31m",
    "ok": "\x1b[1;32m",
}
Paint = Callable[[str, str], str]
SecretColumns = dict[tuple[str, int], list[int]]
PARSE_ERROR = "NHI001"  # its file was not fully read: its snippets hide every word that could be secret
# Scanned files are untrusted: every name, path, value and source line is shown through `printable`,
# and every line through `terminal_line`, so none can break a line (forging a finding, a summary or
# a GitHub workflow command), drive the terminal or reorder text with bidi controls.


def render(result: ScanResult, color: bool = False, width: int = DEFAULT_WIDTH) -> str:
    paint = _painter(color)
    width = max(width, MIN_WIDTH)
    secrets = _secret_columns(result.findings)
    unparsed = {f.loc.file for f in result.findings if f.rule_id == PARSE_ERROR}
    blocks = [_finding_block(f, result, secrets, unparsed, paint, width) for f in result.active]
    counts = _rule_counts(result.active, paint)
    return "".join(block + "\n\n" for block in blocks) + counts + _summary(result, paint) + "\n"


def render_concise(result: ScanResult, color: bool = False) -> str:
    """One line per finding, `path:line:col: ID [level] message` (ruff's `concise`), then the totals."""
    paint = _painter(color)
    lines = [_concise_line(f, result, paint) for f in result.active]
    tail = "\n" if lines else ""
    return (
        "".join(line + "\n" for line in lines)
        + tail
        + _rule_counts(result.active, paint)
        + _summary(result, paint)
        + "\n"
    )


def _painter(color: bool) -> Paint:
    def paint(style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if color and text else text

    return paint


def _secret_columns(findings: list[Finding]) -> SecretColumns:
    """Where credential values start, by file and line: every snippet of such a line hides them,
    whichever finding it illustrates (suppressed credential findings included)."""
    columns: SecretColumns = defaultdict(list)
    todo = list(findings)
    while todo:
        finding = todo.pop()
        todo += finding.folded  # a root cause's finding carries the ones it folded
        if finding.rule_id in VALUE_RULES:
            columns[(finding.loc.file, finding.loc.line)].append(finding.loc.col)
    return columns


def _position(finding: Finding) -> str:
    return terminal_line(f"{finding.loc.file}:{finding.loc.line}:{finding.loc.col}:")


def _concise_line(finding: Finding, result: ScanResult, paint: Paint) -> str:
    where, rule = paint("file", _position(finding)), paint("rule", finding.rule_id) + _mark(finding, result)
    return f"{where} {rule} {paint(finding.severity, f'[{finding.severity}]')} {printable(finding.message)}"


def _fixable(finding: Finding, result: ScanResult) -> bool:
    """`nhilint fix` (with --unsafe-fixes when the scan had it) fixes this finding now."""
    return finding.fix == "safe" or (finding.fix == "unsafe" and result.fixes.show_unsafe)


def _mark(finding: Finding, result: ScanResult) -> str:
    """ruff's ` [*]` after the rule ID of a finding `nhilint fix` can fix."""
    return " [*]" if _fixable(finding, result) else ""


def _finding_block(
    finding: Finding, result: ScanResult, secrets: SecretColumns, unparsed: set[str], paint: Paint, width: int
) -> str:
    header = " ".join(
        (
            paint("file", _position(finding)),
            paint(finding.severity, finding.severity),
            paint("rule", finding.rule_id) + _mark(finding, result),
            paint("dim", finding.slug),
        )
    )
    lines = [header, *_wrapped(printable(finding.message), width, "  ", "  ")]
    shown = snippet(
        result.lines.get(finding.loc.file, []),
        finding.loc,
        secrets.get((finding.loc.file, finding.loc.line), ()),
        unparsed=finding.loc.file in unparsed,
    )
    gutter = " " * len(str(finding.loc.line))
    if shown is not None:
        lines += _snippet_lines(shown, finding, gutter, paint)
    notes: list[tuple[str, str]] = []
    if finding.suggestion is not None:
        notes.append(("fix", printable(first_paragraph(finding.suggestion.text))))
    for related in finding.related:
        where = f"{related.loc.file}:{related.loc.line}"
        notes.append(("related", printable(f"{where}: {related.message}")))
    if finding.also:
        notes.append(("also", printable(", ".join(finding.also))))
    notes.append(("docs", f"{RULE_DOCS}{finding.rule_id}.md"))
    for label, text in notes:
        first, *rest = _wrapped(text, width, f"{gutter} = {label}: ", " " * len(f"{gutter} = {label}: "))
        label_width = len(f"{gutter} = {label}:")
        lines.append(paint("dim", first[:label_width]) + first[label_width:])
        lines += rest
    return "\n".join(lines)


def _snippet_lines(shown: Snippet, finding: Finding, gutter: str, paint: Paint) -> list[str]:
    bar = paint("gutter", f"{gutter} |")
    number = paint("gutter", f"{finding.loc.line} |")
    caret = paint(finding.severity, "^" * shown.width)
    source = f" {shown.text}" if shown.text else ""
    return [bar, f"{number}{source}", f"{bar} {' ' * shown.start}{caret}", bar]


def _wrapped(text: str, width: int, first: str, rest: str) -> list[str]:
    """Prose wrapped to `width`; each line made safe to start a terminal or CI log line."""
    lines = textwrap.wrap(
        text,
        width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]
    return [terminal_line(line) for line in lines]


def _rule_counts(findings: list[Finding], paint: Paint) -> str:
    """One line per rule that found something, the most frequent first: `NHI101 hardcoded-credential  3`."""
    if not findings:
        return ""
    counts = Counter((f.rule_id, f.slug) for f in findings)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    name_width = max(len(f"{rule} {slug}") for (rule, slug), _ in ranked)
    count_width = len(str(ranked[0][1]))
    lines = [
        f"{paint('rule', rule)} {slug.ljust(name_width - len(rule) - 1)}  {count:>{count_width}}"
        for (rule, slug), count in ranked
    ]
    return "\n".join(lines) + "\n\n"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 note`, `2 notes`; `nouns` for irregular plurals (`entry`, `entries`)."""
    return f"{count} {noun}" if count == 1 else f"{count} {nouns or noun + 's'}"


def _summary(result: ScanResult, paint: Paint) -> str:
    active = result.active
    suppressed = len(result.findings) - len(active)
    tail = f" · {suppressed} suppressed" if suppressed else ""
    if result.baseline_stale:
        entries = plural(result.baseline_stale, "stale baseline entry", "stale baseline entries")
        tail += f" · {entries} (`nhilint baseline write` prunes them)"
    scanned = plural(result.files_scanned, "file") + " scanned"
    skipped = _skipped(result)
    if result.internal_errors:  # never a green line over a scan that did not finish its work
        broken = plural(len(result.internal_errors), "internal error")
        tail += f" · {paint('fail', broken)} (a bug in nhilint: see standard error)"
    fixes = _fixes_line(result)
    if not active:
        mark = paint("fail", "✖") if result.internal_errors else paint("ok", "✓")
        return f"{skipped}{fixes}{mark} no findings in {scanned}{tail}"
    counts = Counter(f.severity for f in active)
    by_severity = ", ".join(plural(counts[s], s) for s in ("error", "warning", "note") if counts[s])
    files = len({f.loc.file for f in active})
    head = paint("fail", f"✖ {plural(len(active), 'finding')}")
    fixable = _fixable_line(result)  # above the verdict, which stays the last line
    return f"{skipped}{fixes}{fixable}{head} ({by_severity}) in {files} of {scanned}{tail}"


def _fixes_line(result: ScanResult) -> str:
    """After `--fix`: what it fixed, on a line of its own above the totals of what is left."""
    if not result.fixes.applied:
        return ""
    fixed = plural(result.fixes.fixed, "finding")
    return f"Fixed {fixed} in {plural(result.fixes.files, 'file')}\n"


def _fixable_line(result: ScanResult) -> str:
    """`[*] 3 fixable with `nhilint fix` (2 more with `nhilint fix --unsafe-fixes`)`, a line of its own."""
    active = result.active
    safe = sum(1 for f in active if f.fix == "safe")
    unsafe = sum(1 for f in active if f.fix == "unsafe")
    if result.fixes.show_unsafe:
        safe, unsafe = safe + unsafe, 0
    command = "nhilint fix --unsafe-fixes" if result.fixes.show_unsafe else "nhilint fix"
    if safe and unsafe:
        return f"[*] {safe} fixable with `{command}` ({unsafe} more with `nhilint fix --unsafe-fixes`)\n"
    if safe:
        return f"[*] {safe} fixable with `{command}`\n"
    if unsafe:
        return f"{unsafe} fixable with `nhilint fix --unsafe-fixes`\n"
    return ""


def _skipped(result: ScanResult) -> str:
    """A line counting what was not judged, by reason (`--verbose` names each file)."""
    if not result.skipped:
        return ""
    total = sum(len(files) for files in result.skipped.values())
    reasons = ", ".join(f"{len(files)} {reason}" for reason, files in result.skipped.items())
    return f"skipped {total}: {reasons} (--verbose lists them)\n"
