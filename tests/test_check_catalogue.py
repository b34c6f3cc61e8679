"""The catalogue of mistakes `pulumi preview` must catch, each through the real plugin process's Check.

Every case names the exact property paths expected (no more, no fewer) and the words a person
needs in each reason. One emulator and one plugin process serve the whole module, as one
`pulumi preview` would: manifests are fetched from the emulator (once per key), and no case may
reach an integration-configuration endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EMULATOR_TOKEN
from engine import CheckFailed, Declared, Engine, PluginProcess
from lifecycle_helpers import approvals, configuration, configuration_requests, manifest_requests
from manifest_helpers import HOOK_KEY, HOOK_VALUES, hook_emulator, preview_hook

from provider.emulator import Emulator

APPROVALS_VALUES = {"apiKey": "approvals-secret-key-1", "baseURL": "https://approvals.example.com"}
AI_VALUES = {"provider": "OpenAI", "apiKey": "sk-ai-secret-0042"}
PAGERDUTY_VALUES = {"integrationKey": "pd-routing-key", "severity": "critical"}
SECRETS = ("approvals-secret-key-1", "sk-ai-secret-0042", "hook-signing-secret-1", "4815162342")

STATEMENTS = "capability_config.auditLogEventsHook.statements"
EXTRA_FIELDS = "capability_config.approvals.additionalFormVariables"
TICKET = {"key": "ticket", "name": "Change ticket", "type": "string"}


def ai(**changes: Any) -> Declared:
    props = {"integration_key": "aiconfig-test-run", "name": "AI test runs", "config_values": AI_VALUES}
    return configuration("ai", **{**props, **changes})


def pagerduty(**changes: Any) -> Declared:
    props = {
        "integration_key": "pagerduty-guardian-edition",
        "name": "Guardian",
        "config_values": PAGERDUTY_VALUES,
    }
    return configuration("pagerduty", **{**props, **changes})


def oauth_approvals(**changes: Any) -> Declared:
    props = {"integration_key": "custom-approvals-oauth", "name": "OAuth approvals", "config_values": {}}
    return configuration("oauth", **{**props, **changes})


def statements(*items: Any) -> dict[str, Any]:
    return {"auditLogEventsHook": {"statements": list(items)}}


def extra_fields(*items: Any) -> dict[str, Any]:
    return {"approvals": {"additionalFormVariables": list(items)}}


Case = tuple[str, Callable[[], Declared], dict[str, list[str]]]

CATALOGUE: list[Case] = [
    # -- resource fields -------------------------------------------------------------------------
    ("integration_key missing", lambda: approvals(integration_key=None), {"integration_key": ["required"]}),
    (
        "integration_key empty",
        lambda: approvals(integration_key=""),
        {"integration_key": ["must not be empty"]},
    ),
    (
        "integration_key not a key",
        lambda: approvals(integration_key="Custom Approvals!"),
        {"integration_key": ["not an integration key", "custom-approvals"]},
    ),
    ("name missing", lambda: approvals(name=None), {"name": ["required", "human-readable name"]}),
    ("name empty", lambda: approvals(name=""), {"name": ["must not be empty"]}),
    ("name blank", lambda: approvals(name="   "), {"name": ["must not be blank"]}),
    ("name not a string", lambda: approvals(name=42), {"name": ["valid string", "got a number"]}),
    (
        "enabled a string",
        lambda: approvals(enabled="yes"),
        {"enabled": ["valid boolean", "got a string", "True or False"]},
    ),
    ("tags a string", lambda: approvals(tags="platform"), {"tags": ["valid list", "got a string"]}),
    ("tag a number", lambda: approvals(tags=["platform", 7]), {"tags[1]": ["valid string", "got a number"]}),
    (
        "tag with a space",
        lambda: approvals(tags=["platform", "not ok"]),
        {"tags[1]": ["not allowed", "letters, digits"]},
    ),
    ("tag empty", lambda: approvals(tags=[""]), {"tags[0]": ["not allowed", "1 to 64"]}),
    ("tag too long", lambda: approvals(tags=["t" * 65]), {"tags[0]": ["not allowed", "1 to 64"]}),
    (
        "config_values a list",
        lambda: approvals(config_values=["apiKey"]),
        {"config_values": ["valid dictionary"]},
    ),
    (
        "capability_config a string",
        lambda: approvals(capability_config="approvals"),
        {"capability_config": ["valid dictionary"]},
    ),
    # -- capability_config shape (the API's) -----------------------------------------------------
    (
        "unknown capability",
        lambda: approvals(capability_config={"approval": {}}),
        {
            "capability_config.approval": [
                "not a capability",
                "Did you mean `approvals`?",
                "auditLogEventsHook",
            ]
        },
    ),
    (
        "statement effect not allow/deny",
        lambda: approvals(capability_config=statements({"effect": "maybe", "resources": ["proj/*"]})),
        {f"{STATEMENTS}[0].effect": ["'allow' or 'deny'", "got 'maybe'"]},
    ),
    (
        "statement without effect",
        lambda: approvals(capability_config=statements({"resources": ["proj/*"]})),
        {f"{STATEMENTS}[0].effect": ["required", "`allow` or `deny`"]},
    ),
    (
        "resources and notResources",
        lambda: approvals(
            capability_config=statements(
                {"effect": "allow", "resources": ["proj/*"], "notResources": ["proj/x"]}
            )
        ),
        {f"{STATEMENTS}[0].notResources": ["either `resources` or `notResources`, not both"]},
    ),
    (
        "actions and notActions",
        lambda: approvals(
            capability_config=statements({"effect": "deny", "actions": ["*"], "notActions": ["a"]})
        ),
        {f"{STATEMENTS}[0].notActions": ["either `actions` or `notActions`, not both"]},
    ),
    (
        "misspelt statement field",
        lambda: approvals(capability_config=statements({"effect": "allow", "resource": ["proj/*"]})),
        {f"{STATEMENTS}[0].resource": ["Did you mean `resources`?"]},
    ),
    (
        "statements not a list",
        lambda: approvals(capability_config={"auditLogEventsHook": {"statements": {"effect": "allow"}}}),
        {STATEMENTS: ["valid list", "got a mapping"]},
    ),
    (
        "additional form variable without key",
        lambda: approvals(capability_config=extra_fields({"name": "Ticket", "type": "string"})),
        {f"{EXTRA_FIELDS}[0].key": ["required", "`key`, a `name` and a `type`"]},
    ),
    (
        "additional form variable with a wrong type",
        lambda: approvals(capability_config=extra_fields({**TICKET, "type": "text"})),
        {f"{EXTRA_FIELDS}[0].type": ["not a form variable type", "string, boolean, uri"]},
    ),
    (
        "additional form variable with a misspelt field",
        lambda: approvals(capability_config=extra_fields({**TICKET, "isoptional": True})),
        {f"{EXTRA_FIELDS}[0].isoptional": ["Did you mean `isOptional`?"]},
    ),
    (
        "additional form variable key with spaces",
        lambda: approvals(capability_config=extra_fields({**TICKET, "key": "change ticket"})),
        {f"{EXTRA_FIELDS}[0].key": ["without spaces"]},
    ),
    # -- against the integration's manifest ------------------------------------------------------
    (
        "misspelt config key",
        lambda: approvals(
            config_values={"apiKey": "approvals-secret-key-1", "baseUrl": "https://a.example.com"}
        ),
        {
            "config_values.baseUrl": [
                "not a field of integration `custom-approvals`",
                "Did you mean `baseURL`?",
            ]
        },
    ),
    (
        "required key missing",
        lambda: approvals(config_values={"apiKey": "approvals-secret-key-1"}),
        {"config_values.baseURL": ["required by integration `custom-approvals`", "add it"]},
    ),
    (
        "secret empty",
        lambda: approvals(config_values={**APPROVALS_VALUES, "apiKey": ""}),
        {"config_values.apiKey": ["is a secret and is empty", "pulumi config set --secret"]},
    ),
    (
        "number where a string is expected",
        lambda: approvals(config_values={**APPROVALS_VALUES, "apiKey": 4815162342}),
        {"config_values.apiKey": ["must be a string", "got a number", "quote it"]},
    ),
    (
        "enum value outside allowedValues",
        lambda: ai(config_values={**AI_VALUES, "provider": "openai"}),
        {"config_values.provider": ["one of Anthropic, Bedrock, OpenAI", "Did you mean `OpenAI`?"]},
    ),
    (
        "string where a boolean is expected",
        lambda: preview_hook(config_values={**HOOK_VALUES, "verbose": "true"}),
        {"config_values.verbose": ["must be a boolean", "got a string", "without quotes"]},
    ),
    (
        "uri without scheme",
        lambda: preview_hook(config_values={**HOOK_VALUES, "endpoint": "hooks.example.com/ld"}),
        {"config_values.endpoint": ["absolute URL", "no scheme"]},
    ),
    (
        "uri with another scheme",
        lambda: preview_hook(config_values={**HOOK_VALUES, "endpoint": "ftp://hooks.example.com"}),
        {"config_values.endpoint": ["scheme `ftp` is not http or https"]},
    ),
    (
        "required uri empty",
        lambda: preview_hook(config_values={**HOOK_VALUES, "endpoint": ""}),
        {"config_values.endpoint": ["required and must not be empty"]},
    ),
    (
        "multiselect option unknown",
        lambda: pagerduty(config_values={**PAGERDUTY_VALUES, "eventFilter": ["measured-rollout-regresion"]}),
        {"config_values.eventFilter[0]": ["not an option", "Did you mean `measured-rollout-regression`?"]},
    ),
    (
        "environmentSelector a number",
        lambda: pagerduty(config_values={**PAGERDUTY_VALUES, "projectAndEnv": 3}),
        {"config_values.projectAndEnv": ["string or a mapping", "got a number"]},
    ),
    (
        "config values for an integration without fields",
        lambda: oauth_approvals(config_values={"apiKey": "x"}),
        {"config_values.apiKey": ["takes no config_values"]},
    ),
    (
        "approvals capability on an integration without it",
        lambda: ai(capability_config=extra_fields(TICKET)),
        {"capability_config.approvals": ["no approval capability", "remove it"]},
    ),
    (
        "every problem at once",
        lambda: preview_hook(
            name="",
            tags=["bad tag"],
            config_values={"endpoint": "nope", "signingSecret": " ", "level": "trace", "Verbose": True},
            capability_config=statements({"effect": "permit"}),
        ),
        {
            "name": ["must not be empty"],
            "tags[0]": ["not allowed"],
            "config_values.endpoint": ["no scheme"],
            "config_values.signingSecret": ["secret and is empty"],
            "config_values.level": ["one of debug, info, warn", "got 'trace'"],
            "config_values.Verbose": ["Did you mean `verbose`?"],
            f"{STATEMENTS}[0].effect": ["got 'permit'"],
        },
    ),
]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with hook_emulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def process(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PluginProcess]:
    program_dir: Path = tmp_path_factory.mktemp("program")
    with PluginProcess(program_dir) as plugin:
        plugin.configure(
            {"launchdarkly:accessToken": EMULATOR_TOKEN, "launchdarkly:apiHost": emulator.url},
            secret_keys={"launchdarkly:accessToken"},
        )
        yield plugin


def check_failures(process: PluginProcess, declared: Declared) -> dict[str, str]:
    with pytest.raises(CheckFailed) as raised:
        Engine(process).preview([declared])
    found = dict(raised.value.failures)
    assert len(found) == len(raised.value.failures), "one failure per property"
    return found


def test_the_catalogue_is_large_and_distinct() -> None:
    names = [name for name, _, _ in CATALOGUE]
    assert len(names) >= 30 and len(set(names)) == len(names)


@pytest.mark.parametrize(("name", "declare", "expected"), CATALOGUE, ids=[case[0] for case in CATALOGUE])
def test_check_catches(
    process: PluginProcess,
    emulator: Emulator,
    name: str,
    declare: Callable[[], Declared],
    expected: dict[str, list[str]],
) -> None:
    found = check_failures(process, declare())
    assert set(found) == set(expected), found
    for prop, words in expected.items():
        for word in words:
            assert word in found[prop], f"{prop}: {word!r} not in {found[prop]!r}"
    for reason in found.values():
        assert not any(secret in reason for secret in SECRETS), reason
        assert "Traceback" not in reason
    assert configuration_requests(emulator) == []


@pytest.mark.parametrize(
    "declare",
    [approvals, ai, pagerduty, oauth_approvals, preview_hook],
    ids=[
        "custom-approvals",
        "aiconfig-test-run",
        "pagerduty-guardian-edition",
        "custom-approvals-oauth",
        HOOK_KEY,
    ],
)
def test_valid_configurations_pass(
    process: PluginProcess, emulator: Emulator, declare: Callable[[], Declared]
) -> None:
    assert set(Engine(process).preview([declare()]).operations.values()) == {"create"}
    assert configuration_requests(emulator) == []


def test_each_manifest_is_fetched_once_for_the_whole_module(
    process: PluginProcess, emulator: Emulator
) -> None:
    # Every case in this module shares one process: however many checks ran before, each
    # integration's manifest was fetched once.
    for _ in range(2):
        for declare in (approvals, ai, pagerduty, oauth_approvals, preview_hook):
            Engine(process).preview([declare()])
    fetched = [request.path.rsplit("/", 1)[-1] for request in manifest_requests(emulator)]
    assert sorted(fetched) == sorted(
        [
            "custom-approvals",
            "aiconfig-test-run",
            "pagerduty-guardian-edition",
            "custom-approvals-oauth",
            HOOK_KEY,
        ]
    )
