"""nhilint: stop risky non-human identities before they are deployed."""

__version__ = "0.1.0"
