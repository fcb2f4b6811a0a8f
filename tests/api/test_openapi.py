"""The OpenAPI document follows the API Design Rules for every operation.

This is the in-pytest guard over the structural rules (the Spectral run of the ADR ruleset
itself is ``make openapi-lint``, part of ``make test``). It walks every operation of the real
application, so a route added later is checked too.
"""

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, Query, Response

from app import API_VERSION
from app.auth import CurrentPrincipal
from app.models.base import ApiModel, PublicModel
from app.versioning import if_match
from tests.support.apps import fresh_client
from tests.support.openapi import operations

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
# The patterns of the ADR ruleset (conformance/adr-ruleset.yaml).
KEBAB_PATH = re.compile(
    r"^(\/|(\/_[a-z0-9]+|\/(([a-z0-9\-]+|{[^}]+})(\/([a-z0-9\-\.]+|{[^}]+}))*)(\/_[a-z]+)?)\/?)$"
)
CAMEL_QUERY = re.compile(r"^\$?[a-z][a-z\d]*([A-Z][a-z\d]*)*$")
DATE_PROPERTY = re.compile(r"((\w+D)|(_[dD]))((ate)|(atum))")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    target: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def date_properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            if DATE_PROPERTY.search(name) or name in ("date", "datum"):
                yield f"{where}.{name}", prop
        for key, value in node.items():
            yield from date_properties(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from date_properties(value, f"{where}[{i}]")


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")  # no Authorization header
    assert response.status_code == 200
    assert response.headers["api-version"] == API_VERSION
    return response.json()


async def test_docs_are_served_without_auth(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "/api/v1/openapi.json" in response.text


async def test_info_servers_and_security_scheme(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.")
    info = document["info"]
    assert info["version"] == API_VERSION
    assert SEMVER.match(info["version"])
    assert set(info["contact"]) >= {"name", "url", "email"}
    assert all(info["contact"].values())
    assert document["servers"] == [{"url": "/api/v1", "description": "This server, API version 1."}]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT of the municipality's identity provider (claims: see the README).",
    }
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert {"code", "invalidParams"} <= set(problem["properties"])
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert all(re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) for name in document["components"]["schemas"])


async def test_paths_are_relative_kebab_case_without_trailing_slash(document: dict[str, Any]) -> None:
    paths = list(document["paths"])
    assert "/health" in paths
    assert "/life-domains" in paths
    for path in paths:
        assert not path.startswith("/api/"), path
        assert path == "/" or not path.endswith("/"), path
        assert KEBAB_PATH.match(path), path
        for name in re.findall(r"{([^}]+)}", path):
            assert CAMEL_QUERY.match(name), f"{path}: path parameter {name} is not camelCase"


async def test_every_operation_follows_the_conventions(document: dict[str, Any]) -> None:
    seen_ids: set[str] = set()
    for path, method, op in operations(document):
        where = f"{method.upper()} {path}"
        assert op.get("summary"), f"{where}: no summary"
        assert op["operationId"] not in seen_ids, f"{where}: duplicate operationId"
        seen_ids.add(op["operationId"])

        params = [resolve(document, p) for p in op.get("parameters", [])]
        for p in params:
            if p["in"] == "query":
                assert CAMEL_QUERY.match(p["name"]), f"{where}: query key {p['name']} is not camelCase"
        path_names = [p["name"] for p in params if p["in"] == "path"]
        assert sorted(path_names) == sorted(re.findall(r"{([^}]+)}", path)), where

        responses = op["responses"]
        assert "400" in responses, f"{where}: no 400"
        assert "500" in responses, f"{where}: no 500"
        for status, response in responses.items():
            response = resolve(document, response)
            if status[0] in "45":
                assert response["content"] == PROBLEM, f"{where} {status}: not a problem+json Problem"
            if status[0] in "2345":
                header = response.get("headers", {}).get("API-Version")
                assert header == {"$ref": "#/components/headers/API-Version"}, (
                    f"{where} {status}: no API-Version"
                )
        if "422" in responses:
            assert method == "post", f"{where}: 422 is only for a reused Idempotency-Key"

        secured = op.get("security") == [{"bearerAuth": []}]
        if secured:
            assert {"401", "403"} <= responses.keys(), f"{where}: token but no 401/403"
        if path_names:
            assert "404" in responses, f"{where}: path parameters but no 404"
        if method in ("post", "put", "patch", "delete"):
            assert "409" in responses, f"{where}: no 409"
        if "requestBody" in op:
            assert {"413", "415"} <= responses.keys(), f"{where}: body but no 413/415"
        if any(p["in"] == "header" and p["name"].lower() == "if-match" for p in params):
            assert {"412", "428"} <= responses.keys(), f"{where}: If-Match but no 412/428"
        if method == "post":
            assert "Idempotency-Key" in [p["name"] for p in params if p["in"] == "header"], where
            assert "422" in responses, where


async def test_authentication_is_documented_per_operation(document: dict[str, Any]) -> None:
    assert "security" not in document["paths"]["/health"]["get"]
    assert document["paths"]["/life-domains"]["get"]["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/life-domains"]["get"]["operationId"] == "listLifeDomains"
    assert "security" not in document
    public = {path for path, _, op in operations(document) if not op.get("security")}
    # only the operations endpoints, the problem type pages and the public marketplace are open
    open_paths = {"/health", "/ready", "/metrics", "/problems", "/problems/{code}"}
    assert {p for p in public if not p.startswith("/public/")} <= open_paths


async def test_date_properties_have_format_date(document: dict[str, Any]) -> None:
    found = list(date_properties(document["components"]["schemas"]))
    for where, prop in found:
        assert prop.get("format") == "date", f"{where}: {prop}"


# --- the post-processing applies to routes it has never seen -------------------------------

first_router = APIRouter(tags=["widgets"])
second_router = APIRouter(tags=["gadgets"])


class WidgetIn(ApiModel):
    name: str
    delivery_date: date | None = None


class WidgetOut(PublicModel):
    id: uuid.UUID
    delivery_date: date | None
    start_date: date


@first_router.get("/widgets/{widget_id}", summary="Get a widget", response_model=WidgetOut)
async def get_item(widget_id: uuid.UUID, principal: CurrentPrincipal) -> WidgetOut:
    raise NotImplementedError


@first_router.patch("/widgets/{widget_id}", summary="Change a widget", response_model=WidgetOut)
async def update_item(
    widget_id: uuid.UUID,
    body: WidgetIn,
    principal: CurrentPrincipal,
    expected: Annotated[int | None, Depends(if_match)],
) -> WidgetOut:
    raise NotImplementedError


@second_router.get("/gadgets/{gadget_id}", summary="Get a gadget", response_model=WidgetOut)
async def get_item_(gadget_id: uuid.UUID) -> WidgetOut:
    raise NotImplementedError


get_item_.__name__ = "get_item"  # the same endpoint name in two routers


@second_router.post("/gadgets", summary="Create a gadget", status_code=201, response_model=WidgetOut)
async def create_gadget(
    body: WidgetIn, response: Response, page_size: Annotated[int, Query(alias="pageSize")] = 1
) -> WidgetOut:
    raise NotImplementedError


@pytest.fixture
async def probe_document(database_url: str) -> AsyncIterator[dict[str, Any]]:
    async with fresh_client(database_url, routers=[first_router, second_router]) as c:
        yield (await c.get("/openapi.json")).json()


# bad input, the request bounds (URI, headers), an outage, a bug: possible on every route
EVERY_ROUTE = {"400", "414", "431", "500", "503"}


async def test_post_processing_covers_new_routes(probe_document: dict[str, Any]) -> None:
    doc = probe_document
    widget = doc["paths"]["/widgets/{widgetId}"]
    assert [p["name"] for p in widget["get"]["parameters"]] == ["widgetId"]
    assert widget["get"]["security"] == [{"bearerAuth": []}]
    assert set(widget["get"]["responses"]) == {"200", "401", "403", "404"} | EVERY_ROUTE
    assert set(widget["patch"]["responses"]) == EVERY_ROUTE | {
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "412",
        "413",
        "415",
        "428",
        "500",
    }
    gadget = doc["paths"]["/gadgets/{gadgetId}"]["get"]
    assert "security" not in gadget
    assert set(gadget["responses"]) == {"200", "404"} | EVERY_ROUTE
    create = doc["paths"]["/gadgets"]["post"]
    assert set(create["responses"]) == {"201", "404", "409", "413", "415", "422"} | EVERY_ROUTE
    assert {"$ref": "#/components/parameters/IdempotencyKey"} in create["parameters"]
    assert create["operationId"] == "createGadget"
    # two endpoints named get_item: both get the resource added to their id
    assert widget["get"]["operationId"] == "getItemWidget"
    assert gadget["operationId"] == "getItemGadget"

    schemas = doc["components"]["schemas"]
    assert schemas["WidgetOut"]["properties"]["deliveryDate"]["type"] == ["string", "null"]
    assert schemas["WidgetOut"]["properties"]["deliveryDate"]["format"] == "date"
    assert schemas["WidgetOut"]["properties"]["startDate"]["format"] == "date"
    assert schemas["WidgetIn"]["properties"]["deliveryDate"]["format"] == "date"
