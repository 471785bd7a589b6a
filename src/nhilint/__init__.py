"""nhilint: stop risky non-human identities before they are deployed."""

try:  # the git tag, written into the wheel at build time (hatch_build.py)
    from nhilint._version import __version__
except ImportError:  # an editable install or a source tree: ask the installed metadata
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("nhilint")
    except PackageNotFoundError:
        __version__ = "0+unknown"
