"""nhilint: stop risky non-human identities before they are deployed."""

try:  # the git tag, written at build or editable install time (hatch_build.py)
    from nhilint._version import __version__
except (ImportError, SyntaxError):  # a source tree never installed: ask the metadata, if any
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("nhilint")
    except PackageNotFoundError:
        __version__ = "0+unknown"
