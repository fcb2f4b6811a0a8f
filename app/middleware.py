"""Pure-ASGI middleware: request id, API-Version header, body cap, metrics and access log.

Written as plain ASGI (not BaseHTTPMiddleware) so it adds little to every request and
does not buffer streaming bodies.
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import Counter, Histogram

from app import API_VERSION
from app.context import request_id_var

logger = logging.getLogger("perspectief.access")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUESTS = Counter(
    "perspectief_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
LATENCY = Histogram(
    "perspectief_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,80}$")


API_PREFIX = "/api/v1"


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


class BodyTooLarge(Exception):
    """Raised while reading a body that exceeds the configured cap."""


def _problem(status: int, title: str, detail: str, request_id: str) -> bytes:
    return json.dumps(
        {
            "type": f"urn:nl:perspectief:problem:{status}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": f"urn:uuid:{request_id}",
        }
    ).encode()


class RequestContextMiddleware:
    """Sets the request id, caps the body, adds ``API-Version`` and records metrics."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else str(uuid.uuid4())
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = {"status": 500}
        extra_headers = [
            (b"api-version", API_VERSION.encode()),
            (b"x-request-id", request_id.encode()),
        ]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message["headers"] = list(message.get("headers", [])) + extra_headers
            await send(message)

        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        try:
            if declared > self.max_body_bytes:
                raise BodyTooLarge
            await self.app(scope, self._capped(receive), send_wrapper)
        except BodyTooLarge:
            await self._reject_too_large(send_wrapper, request_id)
        finally:
            self._observe(scope, status_holder["status"], started, request_id)
            request_id_var.reset(token)

    def _capped(self, receive: Receive) -> Receive:
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        return wrapped

    async def _reject_too_large(self, send: Send, request_id: str) -> None:
        body = _problem(413, "Content Too Large", "The request body exceeds the limit.", request_id)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _observe(scope: Scope, status: int, started: float, request_id: str) -> None:
        template = route_template(scope)
        elapsed = time.perf_counter() - started
        method = scope.get("method", "GET")
        REQUESTS.labels(method, template, str(status)).inc()
        LATENCY.labels(method, template).observe(elapsed)
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
