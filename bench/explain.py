"""``python -m bench.explain``: the plans of every statement behind the benchmarked endpoints.

Each endpoint is called once through the real app (in process, over ASGI) against the database
in ``PERSPECTIEF_BENCH_DATABASE_URL`` (default: the embedded server's ``perspectief_bench``); every
statement it sends is recorded with its parameters and then run again under
``EXPLAIN (ANALYZE, BUFFERS)``, read-only (in a transaction that is rolled back). Read these
plans before adding an index.
"""

import argparse
import asyncio
import os
import sys
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

from app.config import DEV_SECRET_DEFAULT, Settings
from app.embedded_pg import asyncpg_dsn, start_embedded, to_asyncpg_url
from bench.endpoints import Target, endpoints


def database_url(settings: Settings, name: str) -> str:
    explicit = os.environ.get("PERSPECTIEF_BENCH_DATABASE_URL")
    if explicit:
        return explicit.replace("postgresql://", "postgresql+asyncpg://", 1)
    return to_asyncpg_url(start_embedded(settings.data_dir), name)


async def record(
    url: str,
    settings: Settings,
    only: str | None = None,
    targets: list[Target] | None = None,
    reads_only: bool = True,
) -> list[tuple[str, str, tuple[Any, ...]]]:
    """(endpoint, statement, parameters) of every statement the selected endpoints send
    (only the reads, unless ``reads_only`` is false); an executemany's parameters are a list of
    tuples, one per row."""
    from app.main import create_app

    app = create_app(settings, database_url=url)
    seen: list[tuple[str, str, tuple[Any, ...]]] = []
    current = {"name": ""}

    def listen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if not reads_only or statement.lstrip().upper().startswith(("SELECT", "WITH")):
            rows = [tuple(p) for p in parameters] if many else tuple(parameters or ())
            seen.append((current["name"], statement, rows))

    for engine in {app.state.engine, app.state.read_engine}:
        event.listen(engine.sync_engine, "before_cursor_execute", listen)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench/api/v1") as client:
            for target in targets or await endpoints(url, settings):
                if only and only not in target.name:
                    continue
                current["name"] = target.name
                response = await client.get(target.ours_path.removeprefix("/api/v1"), headers=target.headers)
                print(f"{target.name}: {response.status_code}", file=sys.stderr)
    return seen


async def explain(url: str, statements: list[tuple[str, str, tuple[Any, ...]]]) -> None:
    dsn, kwargs = asyncpg_dsn(url)
    conn = await asyncpg.connect(dsn, **kwargs, server_settings={"timezone": "UTC"})
    try:
        for name, statement, parameters in statements:
            tx = conn.transaction()
            await tx.start()
            try:
                rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *parameters)
            finally:
                await tx.rollback()
            print(f"\n=== {name}\n{statement}\n--- {parameters}")
            print("\n".join(r[0] for r in rows))
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="perspectief_bench", help="database of the embedded server")
    parser.add_argument("--only", help="endpoints whose name contains this")
    args = parser.parse_args(argv)
    secret = os.environ.get("PERSPECTIEF_DEV_JWT_SECRET", DEV_SECRET_DEFAULT)
    settings = Settings(env="dev", dev_jwt_secret=secret, jwks_url=None, log_level="WARNING")
    url = database_url(settings, args.database)
    statements = asyncio.run(record(url, settings, args.only))
    asyncio.run(explain(url, statements))


if __name__ == "__main__":
    main()
