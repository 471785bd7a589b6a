"""Build hook: the version (the git tag, from hatch-vcs) as nhilint/_version.py, so `nhilint --version`
and every start read one tiny module (importlib.metadata costs more than the rest of `--version`).
A wheel gets it from a scratch file: building from a working checkout (tests, the action) never rewrites
code other processes are running. Only an editable install (`pip install -e .`) writes it into src/."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class VersionFileHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        text = f'__version__ = "{self.metadata.version}"\n'
        if version == "editable":  # the package is imported from src/: replace the file there atomically
            target = Path(self.root) / "src" / "nhilint" / "_version.py"
            partial = target.with_name(f".{target.name}.{os.getpid()}")
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, target)
            return
        self._scratch = Path(tempfile.mkdtemp(prefix="nhilint-version-"))
        module = self._scratch / "_version.py"
        module.write_text(text, encoding="utf-8")
        build_data["force_include"][str(module)] = "nhilint/_version.py"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
