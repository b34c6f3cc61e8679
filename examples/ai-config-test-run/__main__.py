"""AI Config test runs: one model-provider configuration per LaunchDarkly environment.

Config (per stack): environments, a list of {key, provider}; secrets: apiKeys, one model-provider
API key per environment key, and launchdarkly:accessToken (see README.md).
"""

from typing import Any

import pulumi

from provider import IntegrationConfiguration

config = pulumi.Config()
environments: list[dict[str, Any]] = config.require_object("environments")
# One secret object keyed by environment, so adding an environment is one `--path` command.
api_keys = config.require_secret_object("apiKeys")


def api_key_for(environment: str) -> pulumi.Output[str]:
    def pick(keys: dict[str, str]) -> str:
        if environment not in keys:
            raise ValueError(
                f"no model-provider API key for environment {environment!r}: run "
                f"pulumi config set --secret --path 'apiKeys.{environment}' <key>"
            )
        return keys[environment]

    return api_keys.apply(pick)


configuration_ids = {}
for environment in environments:
    key = environment["key"]
    test_runs = IntegrationConfiguration(
        f"test-runs-{key}",
        integration_key="aiconfig-test-run",
        name=f"AI Config test runs ({key})",
        config_values={"provider": environment["provider"], "apiKey": api_key_for(key)},
        tags=["ai-configs", key],
    )
    configuration_ids[key] = test_runs.id

pulumi.export("configuration_ids", configuration_ids)
