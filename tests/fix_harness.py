"""Run the real fix loop on a file written under tmp_path: the scan, the fixers, the re-scans."""

from __future__ import annotations

from pathlib import Path

from nhilint.config import Config, Configs
from nhilint.fixes.base import FixOptions, Safety
from nhilint.fixes.run import Outcome, fix
from nhilint.pipeline.scan import scan


def run_fix(
    root: Path,
    options: FixOptions | None = None,
    safeties: tuple[Safety, ...] = ("safe", "unsafe"),
    config: Config | None = None,
) -> Outcome:
    """Fix everything under `root` in memory (nothing is written); `outcome.texts` holds the fixed
    texts by path relative to `root`, `outcome.result` the scan of them."""
    configs = Configs(explicit=config or Config())
    return fix(
        lambda edited: scan([root], configs, root, edited=edited),
        options or FixOptions(),
        safeties,
    )


def fixed_text(root: Path, rel: str, before: str, **kwargs: object) -> tuple[str, Outcome]:
    """Write `before` at `root/rel`, fix, and return the file's fixed text (unchanged if no fix)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(before.encode())
    outcome = run_fix(root, **kwargs)  # type: ignore[arg-type]
    return outcome.texts.get(rel, before), outcome
