"""Tests, fixtures, examples and docs are not what is deployed.

A finding in a file below the scanned path, inside a directory the file's configuration names in
`non-production-paths` (by default the conventional `tests/`, `testdata/`, `e2e/`, `fixtures/`,
`examples/`, `docs/`...; whole segments, case-insensitive), is reported as a note and never fails
the scan. Credentials are the exception: a real key committed to a test file is leaked all the same.

Only segments *below* the scanned path count, so a path the user names is judged as production:
`nhilint scan fixtures/insecure` judges the sample repository, `nhilint scan .` treats the repository's
own `fixtures/` as test data, and `nhilint scan tests/main.tf` judges that file.
"""

from __future__ import annotations

import os
from pathlib import Path

from nhilint.config import Configs
from nhilint.findings import Finding

# A committed credential is leaked wherever it sits: these keep their level in test paths too.
CREDENTIAL_RULES = frozenset({"NHI101", "NHI102", "NHI105"})


def lower(findings: list[Finding], scanned: list[Path], root: Path, configs: Configs) -> None:
    """Mark the findings in non-production paths (in place): level note, `non_production` set."""
    anchors = sorted({os.path.abspath(p) for p in scanned}, key=len, reverse=True)
    for finding in findings:
        if finding.rule_id in CREDENTIAL_RULES:
            continue
        path = os.path.abspath(os.path.join(root, finding.loc.file))
        names = configs.at(Path(path)).non_production_paths
        if names and any(segment.lower() in names for segment in _directories_below(path, anchors)):
            finding.severity = "note"
            finding.non_production = True


def _directories_below(path: str, anchors: list[str]) -> list[str]:
    """The directory names between the innermost scanned path holding `path` and the file itself."""
    for anchor in anchors:  # longest first: the innermost
        prefix = anchor.rstrip(os.sep) + os.sep
        if path.startswith(prefix):
            return path[len(prefix) :].split(os.sep)[:-1]
    return []
