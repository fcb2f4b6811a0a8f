"""The dispatcher: delivers every owed event to its subscription's callback, signed.

Any number of dispatchers may run, on any host, against one database: each claims a batch of due
deliveries under a lease (see :mod:`claims`), sends them concurrently outside any transaction and
records the outcomes where its claim still holds. It sleeps until a commit writes deliveries
(``LISTEN perspectief_deliveries``) or the next retry falls due, and stops gracefully: the batch
in hand is finished and recorded, and claims it never tried are given back.
"""

import asyncio
import contextlib
import json
import logging
import socket
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.services.integration import callbacks, claims, metrics
from app.services.integration.backoff import next_attempt
from app.services.integration.signing import CONTENT_TYPE, EVENT_ID_HEADER, SIGNATURE_HEADER, signature

logger = logging.getLogger(__name__)

CHANNEL = "perspectief_deliveries"
DATABASE_ERRORS = (OSError, ConnectionError, asyncpg.PostgresError, SQLAlchemyError)
MIN_IDLE_SECONDS = 0.05
MAX_RESPONSE_BYTES = 64 * 1024


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL of the database as a DSN asyncpg's own ``connect`` accepts."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def body_of(event: dict[str, Any]) -> bytes:
    """The exact bytes that are sent and signed (structured CloudEvents JSON)."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


class Dispatcher:
    def __init__(self, engine: AsyncEngine, settings: Settings, *, listen_dsn: str | None = None) -> None:
        if settings.dispatch_lease_seconds <= settings.dispatch_timeout_seconds * 1.5:
            raise ValueError("PERSPECTIEF_DISPATCH_LEASE_SECONDS must exceed 1.5 × the delivery timeout")
        self.engine = engine
        self.settings = settings
        self.listen_dsn = listen_dsn
        self.name = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._open_tokens: set[uuid.UUID] = set()
        self._http: aiohttp.ClientSession | None = None

    # --- the loop --------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; then finish the batch in hand and give back the rest."""
        logger.info("dispatcher started", extra={"dispatcher": self.name})
        try:
            while not stop.is_set():
                await self._ensure_listening()
                self._wake.clear()
                try:
                    if await self.deliver_batch():
                        continue
                    idle = await self._idle_seconds()
                except DATABASE_ERRORS as exc:
                    # The database is away: try again later; claims in hand expire by themselves.
                    logger.warning("dispatcher database error", extra={"error": type(exc).__name__})
                    idle = self.settings.dispatch_idle_wake_seconds
                await self._sleep(stop, idle)
        finally:
            await self.close()
            logger.info("dispatcher stopped", extra={"dispatcher": self.name})

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _idle_seconds(self) -> float:
        async with self.engine.connect() as conn:
            due = await claims.next_due(conn)
        if due is None:
            return self.settings.dispatch_idle_wake_seconds
        wait = (due - datetime.now(UTC)).total_seconds()
        return min(max(wait, MIN_IDLE_SECONDS), self.settings.dispatch_idle_wake_seconds)

    async def _ensure_listening(self) -> None:
        if self.listen_dsn is None or (self._listener is not None and not self._listener.is_closed()):
            return
        try:
            self._listener = await asyncpg.connect(self.listen_dsn)
            await self._listener.add_listener(CHANNEL, lambda *_: self._wake.set())
        except (OSError, asyncpg.PostgresError) as exc:
            logger.warning("dispatcher cannot listen; polling", extra={"error": type(exc).__name__})
            self._listener = None

    async def close(self) -> None:
        if self._open_tokens:
            try:
                async with self.engine.begin() as conn:
                    await claims.release(conn, sorted(self._open_tokens))
            except DATABASE_ERRORS as exc:  # then the leases expire instead
                logger.warning("dispatcher could not release its claims", extra={"error": type(exc).__name__})
            self._open_tokens.clear()
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    # --- one batch -------------------------------------------------------------------------

    async def deliver_batch(self) -> int:
        """Claim due deliveries, send them, record the outcomes; the number claimed."""
        token = uuid.uuid4()
        self._open_tokens.add(token)
        async with self.engine.begin() as conn:
            batch = await claims.claim(
                conn, token, self.settings.dispatch_batch_size, self.settings.dispatch_lease_seconds
            )
        if not batch:
            self._open_tokens.discard(token)
            return 0
        limit = asyncio.Semaphore(self.settings.dispatch_concurrency)

        async def bounded(item: claims.Claimed) -> claims.Outcome:
            async with limit:
                return await self.send(item)

        outcomes = await asyncio.gather(*(bounded(item) for item in batch))
        now = datetime.now(UTC)
        for outcome in outcomes:
            if not outcome.delivered:
                item = outcome.delivery
                outcome.next_attempt_at = next_attempt(
                    item.attempts, now, item.window_started_at, self.settings
                )
        async with self.engine.begin() as conn:
            await claims.record(conn, token, list(outcomes))
        self._open_tokens.discard(token)
        metrics.observe(outcomes)
        return len(batch)

    def _session(self) -> aiohttp.ClientSession:
        """One HTTP client per dispatcher, made in its event loop; keeps connections alive."""
        if self._http is None:
            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.settings.dispatch_concurrency, use_dns_cache=False),
                timeout=aiohttp.ClientTimeout(total=self.settings.dispatch_timeout_seconds),
                headers={"User-Agent": "perspectief-dispatcher"},
                trust_env=False,
                auto_decompress=False,
            )
        return self._http

    async def send(self, item: claims.Claimed) -> claims.Outcome:
        """POST one signed CloudEvent; any answer but a 2xx, a timeout or a refusal is a failure."""
        body = body_of(item.event)
        try:
            target = await callbacks.check(item.callback_url, self.settings)
        except callbacks.CallbackRefused as exc:
            return claims.Outcome(item, None, exc.code)
        headers = {
            "Content-Type": CONTENT_TYPE,
            SIGNATURE_HEADER: signature(body, item.secret),
            EVENT_ID_HEADER: str(item.event_id),
            "Host": target.host_header,
        }
        started = time.monotonic()
        try:
            async with self._session().post(
                target.url,
                data=body,
                headers=headers,
                allow_redirects=False,
                server_hostname=target.server_name if target.url.startswith("https") else None,
            ) as response:
                code = response.status
                await response.content.read(MAX_RESPONSE_BYTES)
        except TimeoutError:
            return claims.Outcome(item, None, "timeout")
        except aiohttp.ClientConnectorError:
            return claims.Outcome(item, None, "connection_failed")
        except aiohttp.ClientError as exc:
            return claims.Outcome(item, None, f"transport_error:{type(exc).__name__}"[:200])
        finally:
            metrics.REQUEST_SECONDS.observe(time.monotonic() - started)
        if 200 <= code < 300:
            return claims.Outcome(item, code, None)
        return claims.Outcome(item, code, f"http_{code}")


async def serve(database_url: str, settings: Settings, *, metrics_port: int | None = None) -> None:
    """Run one dispatcher until SIGTERM or SIGINT (``perspectief dispatch``)."""
    import signal

    from prometheus_client import start_http_server

    from app.db import create_engine

    if metrics_port is not None:
        start_http_server(metrics_port, addr="127.0.0.1")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    engine = create_engine(database_url, settings)
    try:
        await Dispatcher(engine, settings, listen_dsn=asyncpg_dsn(database_url)).run(stop)
    finally:
        await engine.dispose()
