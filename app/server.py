"""The HTTP server's guard against slow and greedy clients (uvicorn options and protocols).

uvicorn bounds idle keep-alive connections, but not the time a client takes to send its
request line and headers: a client sending one byte a second holds a connection forever
(slowloris). The protocols here arm a deadline when a connection opens (and again when a
response completes on a kept-alive connection) and close the connection when the headers
have not all arrived by then, or when they grow past the header cap. The body's time is
bounded in the application (``RequestBounds.body_timeout_seconds``), the number of
connections per worker by ``limit_concurrency``. In production a reverse proxy stands in front
as well (deploy/nginx.conf); these bounds hold without it.
"""

import asyncio
import json
from functools import lru_cache
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import Settings, get_settings

_PROBLEM = json.dumps(
    {
        "type": "urn:nl:perspectief:problem:header_too_large",
        "title": "Request Header Fields Too Large",
        "status": 431,
        "detail": "The request header fields are too large.",
        "code": "header_too_large",
    }
).encode()
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/problem+json\r\n"
    b"connection: close\r\ncontent-length: " + str(len(_PROBLEM)).encode() + b"\r\n\r\n" + _PROBLEM
)


@lru_cache
def _limits() -> tuple[float, int]:
    settings = get_settings()
    return settings.header_timeout_seconds, settings.max_headers_total_bytes + 8192


class _HeaderDeadline:
    """Mixed into a uvicorn protocol: the request head must arrive in time and within bounds."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    _header_timer: asyncio.TimerHandle | None = None
    _header_bytes: int = 0

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        timeout, _ = _limits()
        self._header_bytes = 0
        self._header_timer = self.loop.call_later(timeout, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def _count_header_bytes(self, size: int) -> None:
        """Called after a chunk was parsed: while the head is still incomplete it may not grow past
        the cap (a chunk that completed the head has disarmed the deadline, so a body never counts)."""
        if self._header_timer is None:
            return
        self._header_bytes += size
        if self._header_bytes > _limits()[1]:
            self._disarm_header_deadline()
            if not self.transport.is_closing():
                self.transport.write(_TOO_LARGE)
                self.transport.close()

    # The connection's life, the same for both uvicorn protocols (``super()`` is the protocol):
    # the deadline runs from the connection's start and again from each response's end.

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if not self.transport.is_closing():
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)  # type: ignore[misc]


class GuardedH11Protocol(_HeaderDeadline, H11Protocol):
    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm_header_deadline()
        self._count_header_bytes(len(data))


class GuardedHttpToolsProtocol(_HeaderDeadline, HttpToolsProtocol):
    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._count_header_bytes(len(data))

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_headers_complete()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The server options that bound slow and greedy clients, for ``uvicorn.run``."""
    return {
        "http": "app.server:GuardedHttpToolsProtocol",
        "limit_concurrency": settings.max_connections_per_worker,
        "timeout_keep_alive": settings.keep_alive_seconds,
        "h11_max_incomplete_event_size": settings.max_headers_total_bytes,
        "log_config": None,
        "access_log": False,
        "server_header": False,
    }
