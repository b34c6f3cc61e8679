"""Pydantic models of the LaunchDarkly API shapes this provider sends and receives.

Field aliases are the API's own names (`configValues`, `_id`, ...); Python attributes are snake_case.
Every model tolerates fields it does not know, because LaunchDarkly adds fields over time and a
newer server must never break an older provider.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ApiModel(BaseModel):
    """Base for API shapes: populate by attribute or alias, keep unknown fields, dump by alias."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    def to_api(self) -> dict[str, Any]:
        """The JSON body for this model as the API spells it, without unset optional fields."""
        return self.model_dump(by_alias=True, exclude_unset=True, exclude_none=True, mode="json")


class FormVariable(ApiModel):
    """One field of an integration manifest's form (`formVariables`), or an additional approval field."""

    key: str
    name: str
    type: str
    description: str | None = None
    placeholder: str | None = None
    is_secret: bool = Field(default=False, alias="isSecret")
    is_optional: bool = Field(default=False, alias="isOptional")
    is_hidden: bool = Field(default=False, alias="isHidden")
    default_value: Any = Field(default=None, alias="defaultValue")
    allowed_values: list[str] | None = Field(default=None, alias="allowedValues")
    disable_after_saving: bool = Field(default=False, alias="disableAfterSaving")


class IntegrationManifest(ApiModel):
    """The parts of an integration manifest that matter for integration configurations."""

    key: str
    name: str
    version: str | None = None
    allow_integration_configurations: bool = Field(default=False, alias="allowIntegrationConfigurations")
    form_variables: list[FormVariable] = Field(default_factory=list, alias="formVariables")
    capabilities: dict[str, Any] = Field(default_factory=dict)

    def form_variable(self, key: str) -> FormVariable | None:
        return next((variable for variable in self.form_variables if variable.key == key), None)

    @property
    def secret_keys(self) -> frozenset[str]:
        return frozenset(variable.key for variable in self.form_variables if variable.is_secret)


class Statement(ApiModel):
    """A policy statement selecting which audit-log events an `auditLogEventsHook` receives."""

    effect: Literal["allow", "deny"]
    resources: list[str] | None = None
    not_resources: list[str] | None = Field(default=None, alias="notResources")
    actions: list[str] | None = None
    not_actions: list[str] | None = Field(default=None, alias="notActions")


class ApprovalsCapabilityConfig(ApiModel):
    additional_form_variables: list[FormVariable] | None = Field(
        default=None, alias="additionalFormVariables"
    )


class AuditLogEventsHookCapabilityConfig(ApiModel):
    statements: list[Statement] | None = None


class CapabilityConfig(ApiModel):
    approvals: ApprovalsCapabilityConfig | None = None
    audit_log_events_hook: AuditLogEventsHookCapabilityConfig | None = Field(
        default=None, alias="auditLogEventsHook"
    )


class IntegrationConfigurationPost(ApiModel):
    """The body of `POST /api/v2/integration-configurations/keys/{integrationKey}`."""

    name: str
    config_values: dict[str, Any] = Field(alias="configValues")
    enabled: bool | None = None
    tags: list[str] | None = None
    capability_config: CapabilityConfig | None = Field(default=None, alias="capabilityConfig")


class PatchOperation(ApiModel):
    """One RFC 6902 operation; `value` is left out of the body for `remove`."""

    op: Literal["add", "replace", "remove"]
    path: str
    value: Any = None

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {"op": self.op, "path": self.path}
        if self.op != "remove":
            body["value"] = self.value
        return body


class AccessReason(ApiModel):
    effect: str
    resources: list[str] | None = None
    not_resources: list[str] | None = Field(default=None, alias="notResources")
    actions: list[str] | None = None
    not_actions: list[str] | None = Field(default=None, alias="notActions")
    role_name: str | None = None


class AccessEntry(ApiModel):
    action: str
    reason: AccessReason


class Access(ApiModel):
    allowed: list[AccessEntry] = Field(default_factory=list)
    denied: list[AccessEntry] = Field(default_factory=list)


class Link(ApiModel):
    href: str
    type: str | None = None


class IntegrationConfigurationRep(ApiModel):
    """A configuration as the API returns it (`IntegrationConfigurationsRep`)."""

    id: str = Field(alias="_id")
    name: str
    links: dict[str, Link] = Field(default_factory=dict, alias="_links")
    created_at: int | None = Field(default=None, alias="_createdAt")
    integration_key: str | None = Field(default=None, alias="_integrationKey")
    tags: list[str] | None = None
    enabled: bool | None = None
    access: Access | None = Field(default=None, alias="_access")
    config_values: dict[str, Any] = Field(default_factory=dict, alias="configValues")
    capability_config: CapabilityConfig | None = Field(default=None, alias="capabilityConfig")
    snowflake_setup_script: str | None = Field(default=None, alias="snowflakeSetupScript")
    maintainer_id: str | None = Field(default=None, alias="_maintainerId")


class IntegrationConfigurationCollection(ApiModel):
    items: list[IntegrationConfigurationRep] = Field(default_factory=list)
    links: dict[str, Link] = Field(default_factory=dict, alias="_links")


class ManifestCollection(ApiModel):
    items: list[IntegrationManifest] = Field(default_factory=list)


class ApiErrorBody(ApiModel):
    """LaunchDarkly's error body: `{code, message, id?}`."""

    code: str | None = None
    message: str | None = None
    id: str | None = None
