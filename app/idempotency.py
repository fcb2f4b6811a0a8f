"""``Idempotency-Key`` for POST requests (IETF httpapi draft), as pure ASGI middleware.

A client that sends ``Idempotency-Key`` with a POST may safely retry it:

* the same key with the same request (method, path, query and body) replays the first
  response — same status, body, ``Location`` and ``ETag`` — without running the handler again;
* the same key with another request is 422 ``idempotency_key_reused``;
* a retry while the first request is still running is 409 ``idempotency_request_in_progress``
  (a run that never finished — its process died — is taken over after ``ABANDONED_AFTER``);
* a 5xx (or an exception) is not remembered: the key is released so the retry runs again;
* keys are kept per caller (the token's subject) for ``settings.idempotency_hours``; an
  older key is treated as new and replaced.

Requests without a valid bearer token pass through untouched, so the application answers
401 as usual. The key table is read and written in short transactions of its own; the
handler's session is a separate one and commits (or not) on its own.
"""

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import anyio
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import Headers

from app.errors import send_problem
from app.models.core import IdempotencyKey

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255
IN_PROGRESS = "in_progress"
DONE = "done"
# A key still "in progress" after this long belongs to a request that never finished (its
# process died, or its outcome could not be stored): a retry of the same request may take it.
ABANDONED_AFTER = timedelta(minutes=5)
# Response headers that belong to the stored response; request id and API-Version are
# added per request by the outer middleware.
STORED_HEADERS = ("content-type", "location", "etag", "content-location", "retry-after")


class Claim(Enum):
    NEW = "new"  # this request owns the key: run the handler
    REPLAY = "replay"  # a finished response is stored: send it
    REUSED = "reused"  # the key was used for another request
    IN_PROGRESS = "in_progress"  # the first request is still running


@dataclass(frozen=True)
class Stored:
    status: int
    body: bytes
    headers: dict[str, str]


def parse_key(raw: str) -> str | None:
    """The key as a Structured Field string (``"abc"``) or bare; None when it is not valid."""
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not all(" " < ch <= "~" for ch in value):
        return None
    return value


def fingerprint(scope: Scope, body: bytes) -> str:
    """A hash of what makes two requests "the same": method, path, query and the body.

    A JSON body is canonicalised first, so key order and whitespace do not matter.
    """
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), canonical):
        digest.update(part)
        digest.update(b"\n")
    return digest.hexdigest()


class KeyStore:
    """The ``idempotency_keys`` table, each call in its own short transaction."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], hours: int) -> None:
        self.sessionmaker = sessionmaker
        self.ttl = timedelta(hours=hours)

    async def claim(
        self, subject: str, key: str, method: str, path: str, request_hash: str
    ) -> tuple[Claim, Stored | None]:
        """Take the key for this request, or say why not (atomically: one upsert, row locked)."""
        now = datetime.now(UTC)
        cutoff = now - self.ttl
        values = {
            "subject": subject,
            "key": key,
            "method": method,
            "path": path,
            "request_hash": request_hash,
            "state": IN_PROGRESS,
            "response_status": None,
            "response_body": None,
            "response_headers": {},
            "created_at": now,
        }
        table = IdempotencyKey.__table__
        upsert = (
            insert(table)
            .values(**values)
            .on_conflict_do_update(
                index_elements=[table.c.subject, table.c.key],
                set_={k: v for k, v in values.items() if k not in ("subject", "key")},
                # an expired key is replaced; an abandoned run of the same request is taken over
                where=or_(
                    table.c.created_at < cutoff,
                    and_(
                        table.c.state == IN_PROGRESS,
                        table.c.created_at < now - ABANDONED_AFTER,
                        table.c.request_hash == request_hash,
                    ),
                ),
            )
            .returning(table.c.key)
        )
        async with self.sessionmaker() as session, session.begin():
            # Expired keys of this caller go now: stored responses may hold personal data.
            await session.execute(
                delete(table).where(
                    table.c.subject == subject, table.c.created_at < cutoff, table.c.key != key
                )
            )
            if (await session.execute(upsert)).first() is not None:
                return Claim.NEW, None
            row = (
                await session.execute(select(table).where(table.c.subject == subject, table.c.key == key))
            ).one()
        if row.request_hash != request_hash:
            return Claim.REUSED, None
        if row.state != DONE:
            return Claim.IN_PROGRESS, None
        stored = Stored(
            status=row.response_status,
            body=(row.response_body or "").encode(),
            headers=dict(row.response_headers or {}),
        )
        return Claim.REPLAY, stored

    async def complete(self, subject: str, key: str, response: Stored) -> None:
        table = IdempotencyKey.__table__
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                update(table)
                .where(table.c.subject == subject, table.c.key == key)
                .values(
                    state=DONE,
                    response_status=response.status,
                    response_body=response.body.decode("utf-8"),
                    response_headers=response.headers,
                )
            )

    async def release(self, subject: str, key: str) -> None:
        table = IdempotencyKey.__table__
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                delete(table).where(
                    table.c.subject == subject, table.c.key == key, table.c.state == IN_PROGRESS
                )
            )


class IdempotencyMiddleware:
    """Applies ``Idempotency-Key`` to every POST of the application; routes declare nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = parse_key(raw_key)
        if key is None:
            await send_problem(
                send,
                400,
                "The Idempotency-Key header is not valid.",
                code="invalid_input",
                invalidParams=[
                    {
                        "name": "Idempotency-Key",
                        "code": "invalid_idempotency_key",
                        "reason": f"Use 1 to {MAX_KEY_LENGTH} visible ASCII characters.",
                    }
                ],
            )
            return
        subject = await _subject(scope, headers)
        if subject is None:  # no valid token: the application answers 401
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        app_state = scope["app"].state
        store = KeyStore(app_state.sessionmaker, app_state.settings.idempotency_hours)
        claim, stored = await store.claim(
            subject, key, scope["method"], scope["path"], fingerprint(scope, body)
        )
        if claim is Claim.REUSED:
            await send_problem(
                send,
                422,
                "This Idempotency-Key was used for a different request.",
                code="idempotency_key_reused",
            )
        elif claim is Claim.IN_PROGRESS:
            await send_problem(
                send,
                409,
                "A request with this Idempotency-Key is still being processed; retry later.",
                code="idempotency_request_in_progress",
                headers=[(b"retry-after", b"1")],
            )
        elif claim is Claim.REPLAY and stored is not None:
            await _replay(send, stored)
        else:
            await self._run(scope, _replaying(body, receive), send, store, subject, key)

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, store: KeyStore, subject: str, key: str
    ) -> None:
        status = 0
        headers: dict[str, str] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    decoded = name.decode("latin-1").lower()
                    if decoded in STORED_HEADERS:
                        headers[decoded] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await _settle(store.release(subject, key))
            raise
        response = Stored(status, b"".join(chunks), headers)
        if 200 <= status < 500 and _is_text(response.body):
            await _settle(store.complete(subject, key, response))
        else:
            await _settle(store.release(subject, key))


async def _settle(operation: Awaitable[None]) -> None:
    """Store or release a key without failing the request: its response is already sent (or
    failing for another reason). A key left in progress is taken over after ``ABANDONED_AFTER``."""
    try:
        await operation
    except Exception as exc:
        logger.error("idempotency key not settled", extra={"errorType": type(exc).__name__})


async def _subject(scope: Scope, headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        principal = await scope["app"].state.verifier.verify(token.strip())
    except Exception:  # any verification failure: let the application answer it
        return None
    return str(principal.sub)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the buffered body to the application once."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _is_text(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


async def _replay(send: Send, stored: Stored) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers.items()]
    headers += [(b"content-length", str(len(stored.body)).encode()), (b"idempotent-replayed", b"true")]
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})
