"""HTTP conventions every route shares: problem+json errors, 400 validation, body cap,
no leaking 500s, denied-attempt audit, API-Version and X-Request-ID, JSON access logs.

Framework behaviour is exercised on the real app; behaviour that needs a route that fails
on purpose uses a probe router mounted on a fresh application built by ``create_app``.
"""

import json
import logging
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Annotated, Any, Literal

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query
from sqlalchemy import select

from app import API_VERSION
from app.auth import Admin, CurrentPrincipal
from app.config import get_settings
from app.errors import NotFound
from app.logging_setup import JsonFormatter
from app.models.base import ApiModel, PublicModel
from app.models.core import AuditEvent
from tests.support.apps import fresh_app
from tests.support.streams import past_the_cap

FAKE_BSN = "999990019"
PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance"}

probe_router = APIRouter(tags=["probes"])


class ProbeMember(ApiModel):
    role: Literal["child", "parent"]
    birth_date: date


class ProbeIn(ApiModel):
    district_code: str
    members: list[ProbeMember]


class ProbeOut(PublicModel):
    count: int


@probe_router.post("/probes", summary="Accept a probe", response_model=ProbeOut, status_code=201)
async def create_probe(body: ProbeIn, principal: CurrentPrincipal) -> ProbeOut:
    return ProbeOut(count=len(body.members))


@probe_router.get("/probes", summary="List probes", response_model=ProbeOut, status_code=200)
async def list_probes(
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=200)] = 50,
    since_date: Annotated[date | None, Query(alias="sinceDate")] = None,
) -> ProbeOut:
    return ProbeOut(count=page_size)


@probe_router.get("/probes/{probe_id}/failure", summary="Fail", response_model=ProbeOut, status_code=200)
async def fail(probe_id: uuid.UUID) -> ProbeOut:
    raise RuntimeError(f"lookup of BSN {FAKE_BSN} failed")


@probe_router.get("/probes/{probe_id}", summary="Read a probe", response_model=ProbeOut, status_code=200)
async def read_probe(probe_id: uuid.UUID, principal: CurrentPrincipal) -> ProbeOut:
    raise NotFound("probe")


@probe_router.delete("/probes/{probe_id}", summary="Delete a probe", status_code=204)
async def delete_probe(probe_id: uuid.UUID, principal: Admin) -> None:
    return None


@pytest.fixture
async def probe_app(database_url: str) -> AsyncIterator[FastAPI]:
    async with fresh_app(database_url, routers=[probe_router]) as application:
        yield application


async def post_as_is(
    probe: httpx.AsyncClient,
    auth: Callable[..., dict[str, str]],
    body: bytes | AsyncIterator[bytes],
    content_type: str = "application/json",
) -> httpx.Response:
    """A probe posted by the admin with ``body`` sent as it is, unchecked by the client."""
    return await probe.post("/probes", content=body, headers={**auth("admin"), "Content-Type": content_type})


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["api-version"] == API_VERSION
    body = response.json()
    assert body.keys() >= PROBLEM_MEMBERS
    assert body["status"] == status
    assert body["instance"] == f"urn:uuid:{response.headers['x-request-id']}"
    return body


# --- framework errors as problems -------------------------------------------------------------


async def test_unknown_path_is_a_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/no-such-things"), 404)
    assert body["code"] == "not_found"
    assert body["title"] == "Not Found"


async def test_wrong_method_is_a_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health")
    body = assert_problem(response, 405)
    assert body["code"] == "method_not_allowed"
    assert "GET" in response.headers["allow"]


async def test_missing_token_is_401_problem(probe: httpx.AsyncClient) -> None:
    response = await probe.post("/probes", json={"districtCode": "WK036301", "members": []})
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert body["code"] == "unauthorized"


async def test_malformed_json_is_400(probe: httpx.AsyncClient, auth: Callable[..., dict[str, str]]) -> None:
    response = await post_as_is(probe, auth, b'{"districtCode": "WK036301", "members": [')
    body = assert_problem(response, 400)
    assert body["invalidParams"] == [
        {"name": "body", "code": "invalid_json", "reason": "The body is not valid JSON."}
    ]


async def test_wrong_content_type_is_415(
    probe: httpx.AsyncClient, auth: Callable[..., dict[str, str]]
) -> None:
    response = await post_as_is(probe, auth, b'{"districtCode": "WK036301", "members": []}', "text/plain")
    body = assert_problem(response, 415)
    assert body["code"] == "unsupported_media_type"


# --- validation -------------------------------------------------------------------------------


async def test_validation_lists_every_invalid_field_in_camel_case(
    probe: httpx.AsyncClient, auth: Callable[..., dict[str, str]]
) -> None:
    response = await probe.post(
        "/probes",
        json={
            "members": [
                {"role": "child", "birthDate": "2015-02-30"},
                {"role": "uncle", "birthDate": "2010-01-01", "nickname": "x"},
            ],
            "favouriteColour": "blue",
        },
        headers=auth("admin"),
    )
    body = assert_problem(response, 400)
    assert body["code"] == "invalid_input"
    by_name = {p["name"]: p["code"] for p in body["invalidParams"]}
    assert by_name == {
        "districtCode": "missing",
        "members.0.birthDate": "date_from_datetime_parsing",
        "members.1.role": "literal_error",
        "members.1.nickname": "unknown_property",
        "favouriteColour": "unknown_property",
    }
    assert all(p["reason"] for p in body["invalidParams"])
    assert "2015-02-30" not in response.text  # the input itself is never echoed


async def test_query_and_path_errors_are_400_together(probe: httpx.AsyncClient) -> None:
    response = await probe.get("/probes", params={"pageSize": "0", "sinceDate": "yesterday"})
    body = assert_problem(response, 400)
    assert {p["name"] for p in body["invalidParams"]} == {"pageSize", "sinceDate"}
    bad_path = await probe.get("/probes/not-a-uuid/failure")
    body = assert_problem(bad_path, 400)
    assert [p["name"] for p in body["invalidParams"]] == ["probeId"]


# --- 500 -------------------------------------------------------------------------------------


async def test_unexpected_error_is_500_without_details_in_response_or_logs(
    probe: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    probe_id = uuid.uuid4()
    with caplog.at_level(logging.DEBUG):
        response = await probe.get(f"/probes/{probe_id}/failure")
    body = assert_problem(response, 500)
    assert body["code"] == "internal_error"
    assert FAKE_BSN not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records]
    assert FAKE_BSN not in caplog.text
    assert all(FAKE_BSN not in line for line in lines)
    assert all(r.exc_info is None for r in caplog.records)
    errors = [json.loads(line) for line in lines if json.loads(line)["message"] == "unhandled error"]
    assert len(errors) == 1
    assert errors[0]["errorType"] == "RuntimeError"
    assert errors[0]["route"] == "/api/v1/probes/{probe_id}/failure"
    assert errors[0]["requestId"] == response.headers["x-request-id"]


# --- body cap --------------------------------------------------------------------------------


async def test_body_over_cap_with_content_length_is_413(
    probe: httpx.AsyncClient, auth: Callable[..., dict[str, str]]
) -> None:
    oversized = b'{"districtCode": "' + b"x" * (get_settings().max_body_bytes + 1) + b'", "members": []}'
    response = await post_as_is(probe, auth, oversized)
    body = assert_problem(response, 413)
    assert body["code"] == "body_too_large"


async def test_chunked_body_over_cap_is_413(
    probe: httpx.AsyncClient, auth: Callable[..., dict[str, str]]
) -> None:
    response = await post_as_is(probe, auth, past_the_cap(b'{"districtCode": "WK036301", "members": []'))
    assert "content-length" not in response.request.headers
    body = assert_problem(response, 413)
    assert body["code"] == "body_too_large"


async def test_body_under_cap_is_accepted(
    probe: httpx.AsyncClient, auth: Callable[..., dict[str, str]]
) -> None:
    payload = {"districtCode": "WK036301", "members": [{"role": "child", "birthDate": "2015-02-01"}]}
    response = await probe.post("/probes", json=payload, headers=auth("admin"))
    assert response.status_code == 201
    assert response.json() == {"count": 1}
    assert response.headers["api-version"] == API_VERSION


# --- denied attempts are audited ------------------------------------------------------------


async def _audit_rows(probe_app: FastAPI) -> list[AuditEvent]:
    async with probe_app.state.sessionmaker() as s:
        return list((await s.execute(select(AuditEvent))).scalars())


async def test_not_found_for_authenticated_caller_is_audited_as_denied(
    probe: httpx.AsyncClient, probe_app: FastAPI, auth: Callable[..., dict[str, str]]
) -> None:
    probe_id = uuid.uuid4()
    team = uuid.uuid4()
    response = await probe.get(f"/probes/{probe_id}", headers=auth("district_professional", team=team))
    assert_problem(response, 404)
    rows = await _audit_rows(probe_app)
    assert len(rows) == 1
    row = rows[0]
    assert (row.outcome, row.action, row.resource_type, row.resource_id) == (
        "denied",
        "read",
        "probe",
        str(probe_id),
    )
    assert (row.subject, row.role, row.organisation, row.municipality_code) == (
        "test-district_professional",
        "district_professional",
        f"team:{team}",
        "GM0363",
    )
    assert row.request_id == response.headers["x-request-id"]


async def test_wrong_role_is_audited_as_denied(
    probe: httpx.AsyncClient, probe_app: FastAPI, auth: Callable[..., dict[str, str]]
) -> None:
    probe_id = uuid.uuid4()
    response = await probe.delete(f"/probes/{probe_id}", headers=auth("municipality_officer"))
    assert assert_problem(response, 403)["code"] == "forbidden"
    rows = await _audit_rows(probe_app)
    assert [(r.outcome, r.action, r.resource_type, r.resource_id, r.role) for r in rows] == [
        ("denied", "delete", "probe", str(probe_id), "municipality_officer")
    ]


async def test_anonymous_or_unmatched_errors_are_not_audited(
    probe: httpx.AsyncClient, probe_app: FastAPI, auth: Callable[..., dict[str, str]]
) -> None:
    assert (await probe.get(f"/probes/{uuid.uuid4()}")).status_code == 401
    assert (await probe.get("/no-such-things", headers=auth("admin"))).status_code == 404
    assert (await probe.delete(f"/probes/{uuid.uuid4()}", headers=auth("admin"))).status_code == 204
    assert await _audit_rows(probe_app) == []


# --- headers -------------------------------------------------------------------------------


async def test_api_version_on_success_and_error_responses(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/health"),
        await client.get("/no-such-things"),
        await client.delete("/health"),
        await client.get("/openapi.json"),
    ):
        assert response.headers["api-version"] == API_VERSION


async def test_request_id_echoed_when_valid_and_generated_otherwise(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/health", headers={"X-Request-ID": "req-42.a:b"})
    assert echoed.headers["x-request-id"] == "req-42.a:b"
    invalid = await client.get("/health", headers={"X-Request-ID": "bad id with spaces"})
    assert invalid.headers["x-request-id"] != "bad id with spaces"
    assert uuid.UUID(invalid.headers["x-request-id"])
    generated = await client.get("/no-such-things")
    assert uuid.UUID(generated.headers["x-request-id"])
    assert generated.json()["instance"] == f"urn:uuid:{generated.headers['x-request-id']}"
    other = await client.get("/no-such-things", headers={"X-Request-ID": "abc-123"})
    assert other.json()["instance"] == "urn:nl:perspectief:request:abc-123"


# --- logs ----------------------------------------------------------------------------------


async def test_access_log_has_route_template_and_no_concrete_path(
    probe: httpx.AsyncClient, auth: Callable[..., dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    probe_id = uuid.uuid4()
    with caplog.at_level(logging.INFO):
        response = await probe.get(
            f"/probes/{probe_id}",
            params={"q": "Jansen"},
            headers={**auth("admin"), "X-Request-ID": "log-test-1"},
        )
    assert response.status_code == 404
    formatter = JsonFormatter()
    # the test's own HTTP client logs the URL it called; everything else is the service's
    lines = [formatter.format(r) for r in caplog.records if r.name != "httpx"]
    assert lines
    for line in lines:
        assert str(probe_id) not in line
        assert "Jansen" not in line
        assert "Bearer" not in line
    access = [json.loads(line) for line in lines if json.loads(line)["logger"] == "perspectief.access"]
    assert len(access) == 1
    entry = access[0]
    assert entry["requestId"] == "log-test-1"
    assert entry["method"] == "GET"
    assert entry["route"] == "/api/v1/probes/{probe_id}"
    assert entry["status"] == 404
    assert isinstance(entry["durationMs"], float)
    assert entry["level"] == "INFO"


def test_json_formatter_writes_exception_class_only() -> None:
    try:
        raise ValueError(f"BSN {FAKE_BSN} is invalid")
    except ValueError:
        record = logging.getLogger("perspectief.test").makeRecord(
            "perspectief.test", logging.ERROR, __file__, 1, "check failed", (), sys.exc_info()
        )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["errorType"] == "ValueError"
    assert entry["message"] == "check failed"
    assert FAKE_BSN not in json.dumps(entry)
    assert "Traceback" not in json.dumps(entry)
