"""One `nhilint scan --fix` / `nhilint fix` run, for the command layer: the options each file's
configuration gives, which files may be edited, the marks a plain scan puts on fixable findings,
the unified diff of `--diff`, and writing the fixed files."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from nhilint.config import Config, Configs
from nhilint.findings import ScanResult
from nhilint.fixes.base import FixOptions, Safety

if TYPE_CHECKING:  # the fixers (fixes.run imports the registry) load only when a fix may apply
    from nhilint.fixes.run import Outcome, ScanFn


def safeties(unsafe: bool) -> tuple[Safety, ...]:
    return ("safe", "unsafe") if unsafe else ("safe",)


def options_for(config: Config) -> FixOptions:
    """The `fix:` section of a file's configuration, and its TTL limit, as a fixer reads them."""
    section, defaults = config.fix, FixOptions()
    return FixOptions(
        owner=section.get("owner", defaults.owner),
        expires_in_days=section.get("expires-in-days", defaults.expires_in_days),
        aws_role_variable=section.get("aws-role-variable", defaults.aws_role_variable),
        max_ttl_seconds=config.max_credential_ttl_seconds,
        owner_keys=config.owner_keys,  # a tag the file's own rules would not read fixes nothing
        expiry_keys=config.expiry_keys,
    )


def options_at(configs: Configs, root: Path) -> Callable[[str], FixOptions]:
    """Each file's options (path as findings name it, relative to `root`), from its own configuration."""
    return lambda rel: options_for(configs.at(root / rel))


def under(paths: Iterable[Path], root: Path) -> Callable[[str], bool]:
    """Whether a file (relative to `root`) is one of `paths` or below one: `nhilint fix PATHS` edits
    nothing else (not a `--context` file, not a module a scanned file pulls in from elsewhere, not
    standard input). A symbolic link is not edited: writing would replace the link by a file."""
    bounds = [Path(os.path.realpath(p)) for p in paths if p != Path("-")]
    known: dict[str, bool] = {}  # asked once per finding: the disk once per file
    real_parents: dict[Path, str] = {}  # resolved once per directory (realpath stats every component)

    def editable(rel: str) -> bool:
        if rel not in known:
            given = root / rel
            if given.is_symlink():
                known[rel] = False
            else:  # not a link: the file resolves to its resolved directory and its own name
                parent = real_parents.get(given.parent)
                if parent is None:
                    parent = real_parents[given.parent] = os.path.realpath(given.parent)
                path = Path(parent, given.name)
                known[rel] = any(path == bound or bound in path.parents for bound in bounds)
        return known[rel]

    return editable


def has_fixable(result: ScanResult) -> bool:
    """Whether any active finding's rule has a fix in the catalogue: else marking reads nothing and
    imports no fixer (the common scan stays as cheap as before)."""
    return any((check := result.rules.get(f.rule_id)) and check.fix for f in result.active)


def mark(
    result: ScanResult, options: Callable[[str], FixOptions], show_unsafe: bool, paths: Iterable[Path]
) -> None:
    """Mark each active finding a fix can resolve now with that fix's safety (the safest of several),
    for the report's `[*]` and its "fixable" count. A fixer's crash costs its mark: it is an
    internal error of the result, never a failed scan."""
    result.fixes.show_unsafe = show_unsafe
    if not has_fixable(result):
        return
    from nhilint.fixes.run import plan, settled

    editable = under(paths, Path(result.root))
    offered = plan(result, options, ("safe", "unsafe"), None, result.internal_errors, editable)
    offers = [offer for fixes in offered.values() for offer in fixes]
    for finding in settled(result.active, offers):  # only a finding the fixes resolve whole is marked
        finding.fix = "unsafe"
    for finding in settled(result.active, [offer for offer in offers if offer.safety == "safe"]):
        finding.fix = "safe"


def run(
    scan: ScanFn, options: Callable[[str], FixOptions], unsafe: bool, paths: Iterable[Path], root: Path
) -> Outcome:
    """Fix the files under `paths` in memory (nothing written): every internal error, the scans'
    and the fixers', lands in `outcome.result.internal_errors`, and its summary counts the fixes."""
    from nhilint.fixes.run import fix

    outcome = fix(scan, options, safeties(unsafe), under(paths, root))
    changed = {rel for rel, text in outcome.texts.items() if text != outcome.originals.get(rel)}
    outcome.texts = {rel: outcome.texts[rel] for rel in changed}
    outcome.applied = [(rel, f) for rel, f in outcome.applied if rel in changed]
    result = outcome.result
    result.internal_errors = [*result.internal_errors, *outcome.errors]
    result.fixes.show_unsafe = unsafe
    result.fixes.applied = True
    result.fixes.fixed = outcome.fixed
    result.fixes.files = len(changed)
    return outcome


def write_all(outcome: Outcome) -> list[str]:
    """Write each fixed file (atomically, BOM and permissions kept) unless it changed since it was
    read (a concurrent edit is never clobbered); the ones not written, each as one sentence."""
    from nhilint.fixes.run import write

    root = Path(outcome.result.root)
    failed = []
    for rel, text in sorted(outcome.texts.items()):
        try:
            write(root / rel, text, outcome.originals.get(rel))
        except OSError as exc:
            failed.append(f"cannot write the fixes of {rel}: {exc.strerror or exc}")
    return failed


def advice(outcome: Outcome) -> list[tuple[list[str], str, str]]:
    """(files, what the fix did, what the user must still do by hand) for the applied fixes that
    leave something to do; the same advice once, with every file it concerns (first seen first)."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for rel, applied in outcome.applied:
        if applied.advice.strip():
            files = grouped.setdefault((applied.title, applied.advice.strip()), [])
            if rel not in files:
                files.append(rel)
    return [(files, title, text) for (title, text), files in grouped.items()]


def unified_diff(outcome: Outcome) -> str:
    """What the fixes change, as a unified diff with `a/` and `b/` paths relative to the scan root.

    Context lines are the scanned file's own: a secret on one is cut to its redacted prefix and a
    control character escaped (a diff is printed like a report), so such a hunk may not apply."""
    import difflib  # only for --diff: a scan marking fixable findings does not need it

    chunks = []
    for rel in sorted(outcome.texts):
        before = outcome.originals.get(rel, "").splitlines(keepends=True)
        after = outcome.texts[rel].splitlines(keepends=True)
        name = rel.lstrip("/")  # a file outside the working directory: `a/tmp/x`, never `a//tmp/x`
        lines = difflib.unified_diff(before, after, f"a/{name}", f"b/{name}")
        chunks.append("".join(_shown(line) for line in lines))
    return "".join(chunks)


def _shown(line: str) -> str:
    from nhilint.knowledge.redaction import redact_assigned, redact_secrets
    from nhilint.report.escape import terminal_line

    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    shown = "\t".join(terminal_line(redact_assigned(redact_secrets(part))) for part in body.split("\t"))
    if not ending:  # the file's last line has no line break
        return shown + "\n\\ No newline at end of file\n"
    return shown + ending
