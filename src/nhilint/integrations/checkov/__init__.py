"""nhilint's rules as checkov checks, judged by nhilint's own engine.

checkov asks "does check X fail on this resource?" one resource at a time. The answer comes from
one nhilint scan per unit (a Terraform module directory, or one file), cached for the whole run:
check X fails when an active finding of its rule lies inside the resource's lines. Nothing here
imports checkov (only the modules in `checks/` do) nor `hcl2`, which checkov owns.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from msgspec import Struct

from nhilint import catalogue
from nhilint.findings import Finding


class Lines(Struct, frozen=True):
    """The 1-based, inclusive line range of one checkov entity."""

    start: int
    end: int

    def __contains__(self, line: object) -> bool:
        return isinstance(line, int) and self.start <= line <= self.end


def nhilint_only(check: catalogue.Check) -> str | None:
    """Why checkov cannot run `check`, or None when it can."""
    if check.family == "scan":  # parse errors, nhilint's own suppression comments
        return "about nhilint's own scan; checkov reports its parse errors and suppressions itself"
    if check.scope == "scan":  # checkov judges one resource at a time, nhilint one unit per scan
        return check.scope_reason
    return None


def checks_dir() -> Path:
    """The directory to pass to `checkov --external-checks-dir`."""
    return Path(__file__).resolve().parent / "checks"


def check_id(rule_id: str) -> str:
    """`NHI201` -> `CKV_NHI_201`."""
    return f"CKV_NHI_{rule_id.removeprefix('NHI')}"


def bridged_rules() -> list[catalogue.Check]:
    """The catalogue's rules checkov can judge per resource.

    Every format gets every rule: the engine decides where a rule applies, so a catalogue entry
    that under-lists its formats cannot hide a finding from checkov.
    """
    return [c for c in catalogue.load().values() if nhilint_only(c) is None]


def check_name(check: catalogue.Check) -> str:
    return f"{check.summary} (nhilint {check.id} {check.slug})"


def guideline(check: catalogue.Check) -> str:
    return f"Run `nhilint explain {check.id}` for the fix for your platform."


def id_table() -> str:
    """The Markdown map of checkov IDs to nhilint rules, rendered from the catalogue (docs/checkov.md)."""
    rows = ["| checkov ID | nhilint rule | slug | summary |", "|---|---|---|---|"]
    for check in catalogue.load().values():
        reason = nhilint_only(check)
        if reason:
            rows.append(f"| - | {check.id} | {check.slug} | nhilint only: {reason} |")
        else:
            rows.append(f"| {check_id(check.id)} | {check.id} | {check.slug} | {check.summary} |")
    return "\n".join(rows) + "\n"


# resolved unit (directory or file) -> resolved file -> its active findings
_CACHE: dict[Path, dict[Path, list[Finding]]] = {}


def findings_in(path: Path, fmt: str) -> list[Finding]:
    """nhilint's active findings in `path`, from one cached scan of its unit.

    A file of a per-directory format (Terraform) is judged with the rest of its module (variables,
    locals and default_tags live in sibling files); every other format is one file.
    """
    from nhilint.formats.registry import BY_NAME

    path = path.resolve()
    unit = path.parent if BY_NAME[fmt].per_directory else path
    if unit not in _CACHE:
        _CACHE[unit] = _scan_unit(unit)
    return _CACHE[unit].get(path, [])


def _scan_unit(unit: Path) -> dict[Path, list[Finding]]:
    from nhilint import config as configuration
    from nhilint.pipeline.scan import scan

    directory = unit if unit.is_dir() else unit.parent
    files = sorted(p for p in directory.iterdir() if p.is_file()) if unit.is_dir() else [unit]
    # the same configuration per file as `nhilint scan` (each file's nearest one; globs written
    # against its directory), so the bridge can never judge a file differently
    root = next((d for d in (directory, *directory.parents) if (d / ".git").exists()), directory)
    result = scan(files, configuration.Configs(boundaries=(root,)), root=root)
    by_file: dict[Path, list[Finding]] = defaultdict(list)
    for finding in result.active:
        by_file[(root / finding.loc.file).resolve()].append(finding)
    return dict(by_file)


def failures(path: Path, fmt: str, rule_id: str, lines: Lines) -> list[Finding]:
    """Findings of `rule_id` in `path` inside `lines`."""
    return [f for f in findings_in(path, fmt) if f.rule_id == rule_id and f.loc.line in lines]


def details(found: list[Finding]) -> list[str]:
    """One line per finding for checkov's report (messages never carry a secret value)."""
    return [f"line {f.loc.line}: {f.message}" for f in found]


def resolve(scanned_file: str, argv: list[str] | None = None) -> Path | None:
    """The file checkov is evaluating.

    checkov names Terraform and CloudFormation files relative to the directory it scans
    (`/modules/iam/main.tf`) and other formats by their real path, so try the `-d` directories
    of its command line, then the working directory, then the name as it is.
    """
    relative = scanned_file.lstrip("/")
    roots = [Path(d) for d in _directories(sys.argv[1:] if argv is None else argv)] + [Path.cwd()]
    for candidate in [root / relative for root in roots] + [Path(scanned_file)]:
        if candidate.is_file():
            return candidate
    return None


def _directories(argv: list[str]) -> list[str]:
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("-d", "--directory", action="append", default=[])
    known, _ = parser.parse_known_args(argv)
    return list(known.directory)


class Bridge:
    """Mixin for a checkov check class: remembers the file checkov evaluates, judges a line range.

    Put it before checkov's base class; `rule` and `fmt` are set by the subclass's constructor.
    """

    rule: catalogue.Check
    fmt: str
    details: list[str]
    scanned_path: Path | None = None

    def run(
        self,
        scanned_file: str,
        entity_configuration: object,
        entity_name: str,
        entity_type: str,
        skip_info: object,
    ) -> object:
        self.scanned_path = resolve(scanned_file)
        return super().run(  # type: ignore[misc]  # checkov's BaseCheck comes later in the MRO
            scanned_file=scanned_file,
            entity_configuration=entity_configuration,
            entity_name=entity_name,
            entity_type=entity_type,
            skip_info=skip_info,
        )

    def fails(self, lines: Lines) -> bool:
        """Whether nhilint reports this rule inside `lines` of the file checkov evaluates."""
        if self.scanned_path is None:
            raise FileNotFoundError("nhilint cannot find the file checkov is evaluating")
        found = failures(self.scanned_path, self.fmt, self.rule.id, lines)
        self.details.extend(details(found))
        return bool(found)
