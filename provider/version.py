"""The package version, kept in one place for packaging and the User-Agent header."""

__version__ = "0.1.0"
