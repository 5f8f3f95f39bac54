"""Spec-derived answers for operations a stand-in has no handler for.

A stand-in hand-writes the endpoints the bots really use; for every other
operation it answers with the spec's own example when there is one, or a
minimal instance synthesised from the response schema (required properties
only). Either way the answer is then checked against the schema like any
other answer, so a wrong example would show up in ``response_errors``.
"""
from __future__ import annotations

import datetime
from typing import Any

from .openapi_validation import Match, OpenApiSpec

_MAX_DEPTH = 8


def success_status(spec: OpenApiSpec, match: Match) -> int:
    codes = sorted(str(k) for k in match.operation.op.get("responses", {}))
    return next((int(c) for c in codes if c.startswith("2") and c.isdigit()), 200)


def sample_response(spec: OpenApiSpec, match: Match) -> tuple[int, Any]:
    """(status, JSON body or None) for the operation's success response."""
    status = success_status(spec, match)
    _, entry = spec.response_entry(match, status)
    content = (entry or {}).get("content") or {}
    media = next((m for m in content if "json" in m), None)
    if media is None:
        return status, None
    media_obj = content[media]
    if "example" in media_obj:
        return status, _plain(media_obj["example"])
    examples = media_obj.get("examples") or {}
    for example in examples.values():
        example = spec.resolve(match.operation.uri, example)
        if isinstance(example, dict) and "value" in example:
            return status, _plain(example["value"])
    schema = media_obj.get("schema")
    if schema is None:
        return status, {}
    return status, synthesize(spec, match.operation.uri, schema)


def synthesize(spec: OpenApiSpec, uri: str, schema: Any, depth: int = 0) -> Any:
    """A small value valid for ``schema`` (best effort, no randomness)."""
    schema = spec.resolve(uri, schema)
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    if "example" in schema:
        return _plain(schema["example"])
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [spec.resolve(uri, o) for o in schema[key]]
            non_null = [o for o in options if o.get("type") != "null"] or options
            return synthesize(spec, uri, non_null[0], depth + 1)
    if "allOf" in schema:
        merged: dict = {}
        for part in schema["allOf"]:
            value = synthesize(spec, uri, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        merged.update(_object(spec, uri, schema, depth) or {})
        return merged
    type_ = schema.get("type")
    if isinstance(type_, list):
        type_ = next((t for t in type_ if t != "null"), None)
    if type_ == "object" or "properties" in schema:
        return _object(spec, uri, schema, depth)
    if type_ == "array":
        item = synthesize(spec, uri, schema.get("items", {}), depth + 1)
        return [item] * schema.get("minItems", 0)
    return _scalar(type_, schema)


def _object(spec: OpenApiSpec, uri: str, schema: dict, depth: int) -> dict:
    props = schema.get("properties") or {}
    return {name: synthesize(spec, uri, props.get(name, {}), depth + 1)
            for name in schema.get("required", []) if name in props}


def _scalar(type_: str | None, schema: dict) -> Any:
    fmt = schema.get("format")
    if type_ in ("integer", "number"):
        return max(0, schema.get("minimum", 0))
    if type_ == "boolean":
        return False
    if type_ != "string":
        return None
    if fmt == "snowflake":
        return "1"
    if fmt == "uri":
        return "https://example.com/standin"
    if fmt == "date-time":
        return datetime.datetime.now(datetime.UTC).isoformat()
    if fmt == "uuid":
        return "00000000-0000-4000-8000-000000000000"
    return "x" * max(1, schema.get("minLength", 1))


def _plain(value: Any) -> Any:
    """YAML may load dates in examples as date objects: make them JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value
