"""Pydantic models of the LaunchDarkly API shapes this provider sends and receives.

Field aliases are the API's own names (`configValues`, `_id`, ...); Python attributes are snake_case.
Models of what LaunchDarkly answers tolerate fields they do not know, because LaunchDarkly adds
fields over time and a newer server must never break an older provider. Models of what a program
declares and this provider sends (`...Post`) are strict instead: an unknown or misspelt field is a
mistake to report at preview, not something to drop silently or let the API refuse at `up`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from .suggest import did_you_mean

# The form-variable types of the integration framework's manifest schema.
FORM_VARIABLE_TYPES = (
    "string",
    "boolean",
    "uri",
    "enum",
    "oauth",
    "dynamicEnum",
    "generated",
    "environmentSelector",
    "multiselect",
    "publicKey",
)


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

    @property
    def required(self) -> bool:
        """Whether a configuration must set it. LaunchDarkly fills in a hidden field with a default itself."""
        if self.is_hidden and self.default_value is not None:
            return False
        return not self.is_optional


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

    @property
    def locked_keys(self) -> frozenset[str]:
        """Keys the API refuses to change once saved (`disableAfterSaving`)."""
        return frozenset(variable.key for variable in self.form_variables if variable.disable_after_saving)


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


class RequestModel(ApiModel):
    """Base for shapes a program declares: API spellings only, exact types, no unknown fields."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)


class FormVariablePost(FormVariable):
    """An additional approval form field as a program declares it (the manifest schema's form variable)."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)

    # Allowed by the manifest schema, passed through untouched.
    dynamic_options: dict[str, Any] | None = Field(default=None, alias="dynamicOptions")
    depends_on: list[Any] | None = Field(default=None, alias="dependsOn")
    multiselect_options: list[Any] | None = Field(default=None, alias="multiselectOptions")
    multiselect_default_options: list[str] | None = Field(default=None, alias="multiselectDefaultOptions")
    hide_empty: bool | None = Field(default=None, alias="hideEmpty")

    # Limits from the integration framework's manifest schema.
    @field_validator("key")
    @classmethod
    def _key_shape(cls, key: str) -> str:
        if not key or len(key) > 20 or any(character.isspace() for character in key):
            raise ValueError("a form variable key is 1 to 20 characters without spaces, for example `ticket`")
        return key

    @field_validator("name")
    @classmethod
    def _name_shape(cls, name: str) -> str:
        if not name.strip() or len(name) > 50:
            raise ValueError("a form variable name is 1 to 50 characters, for example `Change ticket`")
        return name

    @field_validator("type")
    @classmethod
    def _known_type(cls, kind: str) -> str:
        if kind not in FORM_VARIABLE_TYPES:
            raise ValueError(
                f"`{kind}` is not a form variable type.{did_you_mean(kind, FORM_VARIABLE_TYPES)} "
                f"Use one of {', '.join(FORM_VARIABLE_TYPES)}"
            )
        return kind


class StatementPost(Statement):
    """A statement as a program declares it. `resources`/`notResources` (and `actions`/`notActions`)
    exclude each other, as the API's own descriptions say."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)

    # Field validators run in declaration order, so `resources` (`actions`) is in `info.data` here.
    @field_validator("not_resources")
    @classmethod
    def _not_with_resources(cls, values: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if values and info.data.get("resources"):
            raise ValueError("set either `resources` or `notResources`, not both")
        return values

    @field_validator("not_actions")
    @classmethod
    def _not_with_actions(cls, values: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if values and info.data.get("actions"):
            raise ValueError("set either `actions` or `notActions`, not both")
        return values


class ApprovalsCapabilityConfigPost(RequestModel):
    additional_form_variables: list[FormVariablePost] | None = Field(
        default=None, alias="additionalFormVariables"
    )


class AuditLogEventsHookCapabilityConfigPost(RequestModel):
    statements: list[StatementPost] | None = None


class CapabilityConfigPost(RequestModel):
    """`capabilityConfig` as a program declares it: only the capabilities the API knows."""

    approvals: ApprovalsCapabilityConfigPost | None = None
    audit_log_events_hook: AuditLogEventsHookCapabilityConfigPost | None = Field(
        default=None, alias="auditLogEventsHook"
    )


class IntegrationConfigurationPost(ApiModel):
    """The body of `POST /api/v2/integration-configurations/keys/{integrationKey}`."""

    name: str
    config_values: dict[str, Any] = Field(alias="configValues")
    enabled: bool | None = None
    tags: list[str] | None = None
    capability_config: CapabilityConfigPost | None = Field(default=None, alias="capabilityConfig")


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
