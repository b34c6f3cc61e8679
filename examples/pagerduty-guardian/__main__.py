"""PagerDuty Guardian Edition: LaunchDarkly opens PagerDuty incidents when a guarded rollout regresses.

Config (per stack): severity, and optionally eventFilter and projectAndEnv; secrets:
pagerdutyIntegrationKey and launchdarkly:accessToken (see README.md).
"""

from typing import Any

import pulumi

from provider import IntegrationConfiguration

config = pulumi.Config()
stack = pulumi.get_stack()

config_values: dict[str, Any] = {
    # PagerDuty's integration (routing) key of the receiving service, not LaunchDarkly's integration_key:
    # anyone holding it can open incidents, hence a secret.
    "integrationKey": config.require_secret("pagerdutyIntegrationKey"),
    "severity": config.require("severity"),
}
# Both filters are optional; a stack that leaves one out gets LaunchDarkly's default for it.
event_filter = config.get_object("eventFilter")
if event_filter is not None:
    config_values["eventFilter"] = event_filter
project_and_env = config.get_object("projectAndEnv")
if project_and_env is not None:
    config_values["projectAndEnv"] = project_and_env

guardian = IntegrationConfiguration(
    "guardian-pagerduty",
    integration_key="pagerduty-guardian-edition",
    name=f"Guardian rollouts to PagerDuty ({stack})",
    config_values=config_values,
    tags=["guardian", "pagerduty", stack],
)

pulumi.export("guardian_configuration_id", guardian.id)
