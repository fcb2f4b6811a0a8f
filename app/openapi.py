"""The OpenAPI document, post-processed to the Dutch API Design Rules (ADR).

FastAPI generates the document from the routes; :func:`conform` then applies the shared
HTTP conventions to every operation, so a route only declares its own success response:

* ``servers: [{url: /api/v1}]`` with path keys relative to it, path parameters camelCase;
* a bearer security scheme on every operation that needs a token;
* the problem responses each operation can give (400 always; 401/403 with a token; 404 with
  path parameters, a body or an ``…Id`` query key; 409 for writes; 412/428 with ``If-Match``;
  413/415 with a body; 422 for a reused ``Idempotency-Key``; 500), all
  ``application/problem+json`` with the Problem schema
  — FastAPI's own 422 validation response is dropped: invalid input is 400 here;
* the ``API-Version`` (and ``X-Request-ID``) header on every 2xx/3xx response;
* the ``Idempotency-Key`` header on every POST;
* short, unique camelCase operation ids, PascalCase schema names, and ``format: date`` kept
  visible on optional ``…Date`` properties;
* readable property titles (``Family id``, not pydantic's ``Familyid`` from the alias), and the
  schemas of bodies a route reads itself (:func:`document_model`) as named components, so
  generated clients get one named type each instead of an anonymous inline object.
"""

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app import API_VERSION
from app.auth import get_principal
from app.errors import camel, singular
from app.idempotency import MAX_KEY_LENGTH

API_PREFIX = "/api/v1"
CONTACT = {
    "name": "Perspectief",
    "url": "https://github.com/perspectief/perspectief",
    "email": "api@perspectief.example",
}
PROBLEM_REF = "#/components/schemas/Problem"
SECURITY_SCHEME = "bearerAuth"
WRITE_METHODS = ("post", "put", "patch", "delete")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Property names the ADR linter treats as dates (its own pattern).
DATE_PROPERTY = re.compile(r"(([A-Za-z0-9_]+D)|(_[dD]))((ate)|(atum))")  # its \w, in ASCII

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: every problem is listed in `invalidParams`.",
    "401": "No valid bearer token.",
    "403": "Your role may not use this function.",
    "404": "The resource does not exist or is not visible to you.",
    "409": "The request conflicts with the resource's state (see `code`), or a request with the "
    "same Idempotency-Key is still running.",
    "412": "If-Match does not name the current version.",
    "413": "The request body exceeds the limit.",
    "415": "The request body is not application/json.",
    "422": "The Idempotency-Key was used for a different request (`idempotency_key_reused`).",
    "428": "This resource is versioned: send If-Match.",
    "500": "Unexpected error; quote the X-Request-ID when reporting it.",
    "414": "The path and query string exceed the limit.",
    "431": "A request header, or all of them together, exceed the limit.",
    "503": "A dependency (the database) is unavailable; try again after `Retry-After` seconds.",
}

PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "description": "Problem details (RFC 9457). Conflicts may carry further members, such as "
        "`existing` (the URL of the resource that already exists) or `currentVersion`.",
        "type": "object",
        "required": ["type", "title", "status", "detail", "instance"],
        "properties": {
            "type": {
                "type": "string",
                "format": "uri-reference",
                "description": "Problem type URI: `/api/v1/problems/{code}` (relative to this server), "
                "a page that explains the problem; `about:blank` when the problem has no type of its own.",
            },
            "title": {"type": "string", "description": "Short summary of the problem type."},
            "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "HTTP status."},
            "detail": {"type": "string", "description": "What went wrong in this occurrence."},
            "instance": {
                "type": "string",
                "format": "uri-reference",
                "description": "This occurrence (the request id as URN).",
            },
            "code": {"type": "string", "description": "Machine-readable reason, e.g. `plan_not_complete`."},
            "invalidParams": {
                "type": "array",
                "description": "Every invalid input at once (400 only).",
                "items": {"$ref": "#/components/schemas/InvalidParam"},
            },
        },
        "additionalProperties": True,
    },
    "InvalidParam": {
        "title": "InvalidParam",
        "type": "object",
        "required": ["name", "code", "reason"],
        "properties": {
            "name": {
                "type": "string",
                "description": "The input as named on the wire, dotted when nested: `members.0.birthDate`.",
            },
            "code": {"type": "string", "description": "Machine-readable reason, e.g. `missing`."},
            "reason": {"type": "string", "description": "Human-readable reason."},
        },
    },
}

HEADERS: dict[str, Any] = {
    "API-Version": {
        "description": "The full version of the API (semver), equal to `info.version`.",
        "required": True,
        "schema": {"type": "string", "examples": [API_VERSION]},
    },
    "X-Request-ID": {
        "description": "The request id: echoed when the client sent a valid one, generated otherwise.",
        "schema": {"type": "string"},
    },
}

IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe (IETF httpapi draft): the same key and body within 24 hours "
    "return the first response; the key with another body is 422; a retry while the first "
    "request runs is 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}


REF_TEMPLATE = "#/components/schemas/{model}"
_DOCUMENTED_MODELS: list[type[BaseModel]] = []


def document_model(model: type[BaseModel]) -> dict[str, str]:
    """Publish ``model`` (and the models it uses) as components; returns a ``$ref`` to it.

    For a body a route parses itself (``openapi_extra``): FastAPI documents only the bodies
    it parses.
    """
    if model not in _DOCUMENTED_MODELS:
        _DOCUMENTED_MODELS.append(model)
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def _documented_schemas() -> dict[str, Any]:
    if not _DOCUMENTED_MODELS:
        return {}
    _, top = models_json_schema([(m, "validation") for m in _DOCUMENTED_MODELS], ref_template=REF_TEMPLATE)
    return top.get("$defs", {})


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=API_VERSION,
                description="Case management for Dutch youth care. See the README.",
                routes=app.routes,
                contact=CONTACT,
            )
            extra = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in _documented_schemas().items():
                extra.setdefault(name, definition)
            app.openapi_schema = conform(schema, route_infos(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


@dataclass(frozen=True)
class RouteInfo:
    """What the document cannot tell: the endpoint's name and whether it needs a token."""

    name: str
    secured: bool


def route_infos(app: FastAPI) -> dict[tuple[str, str], RouteInfo]:
    """``(path, method) → RouteInfo`` for every documented operation."""
    infos: dict[tuple[str, str], RouteInfo] = {}
    for route in _api_routes(app):
        if not route.include_in_schema:
            continue
        info = RouteInfo(route.name, _needs_principal(route.dependant))
        for method in route.methods:
            infos[(route.path_format, method.lower())] = info
    return infos


def _api_routes(app: FastAPI) -> Iterator[Any]:
    """The application's API routes as the document sees them (with router prefixes applied).

    FastAPI ≥ 0.16x keeps included routers as branches and resolves them into route contexts;
    older versions copy the routes into ``app.routes``.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI
        yield from (route for route in app.routes if isinstance(route, APIRoute))
        return
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def _needs_principal(dependant: Dependant) -> bool:
    return any(dep.call is get_principal or _needs_principal(dep) for dep in dependant.dependencies)


def conform(document: dict[str, Any], routes: dict[tuple[str, str], RouteInfo]) -> dict[str, Any]:
    """Apply the ADR conventions to a generated document (returns a new document)."""
    doc = copy.deepcopy(document)
    doc["info"]["contact"] = CONTACT
    doc["servers"] = [{"url": API_PREFIX, "description": "This server, API version 1."}]
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(copy.deepcopy(PROBLEM_SCHEMAS))
    components.setdefault("headers", {}).update(copy.deepcopy(HEADERS))
    components.setdefault("parameters", {})["IdempotencyKey"] = copy.deepcopy(IDEMPOTENCY_PARAMETER)
    components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT of the municipality's identity provider (claims: see the README).",
    }

    paths: dict[str, Any] = {}
    names: dict[int, str] = {}
    for path, item in doc.get("paths", {}).items():
        relative, renames = _relative_path(path)
        for method, operation in _operations(item):
            info = routes.get((path, method), RouteInfo(operation.get("operationId", method), False))
            names[id(operation)] = info.name
            _conform_operation(operation, method, info.secured, renames)
        paths[relative] = item
    doc["paths"] = paths
    _unique_operation_ids(doc["paths"], names)
    _drop_validation_schemas(doc)
    _pascal_schema_names(doc)
    _visible_date_formats(schemas)
    _readable_titles(doc["components"]["schemas"])
    return doc


def _relative_path(path: str) -> tuple[str, dict[str, str]]:
    """Strip the base path (it is in ``servers``) and camelCase the path parameters."""
    renames: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        renames[name] = camel(name)
        return "{" + renames[name] + "}"

    relative = path.removeprefix(API_PREFIX) or "/"
    return re.sub(r"{([^}:]+)}", rename, relative), renames


def _operations(item: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for method in HTTP_METHODS:
        if method in item:
            yield method, item[method]


def _conform_operation(
    operation: dict[str, Any], method: str, secured: bool, renames: dict[str, str]
) -> None:
    parameters = operation.setdefault("parameters", [])
    for parameter in parameters:
        if parameter.get("in") == "path":
            parameter["name"] = renames.get(parameter["name"], parameter["name"])
    if method == "post":
        parameters.append({"$ref": "#/components/parameters/IdempotencyKey"})
    if not parameters:
        del operation["parameters"]
    if secured:
        operation["security"] = [{SECURITY_SCHEME: []}]

    responses = operation.setdefault("responses", {})
    if _is_framework_validation(responses.get("422")):
        del responses["422"]
    for status in _error_statuses(operation, method, secured):
        responses.setdefault(status, {})
    for status, response in responses.items():
        if status[0] in "45":
            response.setdefault("description", ERROR_DESCRIPTIONS.get(status, "Problem."))
            response["content"] = {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}}
            if status == "401":
                response["headers"] = {
                    "WWW-Authenticate": {"description": "`Bearer`.", "schema": {"type": "string"}}
                }
        if status[0] in "45" or status[0] in "23":
            headers = response.setdefault("headers", {})
            headers["API-Version"] = {"$ref": "#/components/headers/API-Version"}
            headers["X-Request-ID"] = {"$ref": "#/components/headers/X-Request-ID"}
    operation["responses"] = dict(sorted(responses.items()))


def _error_statuses(operation: dict[str, Any], method: str, secured: bool) -> list[str]:
    parameters = [p for p in operation.get("parameters", []) if "$ref" not in p]
    statuses = ["400", "414", "431", "500", "503"]  # the bounds and an outage hold for every route
    if secured:
        statuses += ["401", "403"]
    # a path parameter, or an id in the body or query, may name a row the caller may not see
    if (
        any(
            p.get("in") == "path" or (p.get("in") == "query" and p["name"].endswith("Id")) for p in parameters
        )
        or "requestBody" in operation
    ):
        statuses.append("404")
    if method in WRITE_METHODS:
        statuses.append("409")
    if any(p.get("in") == "header" and p.get("name", "").lower() == "if-match" for p in parameters):
        statuses += ["412", "428"]
    if "requestBody" in operation:
        statuses += ["413", "415"]
    if method == "post":
        statuses.append("422")
    return statuses


def _is_framework_validation(response: dict[str, Any] | None) -> bool:
    if response is None:
        return False
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref") == "#/components/schemas/HTTPValidationError"


def _unique_operation_ids(paths: dict[str, Any], names: dict[int, str]) -> None:
    """``createRegion`` from the endpoint's name. When names collide, the resource is added
    (``declineEngagement``, ``declineHandoff``); failing that, method and path."""
    entries = [(path, method, op) for path, item in paths.items() for method, op in _operations(item)]
    preferred = {id(op): camel(names.get(id(op), "operation")) for _, _, op in entries}
    qualified = {
        id(op): preferred[id(op)] + _pascal(singular(_first_segment(path))) for path, _, op in entries
    }
    by_path = {
        id(op): method + _pascal(path.replace("{", " by ").replace("}", " ")) for path, method, op in entries
    }
    chosen = _without_collisions(preferred, qualified)
    chosen = _without_collisions(chosen, by_path)
    used: set[str] = set()
    for _, _, op in entries:
        unique, n = chosen[id(op)], 2
        while unique in used:
            unique, n = f"{chosen[id(op)]}{n}", n + 1
        used.add(unique)
        op["operationId"] = unique


def _without_collisions(ids: dict[int, str], fallback: dict[int, str]) -> dict[int, str]:
    counts: dict[str, int] = {}
    for value in ids.values():
        counts[value] = counts.get(value, 0) + 1
    return {key: fallback[key] if counts[value] > 1 else value for key, value in ids.items()}


def _first_segment(path: str) -> str:
    return next((s for s in path.split("/") if s and not s.startswith("{")), "")


def _pascal(text: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", text))


def _drop_validation_schemas(doc: dict[str, Any]) -> None:
    """FastAPI's 422 schemas, once no operation refers to them any more."""
    schemas = doc["components"]["schemas"]
    framework = ("HTTPValidationError", "ValidationError")
    others = {k: v for k, v in schemas.items() if k not in framework}
    text = json.dumps(doc["paths"]) + json.dumps(others)
    if not any(f'"#/components/schemas/{name}"' in text for name in framework):
        for name in framework:
            schemas.pop(name, None)


def _pascal_schema_names(doc: dict[str, Any]) -> None:
    """``Page_RegionPublic_`` → ``PageRegionPublic``, with every reference updated."""
    schemas = doc["components"]["schemas"]
    renames = {}
    for name in list(schemas):
        pascal = _pascal(name)
        if pascal != name and pascal not in schemas and pascal not in renames.values():
            renames[name] = pascal
    if not renames:
        return
    doc["components"]["schemas"] = {renames.get(k, k): v for k, v in schemas.items()}
    prefix = "#/components/schemas/"
    for node in _objects(doc):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(prefix) and ref[len(prefix) :] in renames:
            node["$ref"] = prefix + renames[ref[len(prefix) :]]


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a JSON document, each before the objects inside it: what the caller
    changes in an object when it is yielded is what the walk then descends into."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def _properties(schemas: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of every schema in ``schemas``: its name and its own schema."""
    for node in _objects(schemas):
        for name, prop in (node.get("properties") or {}).items():
            if isinstance(prop, dict):
                yield name, prop


def _visible_date_formats(schemas: dict[str, Any]) -> None:
    """An optional date is ``anyOf: [{format: date}, {type: null}]``; the ADR linter wants the
    format on the property itself, so such a property becomes ``type: [string, null]``."""
    for name, prop in _properties(schemas):
        if DATE_PROPERTY.search(name):
            _collapse_nullable(prop)


def _collapse_nullable(prop: dict[str, Any]) -> None:
    options = prop.get("anyOf")
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return
    (other,) = [o for o in options if o != {"type": "null"}]
    if "$ref" in other or not isinstance(other.get("type"), str):
        return
    del prop["anyOf"]
    prop.update({k: v for k, v in other.items() if k != "type"})
    prop["type"] = [other["type"], "null"]


def _readable_titles(schemas: dict[str, Any]) -> None:
    """``familyId`` → title ``Family id``. Pydantic derives a title from the alias, which reads
    ``Familyid``; generators show titles as labels and docs."""
    for name, prop in _properties(schemas):
        if "title" in prop:
            prop["title"] = _words(name)


def _words(name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()
    return words[:1].upper() + words[1:]
