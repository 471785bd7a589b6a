"""`python -m nhilint.cli` and `nhilint.cli:main`: kept because the GitHub Action (action.yml), scripts
and wrappers run them. The commands live in `nhilint.commands`."""

from nhilint.commands import main

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    main()
