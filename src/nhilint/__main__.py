"""The `nhilint` command (and `python -m nhilint`): answers `--version` before importing the CLI.

Importing click and every command costs several times what printing the version does, and
`nhilint --version` is what CI steps and wrappers run to probe the tool.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from nhilint import __version__

        print(f"nhilint, version {__version__}")  # what click's version_option prints
        return
    from nhilint.cli import main as cli

    cli(prog_name="nhilint")


if __name__ == "__main__":
    main()
