"""Plan fixes for a scan's findings and apply them in rounds until nothing is left to fix.

Each round re-scans the edited texts (in memory: nothing is written until the end), so fixes that
touch one place compose (the OIDC fix adds `id-token: write` to permissions the NHI208 fix wrote),
a fix that breaks a file is caught (the file is left as it was: an internal error, never a worse
file), and a second `nhilint fix` finds nothing to do.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

from msgspec import Struct, field

from nhilint.errors import InternalError
from nhilint.findings import Finding, ScanResult
from nhilint.fixes.base import Fix, FixInput, FixOptions, Safety
from nhilint.fixes.registry import FIXERS
from nhilint.fixes.text import ODD_BREAKS, apply

MAX_ROUNDS = 10
ScanFn = Callable[[Mapping[str, str]], ScanResult]  # edited texts (absolute path -> text) -> result


class Outcome(Struct):
    """What fixing did: `texts` the fixed text of each changed file (path as findings name it),
    `applied` the fixes made, `result` the scan of the fixed files, `errors` our own bugs."""

    result: ScanResult
    originals: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    applied: list[tuple[str, Fix]] = field(default_factory=list)
    errors: list[InternalError] = field(default_factory=list)
    settled: list[tuple[str, Finding]] = field(default_factory=list)  # reported findings fixed whole

    @property
    def fixed(self) -> int:
        """How many reported findings the applied fixes resolved whole (in the files written)."""
        return sum(1 for rel, _ in self.settled if rel in self.texts)


def settled(reported: Iterable[Finding], fixes: Iterable[Fix]) -> list[Finding]:
    """The reported findings `fixes` resolve whole: the finding and every finding folded into it (an
    owner written where no expiry is configured leaves the folded NHI302: not fixed, not counted)."""
    resolved = {id(f) for fix in fixes for f in fix.resolves}
    return [f for f in reported if all(id(m) in resolved for m in (f, *f.folded))]


Options = FixOptions | Callable[[str], FixOptions]  # one for all, or each file's (path as findings name it)


def plan(
    result: ScanResult,
    options: Options,
    safeties: Collection[Safety],
    texts: Mapping[str, str] | None = None,
    errors: list[InternalError] | None = None,
    editable: Callable[[str], bool] | None = None,
) -> dict[str, list[Fix]]:
    """The fixes the fixers of `safeties` offer for `result`'s active findings, by file; `texts`
    holds files' current text where it differs from the disk; `editable` (default: every file)
    says which files may be edited (`nhilint fix PATHS` edits only files under PATHS)."""
    from nhilint.pipeline.discover import classify_file

    by_file: dict[str, list[Finding]] = {}
    wanted = {rule for fixer in FIXERS if fixer.safety in safeties for rule in fixer.rules}
    for finding in result.active:
        if editable is not None and not editable(finding.loc.file):
            continue
        if finding.rule_id in wanted and not finding.non_production:
            by_file.setdefault(finding.loc.file, []).append(finding)
    fixes: dict[str, list[Fix]] = {}
    for rel, findings in by_file.items():
        path = Path(result.root) / rel
        text = (texts or {}).get(rel)
        if text is None:
            text = read(path)
        if text is None or ODD_BREAKS.search(text):
            continue  # nothing we can edit safely (standard input, a file gone, not UTF-8, odd breaks)
        fmt = classify_file(path, text)
        for fixer in FIXERS:
            if fixer.safety not in safeties or fmt not in fixer.formats:
                continue
            mine = tuple(f for f in findings if f.rule_id in fixer.rules)
            if not mine:
                continue
            chosen = options(rel) if callable(options) else options
            try:
                found = fixer.fix(FixInput(result.root, rel, fmt, text, mine, chosen))
            except Exception as exc:  # a fixer's bug costs its fix, never the scan
                (errors if errors is not None else []).append(InternalError.of(rel, exc))
                continue
            fixes.setdefault(rel, []).extend(found)
    return fixes


def fix(
    scan: ScanFn,
    options: Options,
    safeties: Collection[Safety],
    editable: Callable[[str], bool] | None = None,
) -> Outcome:
    """Scan, fix, re-scan until no fix is left (at most MAX_ROUNDS rounds)."""
    result = scan({})
    outcome = Outcome(result)
    root = Path(result.root)
    broken_before = _unparsed(result)
    for _ in range(MAX_ROUNDS):
        fixes = plan(result, options, safeties, outcome.texts, outcome.errors, editable)
        made = False
        for rel, offered in fixes.items():
            text = outcome.texts.get(rel)
            if text is None:
                text = outcome.originals[rel] = read(root / rel) or ""
            taken: list[Fix] = []
            for candidate in offered:  # one round takes the fixes whose edits do not overlap
                try:
                    apply(text, [e for f in [*taken, candidate] for e in f.edits])
                except Exception:
                    continue
                taken.append(candidate)
            if taken:
                outcome.texts[rel] = apply(text, [e for f in taken for e in f.edits])
                outcome.applied += [(rel, f) for f in taken]
                outcome.settled += [(rel, f) for f in settled(result.active, taken)]
                made = True
        if not made:
            break
        result = scan({os.path.abspath(root / rel): text for rel, text in outcome.texts.items()})
    else:
        outcome.errors.append(InternalError("fix", f"fixes still changing after {MAX_ROUNDS} rounds"))
    for rel in sorted(_unparsed(result) - broken_before & set(outcome.texts)):
        # a fix that leaves a file unparseable is our bug: that file is left as it was
        outcome.errors.append(InternalError(rel, "a fix left this file unparseable; it was not written"))
        del outcome.texts[rel]
        outcome.applied = [(r, f) for r, f in outcome.applied if r != rel]
    outcome.result = result
    return outcome


BOM = "\ufeff"


def read(path: Path) -> str | None:
    """A file's text as the scan reads it (a UTF-8 BOM is put back by `write`), or None."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, ValueError):
        return None


def write(path: Path, text: str, expected: str | None = None) -> None:
    """Replace `path`'s content with `text`, keeping its BOM and permissions: written to a file
    beside it, then renamed over it, so an interrupted fix never leaves half a file. With `expected`
    (the text the fixes were made on), a file edited meanwhile is left alone: OSError."""
    current = path.read_bytes()
    if expected is not None and current.decode("utf-8-sig", errors="replace") != expected:
        raise OSError("it changed while it was being fixed (left as it is): run nhilint fix again")
    bom = current.startswith(BOM.encode())
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # O_EXCL: no link followed
    with os.fdopen(handle, "wb") as out:
        out.write(((BOM if bom else "") + text).encode("utf-8"))
    os.chmod(temporary, path.stat().st_mode & 0o7777)
    os.replace(temporary, path)


def _unparsed(result: ScanResult) -> set[str]:
    return {f.loc.file for f in result.findings if f.rule_id == "NHI001"}
