"""Request/response validation against OpenAPI 3.0 / 3.1 documents.

Why not openapi-core? It was measured against LINE's messaging-api.yml:
LINE models polymorphism as a *base* schema carrying a ``discriminator``
(``Message``, ``Action``, ``FlexComponent``...) whose subtypes ``allOf`` the
base. openapi-core only honours a discriminator that sits next to
``oneOf/anyOf/allOf`` in the same schema, so it silently accepted a text
message without ``text``, an unknown message type, a postback ``data`` of 301
characters or a flex text whose ``text`` is a number. This module therefore
uses jsonschema directly, with:

* ``$ref`` resolution through ``referencing`` (each document is one resource),
* a ``discriminator`` keyword for OpenAPI 3.0 documents (see
  :func:`_prepare_discriminators` for how recursion is avoided),
* OpenAPI 3.0 ``nullable``,
* format checks for the formats that matter here (uuid, uri, snowflake...).

Routing, parameter coercion and body validation are done here; what a
violation *means* (status, error body) is left to each stand-in.
"""
from __future__ import annotations

import copy
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from jsonschema import Draft4Validator, Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from .openapi_errors import describe, leaves, missing_property
from .openapi_formats import FORMAT_CHECKER

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class Violation:
    """One way in which a request (or response) breaks the spec."""

    location: str  # "body", "query", "path", "header", "content-type"
    path: tuple  # position inside the body, or (parameter name,)
    message: str
    keyword: str  # jsonschema keyword ("maxLength"...) or a stand-in rule name
    limit: Any = None  # the keyword's value in the schema, e.g. 300

    @property
    def property(self) -> str:
        """LINE-style property name: ``messages[0].quickReply.items``."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out


@dataclass
class Operation:
    uri: str  # resource URI of the document holding the operation
    method: str  # upper case
    template: str  # e.g. /v2/bot/profile/{userId}
    pointer: str  # JSON pointer to the operation object
    op: dict
    parameters: list[tuple[dict, str]]  # (parameter object, pointer to its schema)
    regex: re.Pattern = field(repr=False, default=None)

    @property
    def operation_id(self) -> str:
        return self.op.get("operationId", f"{self.method} {self.template}")


@dataclass
class Match:
    operation: Operation
    path_params: dict[str, str]


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _template_regex(template: str) -> re.Pattern:
    pattern = re.sub(r"\\\{([^}]+)\\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(template))
    return re.compile(f"^{pattern}$")


def _prepare_discriminators(doc: dict, uri: str) -> None:
    """Make LINE-style discriminators (on a base schema) validatable.

    For a base ``S`` with a discriminator mapping ``value -> T`` where ``T``
    is ``allOf: [S, {...}]``, naive dispatch recurses forever (S -> T -> S ->
    T ...). So a copy ``S__base`` without the discriminator is added and each
    mapped ``T`` inherits from the copy instead; ``S`` itself keeps the
    discriminator and dispatches on the property value. Leaf subtypes also
    get an ``enum`` on the discriminating property so that direct references
    (FlexCarousel.contents -> FlexBubble) still check the type value.
    """
    schemas = doc.get("components", {}).get("schemas", {})
    bases = {n: s for n, s in schemas.items() if isinstance(s.get("discriminator"), dict)}
    # Pass 1: re-point subtypes' allOf at the (future) base copies.
    for name, schema in bases.items():
        disc = schema["discriminator"]
        prop, resolved, values = disc["propertyName"], {}, {}
        for value, ref in disc.get("mapping", {}).items():
            target = ref.rsplit("/", 1)[-1]
            if target not in schemas:
                continue  # the spec maps to a schema it does not define
            resolved[value] = f"{uri}#/components/schemas/{target}"
            values.setdefault(target, []).append(value)
        own_ref = f"#/components/schemas/{name}"
        for target, target_values in values.items():
            sub = schemas[target]
            sub["allOf"] = [
                {"$ref": f"{own_ref}__base"} if part.get("$ref") == own_ref else part
                for part in sub.get("allOf", [])
            ]
            if target not in bases:
                sub["allOf"].append({"properties": {prop: {"enum": target_values}}})
        schema["discriminator"] = {**disc, "x-resolved-mapping": resolved}
    # Pass 2: the copies, taken after pass 1 so they inherit the rewrites.
    for name, schema in bases.items():
        schemas[f"{name}__base"] = {k: v for k, v in schema.items() if k != "discriminator"}


def _discriminator_keyword(validator, disc, instance, schema):
    """Dispatch to the subtype named by the discriminating property."""
    if not validator.is_type(instance, "object") or "x-resolved-mapping" not in disc:
        return
    prop, mapping = disc["propertyName"], disc["x-resolved-mapping"]
    if prop not in instance:
        yield ValidationError(f"{prop!r} is a required property", validator="required",
                              validator_value=[prop])
        return
    value = instance[prop]
    if not isinstance(value, str) or value not in mapping:
        yield from validator.descend(value, {"enum": sorted(mapping)}, path=prop)
        return
    yield from validator.descend(instance, {"$ref": mapping[value]})


def _nullable_type_keyword(validator, types, instance, schema):
    """OpenAPI 3.0 ``nullable: true`` admits ``null`` whatever the type."""
    if instance is None and schema.get("nullable") is True:
        return
    yield from jsonschema._keywords.type(validator, types, instance, schema)


Oas30Validator = jsonschema.validators.extend(
    Draft4Validator,
    {"discriminator": _discriminator_keyword, "type": _nullable_type_keyword},
)


class OpenApiSpec:
    """A set of OpenAPI documents served by one stand-in.

    ``documents`` maps a resource URI (any absolute http(s) URI, used only
    as an identifier) to a loaded document. ``dialect`` is "3.0" or "3.1".
    """

    def __init__(self, documents: Mapping[str, dict], dialect: str) -> None:
        self.dialect = dialect
        self.documents = {uri: copy.deepcopy(doc) for uri, doc in documents.items()}
        specification = DRAFT4 if dialect == "3.0" else DRAFT202012
        self._validator_cls = Oas30Validator if dialect == "3.0" else Draft202012Validator
        registry = Registry()
        for uri, doc in self.documents.items():
            if dialect == "3.0":
                _prepare_discriminators(doc, uri)
            registry = registry.with_resource(uri, Resource(contents=doc, specification=specification))
        self.registry = registry.crawl()
        self.operations = self._collect_operations()
        self._validators: dict[str, Any] = {}
        self._lock = threading.Lock()

    # -- routing ---------------------------------------------------------
    def _collect_operations(self) -> list[Operation]:
        ops = []
        for uri, doc in self.documents.items():
            for template, item in doc.get("paths", {}).items():
                base = f"/paths/{_escape(template)}"
                shared = [(p, f"{base}/parameters/{i}/schema") for i, p in enumerate(item.get("parameters", []))]
                for method in HTTP_METHODS:
                    if method not in item:
                        continue
                    op = item[method]
                    own = [(p, f"{base}/{method}/parameters/{i}/schema") for i, p in enumerate(op.get("parameters", []))]
                    names = {(p["in"], p["name"]) for p, _ in own}
                    params = own + [(p, ptr) for p, ptr in shared if (p["in"], p["name"]) not in names]
                    ops.append(Operation(uri, method.upper(), template, f"{base}/{method}", op, params,
                                         _template_regex(template)))
        # Literal segments win over templated ones (/richmenu/list vs /richmenu/{id}).
        ops.sort(key=lambda o: (o.template.count("{"), -len(o.template)))
        return ops

    def match(self, method: str, path: str) -> tuple[Match | None, list[str]]:
        """Return (match, allowed methods). ``match`` is None for 404/405.

        The most specific template matching the path decides; if it lacks
        the method the answer is 405 with its allowed methods.
        """
        best_template = None
        allowed: list[str] = []
        for op in self.operations:
            found = op.regex.match(path)
            if not found:
                continue
            if best_template is None:
                best_template = op.template
            if op.template != best_template:
                break
            allowed.append(op.method)
            if op.method == method.upper():
                return Match(op, found.groupdict()), allowed
        return None, allowed

    # -- schema validation ------------------------------------------------
    def validator_for(self, uri: str, pointer: str):
        key = f"{uri}#{pointer}"
        found = self._validators.get(key)
        if found is None:
            found = self._validator_cls({"$ref": key}, registry=self.registry, format_checker=FORMAT_CHECKER)
            with self._lock:
                self._validators[key] = found
        return found

    def validate_instance(self, uri: str, pointer: str, instance: Any, location: str,
                          prefix: tuple = ()) -> list[Violation]:
        validator = self.validator_for(uri, pointer)
        found: dict[tuple, Violation] = {}
        for error in validator.iter_errors(instance):
            for leaf in leaves(error):
                path = prefix + tuple(leaf.absolute_path) + missing_property(leaf)
                v = Violation(location, path, describe(leaf), str(leaf.validator), leaf.validator_value)
                # A base schema and its discriminated subtype can both check
                # the same property: report each problem once.
                found.setdefault((v.path, v.keyword, v.message), v)
        return sorted(found.values(), key=lambda v: [str(p) for p in v.path])

    def resolve(self, uri: str, node: Any) -> Any:
        """Follow local ``$ref`` chains inside one document."""
        while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
            node = self.registry.resolver(uri).lookup(node["$ref"]).contents
        return node

    # -- parameters ---------------------------------------------------------
    def check_parameters(self, match: Match, query: Mapping[str, list[str]],
                         headers: Mapping[str, str]) -> list[Violation]:
        """Validate path, query and header parameters (cookies are unused)."""
        op = match.operation
        out: list[Violation] = []
        lowered = {k.lower(): v for k, v in headers.items()}
        for param, schema_ptr in op.parameters:
            name, where = param["name"], param["in"]
            schema = self.resolve(op.uri, param.get("schema", {}))
            if where == "path":
                raw = [match.path_params.get(name)]
            elif where == "query":
                raw = list(query.get(name, []))
            elif where == "header":
                raw = [lowered[name.lower()]] if name.lower() in lowered else []
            else:
                continue
            raw = [r for r in raw if r is not None]
            if not raw:
                if param.get("required"):
                    out.append(Violation(where, (name,), f"{name} is required", "required"))
                continue
            value, error = _coerce(raw, schema.get("type"))
            if error:
                out.append(Violation(where, (name,), f"{name}: {error}", "type", schema.get("type")))
                continue
            for v in self.validate_instance(op.uri, schema_ptr, value, where, (name,)):
                out.append(v)
        return out

    # -- bodies ---------------------------------------------------------------
    def follow(self, uri: str, pointer: str) -> tuple[str, Any]:
        """Resolve the node at ``pointer``, following ``$ref``s; return the
        final pointer too so validators can be built on it."""
        node = self.registry.resolver(uri).lookup(f"{uri}#{pointer}").contents
        while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
            pointer = node["$ref"][1:]
            node = self.registry.resolver(uri).lookup(f"{uri}#{pointer}").contents
        return pointer, node

    def _request_body(self, match: Match) -> tuple[str, dict]:
        op = match.operation
        if "requestBody" not in op.op:
            return "", {}
        return self.follow(op.uri, f"{op.pointer}/requestBody")

    def request_media_types(self, match: Match) -> dict[str, dict]:
        return self._request_body(match)[1].get("content", {})

    def body_required(self, match: Match) -> bool:
        return bool(self._request_body(match)[1].get("required"))

    def pick_media_type(self, match: Match, content_type: str | None) -> str | None:
        """The spec media type that accepts ``content_type`` (None = none)."""
        actual = (content_type or "").split(";")[0].strip().lower()
        for media in self.request_media_types(match):
            if media == actual or media == "*/*" or (
                media.endswith("/*") and actual.startswith(media[:-1])
            ):
                return media
        return None

    def check_body(self, match: Match, media_type: str, body: Any) -> list[Violation]:
        op = match.operation
        pointer, request_body = self._request_body(match)
        if "schema" not in request_body.get("content", {}).get(media_type, {}):
            return []
        schema_ptr = f"{pointer}/content/{_escape(media_type)}/schema"
        schema = self.follow(op.uri, schema_ptr)[1]
        if schema.get("format") == "binary" or schema.get("contentEncoding") == "binary":
            return []  # raw bytes: the stand-in checks what the spec cannot
        return self.validate_instance(op.uri, schema_ptr, body, "body")

    # -- responses --------------------------------------------------------------
    def response_entry(self, match: Match, status: int) -> tuple[str | None, dict]:
        """(pointer to the resolved response object, the object) for a status."""
        op = match.operation
        responses = op.op.get("responses", {})
        keys = {str(k): k for k in responses}
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in keys:
                return self.follow(op.uri, f"{op.pointer}/responses/{_escape(key)}")
        return None, {}

    def check_response(self, match: Match, status: int, body: Any) -> list[Violation]:
        """Validate a JSON response body; undeclared statuses are violations."""
        pointer, entry = self.response_entry(match, status)
        if pointer is None:
            return [Violation("response", (), f"status {status} is not declared", "status", status)]
        content = entry.get("content") or {}
        media = next((m for m in content if "json" in m), None)
        if media is None or "schema" not in content[media] or body is None:
            return []
        schema_ptr = f"{pointer}/content/{_escape(media)}/schema"
        return self.validate_instance(match.operation.uri, schema_ptr, body, "response")


def _coerce(raw: list[str], type_: Any) -> tuple[Any, str | None]:
    """Turn query/path/header strings into the schema's type."""
    type_ = type_[0] if isinstance(type_, list) else type_
    if type_ == "array":
        return list(raw), None
    value = raw[0]
    try:
        if type_ == "integer":
            return int(value), None
        if type_ == "number":
            return float(value), None
        if type_ == "boolean":
            # Servers accept 1/0 too; discord.py sends `wait=1`, `with_response=1`.
            if value.lower() not in ("true", "false", "1", "0"):
                return None, f"{value!r} is not a boolean"
            return value.lower() in ("true", "1"), None
    except ValueError:
        return None, f"{value!r} is not of type {type_!r}"
    return value, None


def violations_summary(violations: Iterable[Violation]) -> str:
    return "; ".join(f"{v.location}:{v.property or '-'}: {v.message}" for v in violations)
