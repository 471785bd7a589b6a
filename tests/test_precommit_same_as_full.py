"""The pre-commit hook's scan (`--context . -- FILE`) reports about a staged file exactly what a full
scan of the repository reports about it: the same findings, fingerprints, folds and severities,
whichever file is staged. What the hook leaves out for speed must never change its answer."""

from __future__ import annotations

import shutil
from pathlib import Path

from nhilint.config import Configs
from nhilint.findings import Finding
from nhilint.pipeline.scan import scan

from .conftest import FIXTURES


def repository(tmp_path: Path) -> Path:
    """Two copies of the insecure fixtures (identities shared across them: whole-scan findings with
    related places in other files) and the hardened ones, under the fixtures' configuration."""
    root = tmp_path / "repo"
    for name, source in (("a", "insecure"), ("b", "insecure"), ("c", "hardened")):
        shutil.copytree(FIXTURES / source, root / name)
    shutil.copy(FIXTURES / ".nhilint.yaml", root / ".nhilint.yaml")
    (root / ".git").mkdir()  # the repository root: configuration is looked up to here
    return root


def about(finding: Finding, rel: str) -> bool:
    return finding.loc.file == rel or any(r.loc.file == rel for r in finding.related)


def test_each_staged_file_gets_the_full_scans_findings_about_it(tmp_path: Path) -> None:
    root = repository(tmp_path)
    full = scan([root], Configs(), root=root)
    assert {f.rule_id for f in full.active} >= {"NHI101", "NHI402"}
    staged_files = sorted(p for p in (root / "a").rglob("*") if p.is_file()) + sorted(
        p for p in (root / "c").rglob("*") if p.is_file()
    )
    assert len(staged_files) > 30
    for path in staged_files:
        rel = path.relative_to(root).as_posix()
        hook = scan([path], Configs(), root=root, context=[root])
        expected = [f for f in full.findings if about(f, rel)]
        assert hook.findings == expected, rel
        assert [f.fingerprint for f in hook.findings] == [f.fingerprint for f in expected], rel
