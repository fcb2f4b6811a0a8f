"""``Idempotency-Key`` on creating POSTs: replay, reuse, concurrency, 5xx release, expiry.

The replay behaviour is shown on the real ``POST /regions``; a handler that blocks or fails
on purpose runs on a probe router mounted on a fresh application.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request, Response
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import API_VERSION
from app.auth import CurrentPrincipal
from app.config import get_settings
from app.db import SessionDep
from app.idempotency import ABANDONED_AFTER, fingerprint, parse_key
from app.models.base import ApiModel, PublicModel
from app.models.core import IdempotencyKey
from app.models.geography import Region
from tests.support.apps import fresh_app
from tests.support.streams import past_the_cap

Auth = Callable[..., dict[str, str]]


async def region_count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Region))).scalar_one()


async def stored_keys(session: AsyncSession) -> list[IdempotencyKey]:
    session.expire_all()
    return list((await session.execute(select(IdempotencyKey).order_by(IdempotencyKey.key))).scalars())


def keyed(auth: Auth, key: str, role: str = "admin", **claims: str) -> dict[str, str]:
    return {**auth(role, **claims), "Idempotency-Key": key}


# --- on the real application ------------------------------------------------------------------


async def test_retry_with_same_key_and_body_replays_without_creating_again(
    client: httpx.AsyncClient, session: AsyncSession, auth: Auth
) -> None:
    headers = keyed(auth, "create-region-1")
    first = await client.post("/regions", json={"name": "Regio Noord"}, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers

    # the same JSON with other key order and spacing is the same request
    retry = await client.post(
        "/regions",
        content=b'{ "name" :  "Regio Noord" }',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"]
    assert retry.headers["content-type"] == "application/json"
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["api-version"] == API_VERSION
    assert retry.headers["x-request-id"] != first.headers["x-request-id"]
    assert await region_count(session) == 1

    rows = await stored_keys(session)
    assert [(r.subject, r.key, r.state, r.response_status, r.method, r.path) for r in rows] == [
        ("test-admin", "create-region-1", "done", 201, "POST", "/api/v1/regions")
    ]


async def test_without_a_key_a_retry_runs_again(
    client: httpx.AsyncClient, session: AsyncSession, auth: Auth
) -> None:
    assert (
        await client.post("/regions", json={"name": "Regio Oost"}, headers=auth("admin"))
    ).status_code == 201
    again = await client.post("/regions", json={"name": "Regio Oost"}, headers=auth("admin"))
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_region"
    assert await region_count(session) == 1
    assert await stored_keys(session) == []


async def test_same_key_with_another_body_is_422(
    client: httpx.AsyncClient, session: AsyncSession, auth: Auth
) -> None:
    headers = keyed(auth, "create-region-2")
    assert (await client.post("/regions", json={"name": "Regio Zuid"}, headers=headers)).status_code == 201
    reused = await client.post("/regions", json={"name": "Regio West"}, headers=headers)
    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    body = reused.json()
    assert body["code"] == "idempotency_key_reused"
    assert body["status"] == 422
    assert await region_count(session) == 1


async def test_same_key_on_another_path_is_422(client: httpx.AsyncClient, auth: Auth) -> None:
    headers = keyed(auth, "create-region-3")
    assert (await client.post("/regions", json={"name": "Regio Midden"}, headers=headers)).status_code == 201
    other = await client.post("/teams", json={"name": "Regio Midden"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


async def test_keys_are_kept_per_caller(client: httpx.AsyncClient, session: AsyncSession, auth: Auth) -> None:
    first = await client.post(
        "/regions", json={"name": "Regio A"}, headers=keyed(auth, "shared-key", sub="admin-a")
    )
    second = await client.post(
        "/regions", json={"name": "Regio B"}, headers=keyed(auth, "shared-key", sub="admin-b")
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert await region_count(session) == 2
    assert sorted(r.subject for r in await stored_keys(session)) == ["admin-a", "admin-b"]


async def test_client_errors_are_remembered_and_replayed(
    client: httpx.AsyncClient, session: AsyncSession, auth: Auth
) -> None:
    headers = keyed(auth, "bad-region")
    first = await client.post("/regions", json={"name": "Regio X", "colour": "red"}, headers=headers)
    assert first.status_code == 400
    retry = await client.post("/regions", json={"name": "Regio X", "colour": "red"}, headers=headers)
    assert retry.status_code == 400
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["content-type"] == "application/problem+json"
    assert retry.json()["invalidParams"] == first.json()["invalidParams"]
    assert [r.response_status for r in await stored_keys(session)] == [400]


async def test_expired_key_is_replaced(client: httpx.AsyncClient, session: AsyncSession, auth: Auth) -> None:
    headers = keyed(auth, "old-key")
    assert (await client.post("/regions", json={"name": "Regio Oud"}, headers=headers)).status_code == 201
    hours = get_settings().idempotency_hours
    await session.execute(
        update(IdempotencyKey).values(created_at=datetime.now(UTC) - timedelta(hours=hours, minutes=1))
    )
    await session.commit()
    fresh = await client.post("/regions", json={"name": "Regio Nieuw"}, headers=headers)
    assert fresh.status_code == 201
    assert fresh.json()["name"] == "Regio Nieuw"
    assert "idempotent-replayed" not in fresh.headers
    assert await region_count(session) == 2
    rows = await stored_keys(session)
    assert len(rows) == 1
    assert rows[0].created_at > datetime.now(UTC) - timedelta(minutes=5)


async def test_expired_keys_of_the_caller_are_purged(
    client: httpx.AsyncClient, session: AsyncSession, auth: Auth
) -> None:
    assert (await client.post("/regions", json={"name": "R1"}, headers=keyed(auth, "k1"))).status_code == 201
    await session.execute(update(IdempotencyKey).values(created_at=datetime.now(UTC) - timedelta(days=2)))
    await session.commit()
    assert (await client.post("/regions", json={"name": "R2"}, headers=keyed(auth, "k2"))).status_code == 201
    assert [r.key for r in await stored_keys(session)] == ["k2"]


async def test_invalid_token_passes_through_to_401(client: httpx.AsyncClient, session: AsyncSession) -> None:
    response = await client.post(
        "/regions",
        json={"name": "Regio Z"},
        headers={"Authorization": "Bearer not-a-token", "Idempotency-Key": "k"},
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert await stored_keys(session) == []


@pytest.mark.parametrize("key", ["", "x" * 256, "spaced key", b"caf\xe9"])
async def test_invalid_key_is_400(client: httpx.AsyncClient, auth: Auth, key: str | bytes) -> None:
    response = await client.post(
        "/regions", json={"name": "Regio K"}, headers={**auth("admin"), "Idempotency-Key": key}
    )
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "Idempotency-Key"


def test_key_may_be_a_structured_field_string() -> None:
    assert parse_key('"8e03978e-40d5-43e8-bc93-6894a57f9324"') == "8e03978e-40d5-43e8-bc93-6894a57f9324"
    assert parse_key("abc") == "abc"
    assert parse_key('""') is None


def test_fingerprint_covers_method_path_query_and_canonical_body() -> None:
    scope = {"method": "POST", "path": "/api/v1/regions", "query_string": b""}
    same = fingerprint(scope, b'{"a": 1, "b": [1, 2]}')
    assert fingerprint(scope, b'{"b":[1,2],"a":1}') == same
    assert fingerprint(scope, b'{"a": 1, "b": [2, 1]}') != same
    assert fingerprint({**scope, "path": "/api/v1/teams"}, b'{"a": 1, "b": [1, 2]}') != same
    assert fingerprint({**scope, "query_string": b"x=1"}, b'{"a": 1, "b": [1, 2]}') != same


# --- a handler that blocks or fails on purpose -------------------------------------------------

probe_router = APIRouter()


class ThingIn(ApiModel):
    name: str


class ThingOut(PublicModel):
    id: uuid.UUID
    name: str


@probe_router.post("/things", summary="Create a thing", response_model=ThingOut, status_code=201)
async def create_thing(
    body: ThingIn, request: Request, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> ThingOut:
    state = request.app.state
    state.calls += 1
    if state.gate is not None:
        state.entered.set()
        await state.gate.wait()
    if state.failures > 0:
        state.failures -= 1
        raise RuntimeError("the thing store is down")
    region = Region(name=body.name)
    session.add(region)
    await session.flush()
    response.headers["Location"] = f"/api/v1/things/{region.id}"
    response.headers["ETag"] = '"1"'
    return ThingOut(id=region.id, name=region.name)


@pytest.fixture
async def probe_app(database_url: str) -> AsyncIterator[FastAPI]:
    async with fresh_app(database_url, routers=[probe_router]) as application:
        application.state.calls = 0
        application.state.failures = 0
        application.state.gate = None
        application.state.entered = asyncio.Event()
        yield application


async def test_replay_keeps_status_body_location_and_etag(
    probe: httpx.AsyncClient, probe_app: FastAPI, session: AsyncSession, auth: Auth
) -> None:
    headers = keyed(auth, "thing-1", role="district_professional", team=str(uuid.uuid4()))
    first = await probe.post("/things", json={"name": "T1"}, headers=headers)
    retry = await probe.post("/things", json={"name": "T1"}, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"] == f"/api/v1/things/{first.json()['id']}"
    assert retry.headers["etag"] == '"1"'
    assert probe_app.state.calls == 1
    assert await region_count(session) == 1


async def test_retry_while_first_is_running_is_409(
    probe: httpx.AsyncClient, probe_app: FastAPI, session: AsyncSession, auth: Auth
) -> None:
    probe_app.state.gate = asyncio.Event()
    headers = keyed(auth, "slow-thing")
    first = asyncio.create_task(probe.post("/things", json={"name": "Slow"}, headers=headers))
    await asyncio.wait_for(probe_app.state.entered.wait(), timeout=10)

    concurrent = await probe.post("/things", json={"name": "Slow"}, headers=headers)
    assert concurrent.status_code == 409
    assert concurrent.headers["content-type"] == "application/problem+json"
    assert concurrent.json()["code"] == "idempotency_request_in_progress"
    assert concurrent.headers["retry-after"] == "1"
    assert concurrent.headers["api-version"] == API_VERSION

    probe_app.state.gate.set()
    done = await asyncio.wait_for(first, timeout=10)
    assert done.status_code == 201
    assert probe_app.state.calls == 1
    assert await region_count(session) == 1
    replay = await probe.post("/things", json={"name": "Slow"}, headers=headers)
    assert replay.json() == done.json()


async def test_server_error_releases_the_key(
    probe: httpx.AsyncClient, probe_app: FastAPI, session: AsyncSession, auth: Auth
) -> None:
    probe_app.state.failures = 1
    headers = keyed(auth, "flaky-thing")
    failed = await probe.post("/things", json={"name": "Flaky"}, headers=headers)
    assert failed.status_code == 500
    assert await stored_keys(session) == []
    assert await region_count(session) == 0

    retried = await probe.post("/things", json={"name": "Flaky"}, headers=headers)
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert probe_app.state.calls == 2
    assert await region_count(session) == 1
    assert [r.state for r in await stored_keys(session)] == ["done"]


async def test_oversized_body_with_a_key_is_413_and_not_stored(
    probe: httpx.AsyncClient, probe_app: FastAPI, session: AsyncSession, auth: Auth
) -> None:
    response = await probe.post(
        "/things",
        content=past_the_cap(b'{"name": "Big"'),
        headers={**keyed(auth, "big-thing"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["api-version"] == API_VERSION
    assert probe_app.state.calls == 0
    assert await stored_keys(session) == []


async def test_abandoned_run_is_taken_over_by_a_retry(
    probe: httpx.AsyncClient, probe_app: FastAPI, session: AsyncSession, auth: Auth
) -> None:
    # as if a first run's process died: its key is left in progress
    scope = {"method": "POST", "path": "/api/v1/things", "query_string": b""}
    session.add(
        IdempotencyKey(
            subject="test-admin",
            key="abandoned",
            method="POST",
            path="/api/v1/things",
            request_hash=fingerprint(scope, b'{"name": "A"}'),
            state="in_progress",
        )
    )
    await session.commit()
    headers = keyed(auth, "abandoned")
    assert (await probe.post("/things", json={"name": "A"}, headers=headers)).status_code == 409
    assert probe_app.state.calls == 0

    await session.execute(
        update(IdempotencyKey).values(created_at=datetime.now(UTC) - ABANDONED_AFTER - timedelta(seconds=1))
    )
    await session.commit()
    assert (await probe.post("/things", json={"name": "B"}, headers=headers)).status_code == 422
    retried = await probe.post("/things", json={"name": "A"}, headers=headers)
    assert retried.status_code == 201
    assert probe_app.state.calls == 1
    assert [(r.state, r.response_status) for r in await stored_keys(session)] == [("done", 201)]
