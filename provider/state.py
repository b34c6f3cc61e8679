"""The resource's property bags: what a program declares (inputs) and what state holds (outputs).

Property names are the resource's snake_case names, exactly as they appear in Pulumi state; nested
values (`config_values`, `capability_config`) keep the API's own keys. Converting to and from API
models happens here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .models import CapabilityConfigPost, IntegrationConfigurationPost, IntegrationConfigurationRep

PROVIDER_PROPERTY = "__provider"
INPUT_NAMES = (
    "integration_key",
    "name",
    "config_values",
    "enabled",
    "tags",
    "capability_config",
    "import_id",
)
OUTPUT_ONLY_NAMES = ("created_at", "access", "snowflake_setup_script")
SECRET_OUTPUT_NAMES = ("config_values",)


def from_wire(value: Any) -> Any:
    """Undo what the Pulumi wire format does to numbers: every number arrives as a float."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: from_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_wire(item) for item in value]
    return value


def without_nulls(value: Any) -> Any:
    """Drop None members recursively, so `{"a": None}` and `{}` compare equal."""
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


class ConfigurationInputs(BaseModel):
    """What the program declares. Validation here is the schema level; manifests add the rest."""

    model_config = ConfigDict(extra="ignore", strict=True)

    integration_key: str = Field(min_length=1)
    name: str = Field(min_length=1)
    config_values: dict[str, Any]
    enabled: bool | None = None
    tags: list[str] | None = None
    capability_config: dict[str, Any] | None = None
    # The id of an existing configuration to take over instead of creating one (see provider/adoption.py).
    import_id: str | None = None

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("must not be blank")
        return name

    @classmethod
    def from_props(cls, props: dict[str, Any]) -> ConfigurationInputs:
        return cls.model_validate(
            {name: from_wire(props.get(name)) for name in INPUT_NAMES if props.get(name) is not None}
        )

    @property
    def effective_enabled(self) -> bool:
        """LaunchDarkly enables a configuration unless told otherwise."""
        return True if self.enabled is None else self.enabled

    def capability_config_model(self) -> CapabilityConfigPost | None:
        if self.capability_config is None:
            return None
        return CapabilityConfigPost.model_validate(self.capability_config)

    def to_post(self) -> IntegrationConfigurationPost:
        return IntegrationConfigurationPost(
            name=self.name,
            config_values=self.config_values,
            enabled=self.enabled,
            tags=self.tags,
            capability_config=self.capability_config_model(),
        )

    def to_props(self) -> dict[str, Any]:
        return self.model_dump()


class ConfigurationState(ConfigurationInputs):
    """What Pulumi state holds after create, update or refresh.

    `config_values` holds the values the program declared (real secrets, never the API's masked
    copies), refreshed with out-of-band changes to non-secret keys.
    """

    model_config = ConfigDict(extra="ignore", strict=False)

    created_at: int | None = None
    access: dict[str, Any] | None = None
    snowflake_setup_script: str | None = None

    @classmethod
    def from_props(cls, props: dict[str, Any]) -> ConfigurationState:
        names = INPUT_NAMES + OUTPUT_ONLY_NAMES
        return cls.model_validate(
            {name: from_wire(props.get(name)) for name in names if props.get(name) is not None}
        )

    @classmethod
    def from_response(
        cls,
        response: IntegrationConfigurationRep,
        declared: ConfigurationInputs,
        previous: ConfigurationState | None = None,
    ) -> ConfigurationState:
        """State after a write: the declared values, plus what only the API knows.

        `enabled` and `tags` show what LaunchDarkly holds when the program left them unset.

        The setup script comes only on the response that created the configuration, so it is kept.
        """
        values = declared.model_dump()
        values["enabled"] = response.enabled if response.enabled is not None else declared.effective_enabled
        if declared.tags is None:
            values["tags"] = response.tags or []
        return cls(
            **values,
            created_at=response.created_at,
            access=response.access.to_api() if response.access else None,
            snowflake_setup_script=response.snowflake_setup_script
            or (previous.snowflake_setup_script if previous else None),
        )

    def inputs(self) -> ConfigurationInputs:
        return ConfigurationInputs.model_validate(self.model_dump(include=set(INPUT_NAMES)))

    def to_props(self) -> dict[str, Any]:
        return self.model_dump()
