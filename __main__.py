"""Quickstart: one custom-approvals integration configuration.

pulumi config set --secret launchdarkly:accessToken api-...
pulumi config set --secret approvalsApiKey <the key your approvals service expects>
pulumi up
"""

import pulumi

from provider import IntegrationConfiguration

config = pulumi.Config()

approvals = IntegrationConfiguration(
    "change-approvals",
    integration_key="custom-approvals",
    name="Change approvals",
    config_values={
        "apiKey": config.require_secret("approvalsApiKey"),
        "baseURL": config.get("approvalsBaseUrl") or "https://approvals.example.com",
    },
    tags=["platform", "approvals"],
)

pulumi.export("approvals_id", approvals.id)
