"""nhilint: stop risky non-human identities before they are deployed."""

try:  # written from the git tag when the package is built or installed (pyproject.toml [tool.hatch.version])
    from nhilint._version import __version__
except (ImportError, SyntaxError):  # a source tree never built, or a build rewriting it right now
    __version__ = "0+unknown"
