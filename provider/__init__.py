"""Manage LaunchDarkly integration configurations as code with a Pulumi dynamic provider."""

from .version import __version__

__all__ = ["__version__"]
