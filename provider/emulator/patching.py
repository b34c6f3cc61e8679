"""JSON Patch (RFC 6902) requests: which operations and paths a configuration accepts, and applying them."""

from __future__ import annotations

from typing import Any

import jsonpatch

from .errors import invalid_request, patch_failed

SUPPORTED_OPS = ("add", "replace", "remove", "test")
OPS_WITH_VALUE = ("add", "replace", "test")
EDITABLE_FIELDS = ("name", "enabled", "tags", "configValues", "capabilityConfig")
# Scalars have nothing inside them to address; the containers may be patched member by member.
CONTAINER_FIELDS = ("tags", "configValues", "capabilityConfig")


def parse_patch_body(body: Any) -> list[dict[str, Any]]:
    """The operations of a PATCH body: a bare JSON Patch array, or `{"patch": [...], "comment": ...}`."""
    if isinstance(body, dict) and "patch" in body:
        comment = body.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise invalid_request("comment must be a string")
        operations = body["patch"]
    else:
        operations = body
    if not isinstance(operations, list):
        raise invalid_request('request body must be a JSON Patch array or {"patch": [...], "comment": "..."}')
    return [_check_operation(index, operation) for index, operation in enumerate(operations)]


def apply_operations(document: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    """Apply checked operations to a copy of `document`; a conflict or failed test is a 422."""
    try:
        result = jsonpatch.apply_patch(document, operations, in_place=False)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as error:
        raise patch_failed(f"the patch could not be applied: {error}") from error
    if not isinstance(result, dict):
        raise patch_failed("the patch replaced the whole configuration")
    return result


def _check_operation(index: int, operation: Any) -> dict[str, Any]:
    where = f"patch[{index}]"
    if not isinstance(operation, dict):
        raise invalid_request(f"{where} must be an object with op and path")
    op = operation.get("op")
    path = operation.get("path")
    if not isinstance(op, str):
        raise invalid_request(f"{where}.op is required and must be a string")
    if op not in SUPPORTED_OPS:
        raise invalid_request(
            f"{where}: operation {op!r} is not supported (use one of {', '.join(SUPPORTED_OPS)})"
        )
    if not isinstance(path, str):
        raise invalid_request(f"{where}.path is required and must be a string")
    if op in OPS_WITH_VALUE and "value" not in operation:
        raise invalid_request(f"{where}: operation {op!r} on {path!r} needs a value")
    # A test changes nothing, so it may look at read-only fields such as /_id.
    if op != "test":
        _check_path(where, path)
    return dict(operation)


def _check_path(where: str, path: str) -> None:
    if not path.startswith("/"):
        raise invalid_request(f"{where}: path {path!r} is not a JSON Pointer")
    segments = path[1:].split("/")
    field = segments[0].replace("~1", "/").replace("~0", "~")
    nested = len(segments) > 1
    if field not in EDITABLE_FIELDS or (nested and field not in CONTAINER_FIELDS):
        raise invalid_request(
            f"{where}: path {path!r} cannot be changed (editable: {', '.join('/' + f for f in EDITABLE_FIELDS)})"
        )
