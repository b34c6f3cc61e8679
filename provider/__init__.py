"""Manage LaunchDarkly integration configurations as code with a Pulumi dynamic provider.

    from provider import IntegrationConfiguration

The resource and provider classes load on first use, so `python -m provider.emulator` and other
tools do not pay for importing the Pulumi SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from .lifecycle import IntegrationConfigurationProvider
    from .resource import IntegrationConfiguration, IntegrationConfigurationArgs

__all__ = [
    "IntegrationConfiguration",
    "IntegrationConfigurationArgs",
    "IntegrationConfigurationProvider",
    "__version__",
]

_LAZY = {
    "IntegrationConfiguration": "resource",
    "IntegrationConfigurationArgs": "resource",
    "IntegrationConfigurationProvider": "lifecycle",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'provider' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module_name}", __name__), name)
