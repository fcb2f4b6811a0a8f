"""Pure-ASGI middleware: request id, API-Version header, body cap, last-resort 500, metrics, access log.

Written as plain ASGI (not BaseHTTPMiddleware) so it adds little to every request and
does not buffer streaming bodies.
"""

import asyncio
import logging
import re
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from app import API_VERSION
from app.context import request_id_var
from app.errors import BodyTimeout, BodyTooLarge, send_problem
from app.metrics import observe_request
from app.outage import DETAIL as UNAVAILABLE_DETAIL
from app.outage import database_unavailable, record_unavailable

logger = logging.getLogger("perspectief.access")
error_logger = logging.getLogger("perspectief.error")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,80}$")


@dataclass(frozen=True)
class RequestBounds:
    """What a request may be at most before any of it is parsed: every header field, all header
    fields together, the path with its query string, and the time its body may take."""

    max_header_bytes: int = 8192
    max_headers_total_bytes: int = 32768
    max_uri_bytes: int = 8192
    body_timeout_seconds: float = 30.0

    def violation(self, scope: Scope) -> tuple[int, str] | None:
        """``(status, detail)`` when the request exceeds a bound, else None."""
        total = 0
        for name, value in scope.get("headers") or ():
            if len(value) > self.max_header_bytes:
                return 431, "A request header field is too large."
            total += len(name) + len(value)
        if total > self.max_headers_total_bytes:
            return 431, "The request header fields are too large together."
        if len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") > self.max_uri_bytes:
            return 414, "The URI is too long."
        return None


API_PREFIX = "/api/v1"

__all__ = ["BodyTooLarge", "RequestBounds", "RequestContextMiddleware", "route_template"]


def route_template(scope: Scope) -> str:
    """The matched route's template (``/api/v1/plans/{plan_id}``), never the concrete path.

    Routers are included under one prefix; FastAPI reports the route path relative to it.
    """
    path = getattr(scope.get("route"), "path", None)
    if not path:
        return "unmatched"
    if scope.get("path", "").startswith(API_PREFIX) and not path.startswith(API_PREFIX):
        return API_PREFIX + path
    return path


def _where(exc: BaseException) -> str:
    """``module:function:line`` of the innermost frame: enough to find the bug, no values."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown"
    frame = frames[-1]
    return f"{frame.filename.rsplit('/', 1)[-1]}:{frame.name}:{frame.lineno}"


class RequestContextMiddleware:
    """Sets the request id, caps the body, adds ``API-Version`` and records metrics.

    It is also the last resort for unexpected exceptions: it answers a 500 problem and
    logs only the exception's class and location, because the message (and the stack
    trace's rendering of it) may carry personal data. The exception is not re-raised, so
    neither Starlette nor the server logs it again.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, bounds: RequestBounds | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.bounds = bounds or RequestBounds()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else str(uuid.uuid4())
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        state = {"status": 500, "started": False}
        extra_headers = [
            (b"api-version", API_VERSION.encode()),
            (b"x-request-id", request_id.encode()),
        ]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                message["headers"] = list(message.get("headers", [])) + extra_headers
            await send(message)

        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        try:
            if declared > self.max_body_bytes:
                raise BodyTooLarge
            if violation := self.bounds.violation(scope):
                await send_problem(send_wrapper, *violation)
                return
            await self.app(scope, self._capped(receive), send_wrapper)
        except (BodyTooLarge, BodyTimeout) as exc:
            if not state["started"]:
                headers = [(k.lower().encode(), v.encode()) for k, v in (exc.headers or {}).items()]
                await send_problem(send_wrapper, exc.status_code, str(exc.detail), headers=headers)
        except Exception as exc:
            if database_unavailable(exc):
                error_logger.warning("database unavailable", extra={"errorType": type(exc).__name__})
                if not state["started"]:
                    await send_problem(
                        send_wrapper,
                        503,
                        UNAVAILABLE_DETAIL,
                        code="database_unavailable",
                        headers=[(b"retry-after", v.encode()) for v in record_unavailable().values()],
                    )
                return
            error_logger.error(
                "unhandled error",
                extra={
                    "requestId": request_id,
                    "errorType": type(exc).__name__,
                    "where": _where(exc),
                    "method": scope.get("method", "GET"),
                    "route": route_template(scope),
                },
            )
            if not state["started"]:
                await send_problem(
                    send_wrapper, 500, "An unexpected error occurred. Quote the request id when reporting it."
                )
        finally:
            self._observe(scope, state["status"], started, request_id)
            request_id_var.reset(token)

    def _capped(self, receive: Receive) -> Receive:
        """``receive`` with the body capped in size and in time (counted from the first read);
        once the body is complete, waiting for a disconnect is not bounded."""
        seen = 0
        deadline: float | None = None
        complete = False

        async def wrapped() -> Message:
            nonlocal seen, deadline, complete
            if complete:
                return await receive()
            if deadline is None:
                deadline = asyncio.get_running_loop().time() + self.bounds.body_timeout_seconds
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise BodyTooLarge
                complete = not message.get("more_body", False)
            else:
                complete = True
            return message

        return wrapped

    @staticmethod
    def _observe(scope: Scope, status: int, started: float, request_id: str) -> None:
        template = route_template(scope)
        elapsed = time.perf_counter() - started
        method = scope.get("method", "GET")
        observe_request(method, template, status, elapsed)  # labelled with the API's template
        # Route templates only: a concrete path could carry an identifier of a family.
        logger.info(
            "request",
            extra={
                "requestId": request_id,
                "method": method,
                "route": template,
                "status": status,
                "durationMs": round(elapsed * 1000, 2),
            },
        )
