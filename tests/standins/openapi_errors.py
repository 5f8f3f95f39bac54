"""Turn jsonschema errors into precise, short explanations.

Shared by both stand-ins: which leaf error to report for a failed
oneOf/anyOf, where a missing required property is, and a message that does
not repeat a (possibly 5000-character) value.
"""
from __future__ import annotations

from jsonschema import ValidationError


def leaves(error: ValidationError) -> list[ValidationError]:
    """Explain a failed oneOf/anyOf by the branch that came closest.

    jsonschema's best_match gives up when all branches fail equally (e.g.
    Discord's three scheduled-event request shapes all missing ``name``);
    a client wants to hear "name is required", not "matches no schema".
    The closest branch is one whose *kind* matches (no type mismatch at
    the root, no wrong ``type`` discriminator property), then the one with
    the fewest errors (ties: first).
    """
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def wrong_kind(sub: ValidationError) -> bool:
        path = list(sub.relative_path)
        return (not path and sub.validator == "type") or (
            path == ["type"] and sub.validator in ("enum", "const"))

    closest = min(branches.values(), key=lambda errs: (any(map(wrong_kind, errs)), len(errs)))
    return [leaf for sub in closest for leaf in leaves(sub)]


def missing_property(error: ValidationError) -> tuple:
    """Point ``required`` errors at the missing property (LINE reports
    ``messages[0].text``, not ``messages[0]``)."""
    if error.validator != "required" or not isinstance(error.instance, dict):
        return ()
    for name in error.validator_value or ():
        if name not in error.instance and error.message.startswith(repr(name)):
            return (name,)
    return ()


def describe(error: ValidationError) -> str:
    """A short message; jsonschema's default repeats the (maybe huge) value."""
    kw, limit, value = error.validator, error.validator_value, error.instance
    if kw in ("maxLength", "minLength") and isinstance(value, str):
        return f"length must be {'at most' if kw == 'maxLength' else 'at least'} {limit} (got {len(value)})"
    if kw in ("maxItems", "minItems") and isinstance(value, list):
        return f"size must be {'at most' if kw == 'maxItems' else 'at least'} {limit} (got {len(value)})"
    message = error.message
    return message if len(message) <= 300 else message[:297] + "..."
