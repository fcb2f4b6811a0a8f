"""Every header and query value is bounded before it is parsed, and the body in time.

``If-Match`` with 4 301 digits was a 500 (``int()`` refuses that many digits): the class is
any oversized header or query value reaching a parser. Header fields are capped (431), the
URI (414); the version in ``If-Match`` is at most ten ASCII digits; numbers in the query are
parsed by pydantic, which refuses long ones itself. A body that does not arrive in time is 408.
"""

import asyncio
import uuid
from typing import Any

import pytest

from app.config import get_settings
from app.main import create_app
from app.versioning import IfMatch, parse_if_match
from tests.api.test_identifiers import DOCUMENT, _resolve
from tests.support.tokens import all_roles_headers

PROBLEM_JSON = "application/problem+json"


@pytest.fixture
def all_roles() -> dict[str, str]:
    return all_roles_headers()


HEADERS = [
    "Authorization",
    "If-Match",
    "Idempotency-Key",
    "Accept",
    "Content-Type",
    "X-Request-Id",
    "X-Other",
]


def _operations_with(location: str) -> list[tuple[str, str, list[dict[str, Any]]]]:
    found = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            parameters = [_resolve(p) for p in operation.get("parameters", [])]
            if any(p["in"] == location for p in parameters):
                found.append((method, path, parameters))
    return found


def _url(path: str, parameters: list[dict[str, Any]]) -> str:
    for p in parameters:
        if p["in"] == "path":
            schema = _resolve(p["schema"])
            value = "2026" if schema.get("type") == "integer" else str(uuid.uuid4())
            if "pattern" in schema or "enum" in schema:
                value = (schema.get("examples") or schema.get("enum") or ["GM0363"])[0]
            path = path.replace("{" + p["name"] + "}", str(value))
    return path.removeprefix("/api/v1")


def assert_problem(response: Any, status: int | None = None) -> None:
    assert response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON


@pytest.mark.parametrize("header", HEADERS)
@pytest.mark.parametrize("method,path", [("GET", "/health"), ("GET", "/families"), ("POST", "/families")])
async def test_an_oversized_header_field_is_431_everywhere(client, header, method, path) -> None:
    response = await client.request(method, path, headers={header: "9" * 9000})
    assert_problem(response, 431)


async def test_header_fields_too_large_together_are_431(client) -> None:
    headers = {f"X-Field-{i}": "a" * 4000 for i in range(10)}
    assert_problem(await client.get("/health", headers=headers), 431)


async def test_an_overlong_uri_is_414(client) -> None:
    assert_problem(await client.get("/families", params={"q": "Visser" * 2000}), 414)


IF_MATCH_OPERATIONS = _operations_with("header")


@pytest.mark.parametrize("value", ["9" * 4301, '"' + "9" * 5000 + '"', "W/" + "1" * 8000, '"١"', '"１"'])
async def test_if_match_of_any_length_or_script_is_never_a_500(client, all_roles, value) -> None:
    for method, path, parameters in IF_MATCH_OPERATIONS:
        if not any(p["name"] == "If-Match" for p in parameters):
            continue
        response = await client.request(
            method.upper(), _url(path, parameters), headers={**all_roles, "If-Match": value.encode()}, json={}
        )
        assert response.status_code < 500, (method, path, response.text)


def test_if_match_reads_at_most_ten_ascii_digits() -> None:
    assert parse_if_match('"7"') == IfMatch(versions=frozenset({7}))
    assert parse_if_match('"2147483647"') == IfMatch(versions=frozenset({2147483647}))
    # A weak tag is read (and refused by the strong comparison), never a 500.
    assert parse_if_match('W/"2147483647"') == IfMatch(weak_only=True)
    # 4 301 unquoted digits are no entity tag: int() never sees them.
    assert parse_if_match("9" * 4301) == IfMatch(malformed=True)
    # Eleven digits are a valid entity tag but no version: it matches none.
    eleven = parse_if_match('"12345678901"')
    assert eleven == IfMatch()
    assert eleven is not None and not eleven.matches(12345678901)


QUERY_OPERATIONS = _operations_with("query")


@pytest.mark.parametrize("value", ["9" * 4400, "-" + "9" * 4400, "１" * 100])
async def test_long_query_values_are_never_a_500(client, all_roles, value) -> None:
    for method, path, parameters in QUERY_OPERATIONS:
        for parameter in (p for p in parameters if p["in"] == "query"):
            response = await client.request(
                method.upper(), _url(path, parameters), params={parameter["name"]: value}, headers=all_roles
            )
            assert response.status_code < 500, (method, path, parameter["name"], response.text)


async def test_a_body_that_does_not_arrive_in_time_is_408(database_url) -> None:
    settings = get_settings().model_copy(update={"body_timeout_seconds": 0.2})
    app = create_app(settings, database_url=database_url)
    sent: list[dict[str, Any]] = []
    chunks = [{"type": "http.request", "body": b'{"members": [', "more_body": True}]

    async def receive() -> dict[str, Any]:
        if chunks:
            return chunks.pop()
        await asyncio.sleep(3600)  # the client stalls
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/families",
        "raw_path": b"/api/v1/families",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    await app.state.engine.dispose()
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 408
    assert (b"content-type", PROBLEM_JSON.encode()) in start["headers"]
