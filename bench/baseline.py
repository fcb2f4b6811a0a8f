"""The bare baseline: plain FastAPI + an asyncpg pool, no auth, no ORM, no middleware.

It runs the SQL our endpoints need (the same reads, and for a plan the same audit insert in
the same transaction), so the benchmark's ratio is the cost of everything else: token
verification, scoping helpers, the ORM, response models, middleware, metrics and logs.

Two generic endpoints serve the comparisons ``make bench`` prints for every endpoint:

* ``GET /select1``: a pooled connection and ``SELECT 1`` — the floor of any database endpoint;
* ``GET /replay/{key}``: the very statements our app sent for that endpoint (recorded by
  ``bench.run`` with their parameters, in ``BENCH_REPLAY_FILE``), run again in one transaction
  in bare asyncpg and returned as JSON — "the same SQL" without our framework around it.
  INSERTs get fresh ids, as our app would make.

Run by ``bench.run`` as ``uvicorn bench.baseline:app`` with ``BENCH_DATABASE_DSN`` (and
optionally ``BENCH_DATABASE_HOST`` for a socket directory) in the environment.
"""

import json
import os
import pickle
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse, Response

from app.services.plans.view import ACTIVITY_SQL, CONTENT_SQL

POOL_SIZE = int(os.environ.get("BENCH_POOL_SIZE", "20"))

LIFE_DOMAINS_SQL = 'SELECT code, name, "group" FROM life_domains ORDER BY position, code'
PLAN_SQL = """
SELECT p.id, p.family_id, p.status, p.version, p.agreed_version, p.family_vision, p.summary,
       p.created_at, p.updated_at, p.agreed_at
FROM plans p JOIN families f ON f.id = p.family_id
WHERE p.id = $1 AND p.municipality_code = $2 AND f.team_id = $3
"""
# The plan's parts: the same single aggregate statement as the service, so that the ratio
# measures the framework around the query, not a different query strategy.
PARTS_SQL = "SELECT " + (CONTENT_SQL + ACTIVITY_SQL).replace(":plan_id", "$1")
PARTS = ("assessments", "goals", "support_profiles", "signatures", "engagements", "handoffs")
AUDIT_SQL = """
INSERT INTO audit_events (id, occurred_at, subject, role, organisation, municipality_code, action,
                          resource_type, resource_id, family_id, outcome, request_id)
VALUES ($1, now(), 'bench', 'district_professional', $2, $3, 'read', 'plan', $4, $5, 'success', $6)
"""

# The caller our app would take from the token; the baseline has no auth, so it is fixed.
MUNICIPALITY = os.environ.get("BENCH_MUNICIPALITY", "GM0363")
TEAM = uuid.UUID(os.environ.get("BENCH_TEAM", "00000000-0000-0000-0000-000000000000"))


INSERT_COLUMNS = re.compile(r"^\s*INSERT INTO \w+ \(([^)]*)\) VALUES", re.IGNORECASE)
Replay = list[tuple[str, tuple[Any, ...] | list[tuple[Any, ...]]]]


def load_replays() -> dict[str, Replay]:
    path = os.environ.get("BENCH_REPLAY_FILE")
    if not path:
        return {}
    with open(path, "rb") as f:
        return pickle.load(f)


def fresh_ids(statement: str, parameters: tuple[Any, ...]) -> tuple[Any, ...]:
    """New values for the ``id`` column of a multi-row INSERT … VALUES (as our app would make)."""
    match = INSERT_COLUMNS.match(statement)
    if not match:
        return parameters
    columns = [c.strip().strip('"') for c in match.group(1).split(",")]
    if "id" not in columns:
        return parameters
    at, width = columns.index("id"), len(columns)
    return tuple(uuid.uuid4() if i % width == at else v for i, v in enumerate(parameters))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    kwargs: dict[str, Any] = {}
    if os.environ.get("BENCH_DATABASE_HOST"):
        kwargs["host"] = os.environ["BENCH_DATABASE_HOST"]
    app.state.pool = await asyncpg.create_pool(
        os.environ["BENCH_DATABASE_DSN"],
        min_size=2,
        max_size=POOL_SIZE,
        server_settings={"timezone": "UTC"},
        **kwargs,
    )
    app.state.replays = load_replays()
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/select1")
async def select1() -> Response:
    async with app.state.pool.acquire() as conn:
        value = await conn.fetchval("SELECT 1")
    return JSONResponse({"value": value})


@app.get("/replay/{key}")
async def replay(key: str) -> Response:
    statements: Replay | None = app.state.replays.get(key)
    if statements is None:
        raise HTTPException(404)
    results = []
    async with app.state.pool.acquire() as conn, conn.transaction():
        for statement, parameters in statements:
            if isinstance(parameters, list):  # an executemany (audit rows)
                await conn.executemany(statement, [fresh_ids(statement, p) for p in parameters])
                continue
            rows = await conn.fetch(statement, *fresh_ids(statement, parameters))
            results.append([{k: _json(v) for k, v in r.items()} for r in rows])
    return JSONResponse(results)


@app.get("/life-domains")
async def life_domains() -> Response:
    async with app.state.pool.acquire() as conn:
        rows = await conn.fetch(LIFE_DOMAINS_SQL)
    return JSONResponse([dict(r) for r in rows])


@app.get("/plans/{plan_id}")
async def plan(plan_id: uuid.UUID) -> Response:
    async with app.state.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(PLAN_SQL, plan_id, MUNICIPALITY, TEAM)
        if row is None:
            raise HTTPException(404)
        body: dict[str, Any] = {k: _json(v) for k, v in row.items()}
        parts = await conn.fetchrow(PARTS_SQL, plan_id)
        body.update({name: json.loads(parts[name]) for name in PARTS})
        await conn.execute(
            AUDIT_SQL, uuid.uuid4(), f"team:{TEAM}", MUNICIPALITY, str(plan_id), row["family_id"],
            str(uuid.uuid4()),
        )  # fmt: skip
    return JSONResponse(body, headers={"ETag": f'"{row["version"]}"'})


def _json(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return str(value)  # Decimal and the like
