"""Custom approvals: LaunchDarkly asks your own service to approve flag changes.

Config (per stack): approvalsBaseUrl, changeTicketRequired; secrets: approvalsApiKey and
launchdarkly:accessToken (see README.md).
"""

import pulumi

from provider import IntegrationConfiguration

config = pulumi.Config()
stack = pulumi.get_stack()

# Extra fields people fill in when they request an approval; LaunchDarkly forwards them to the service.
approval_form = [
    {
        "key": "changeTicket",
        "name": "Change ticket",
        "type": "string",
        "description": "The ticket that tracks this change, for example CHG0012345.",
        "isOptional": not config.require_bool("changeTicketRequired"),
    },
    {
        "key": "customerVisible",
        "name": "Customers will notice this change",
        "type": "boolean",
        "isOptional": True,
        "defaultValue": False,
    },
]

approvals = IntegrationConfiguration(
    "change-approvals",
    integration_key="custom-approvals",
    name=f"Change approvals ({stack})",
    config_values={
        "apiKey": config.require_secret("approvalsApiKey"),
        "baseURL": config.require("approvalsBaseUrl"),
    },
    capability_config={"approvals": {"additionalFormVariables": approval_form}},
    tags=["approvals", stack],
)

pulumi.export("approvals_id", approvals.id)
