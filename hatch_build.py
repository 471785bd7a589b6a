"""Build hook: put the version (the git tag, from hatch-vcs) into the wheel as nhilint/_version.py, so
`nhilint --version` reads one tiny module. The file is written outside the source tree: a build from a
working checkout (pre-commit, tests, the action) never changes the code other processes are running.
An editable install has no such file; nhilint then asks the installed metadata."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class VersionFileHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        self._scratch = Path(tempfile.mkdtemp(prefix="nhilint-version-"))
        module = self._scratch / "_version.py"
        module.write_text(f'__version__ = "{self.metadata.version}"\n', encoding="utf-8")
        build_data["force_include"][str(module)] = "nhilint/_version.py"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
