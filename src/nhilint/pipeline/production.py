"""Tests, fixtures, examples and docs are not what is deployed.

A finding in a file below the scanned path, inside a directory the file's configuration names in
`non-production-paths` (by default the conventional `tests/`, `testdata/`, `e2e/`, `fixtures/`,
`examples/`, `docs/`...; whole segments, case-insensitive), is reported as a note and never fails
the scan. Credentials are the exception: a real key committed to a test file is leaked all the same.

What production deploys is production wherever it lives: a file a production file pulls in (a
Terraform local module, a GitLab `include: local`, a kustomization's resources), transitively, and
a finding with a related location in production keep their level. Otherwise
`source = "./examples/admin"` would make a deployed admin role a note. A finding judged for one
caller (a reusable module's role judged with the values one module call passes) takes that caller's
status instead of its own file's: the module's finding for an `examples/` call is a note, the one
for a root module's call keeps its level.

Only segments *below* the scanned path count, so a path the user names is judged as production:
`nhilint scan fixtures/insecure` judges the sample repository, `nhilint scan .` treats the repository's
own `fixtures/` as test data, and `nhilint scan tests/main.tf` judges that file.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Mapping
from pathlib import Path

from nhilint.config import Configs
from nhilint.findings import Finding

# A committed secret is leaked wherever it sits: it keeps its level in test paths too. A key
# resource (NHI102) or a provider reading keys from a variable (NHI105) leaks nothing until someone
# applies that test configuration, so those are notes there like the rest.
CREDENTIAL_RULES = frozenset({"NHI101"})


def lower(
    findings: list[Finding],
    scanned: list[Path],
    root: Path,
    configs: Configs,
    deploys: Mapping[str, list[str]] | None = None,
) -> None:
    """Mark the findings in non-production paths (in place): level note, `non_production` set.
    `deploys` names the files and directories each file (relative to `root`) pulls in."""
    anchors = sorted({os.path.abspath(p) for p in scanned}, key=len, reverse=True)
    known: dict[str, bool] = {}  # asked for each finding and each place it relates to: once per file

    def in_test_path(rel: str) -> bool:
        if rel not in known:
            path = os.path.abspath(os.path.join(root, rel))
            names = configs.at(Path(path)).non_production_paths
            below = _directories_below(path, anchors)
            known[rel] = bool(names) and any(segment.lower() in names for segment in below)
        return known[rel]

    deployed = _deployed_by_production(deploys or {}, in_test_path)
    for finding in findings:
        if finding.rule_id in CREDENTIAL_RULES:
            continue
        places = _judged_places(finding, deploys or {})
        if all(in_test_path(rel) and not _reached(rel, deployed) for rel in places):
            finding.severity = "note"
            finding.non_production = True


def _judged_places(finding: Finding, deploys: Mapping[str, list[str]]) -> list[str]:
    """The files whose production status is the finding's: its own and its related locations', where
    a file that a related one deploys (a module judged with that call's values), transitively, gives
    way to its caller: a reusable module's finding for an `examples/` call is the example's."""
    related = [r.loc.file for r in finding.related]
    own, seen = finding.loc.file, {finding.loc.file}
    while caller := next((r for r in related if r not in seen and _deploys(deploys, r, own)), None):
        own = caller
        seen.add(caller)
    return [own, *(r for r in related if r not in seen)]


def _deploys(deploys: Mapping[str, list[str]], caller: str, rel: str) -> bool:
    """Whether `caller` names the file `rel` or its directory among what it deploys."""
    return _reached(rel, {posixpath.normpath(t) for t in deploys.get(caller, [])})


def _deployed_by_production(
    deploys: Mapping[str, list[str]], in_test_path: Callable[[str], bool]
) -> set[str]:
    """The files and directories production files pull in, transitively (a reached directory pulls
    in what its own files do)."""
    by_directory: dict[str, list[str]] = {}
    for rel in deploys:
        by_directory.setdefault(posixpath.dirname(rel), []).append(rel)
    pending = [t for rel, targets in deploys.items() if not in_test_path(rel) for t in targets]
    reached: set[str] = set()
    while pending:
        target = posixpath.normpath(pending.pop())
        if target in reached:
            continue
        reached.add(target)
        for rel in (target, *by_directory.get(target, [])):
            pending += deploys.get(rel, [])
    return reached


def _reached(rel: str, deployed: set[str]) -> bool:
    """Whether the file `rel` is deployed: named itself, or its directory (a module, a kustomize base)."""
    return rel in deployed or posixpath.dirname(rel) in deployed


def _directories_below(path: str, anchors: list[str]) -> list[str]:
    """The directory names between the innermost scanned path holding `path` and the file itself."""
    for anchor in anchors:  # longest first: the innermost
        prefix = anchor.rstrip(os.sep) + os.sep
        if path.startswith(prefix):
            return path[len(prefix) :].split(os.sep)[:-1]
    return []
