"""A real webhook receiver on 127.0.0.1, as a consumer would write one.

It checks every delivery's ``Perspectief-Signature`` against the subscription's secret and parses
every body with the official CloudEvents SDK; what it got is kept for the test to inspect. How it
answers is programmable: a status per request (500 first, then 200), a delay (a slow receiver),
or not at all (stopped: the port refuses connections, and ``start`` again binds the same port).
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cloudevents.core.bindings.http import HTTPMessage, from_http_event

from app.services.integration.signing import verify


@dataclass
class Received:
    event_id: str
    header_event_id: str
    subject: str
    sequence: int
    type: str
    data: Any
    dataref: str
    at: float  # time.time() on receipt
    status: int


@dataclass
class Receiver:
    secret: str
    # (n-th request, 0-based) → (status, delay in seconds)
    answer: Callable[[int], tuple[int, float]] = lambda n: (200, 0.0)
    received: list[Received] = field(default_factory=list)
    bad_signatures: int = 0
    requests: int = 0
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    n = receiver.requests
                    receiver.requests += 1
                status, delay = receiver.answer(n)
                if delay:
                    time.sleep(delay)
                receiver._record(dict(self.headers.items()), body, status)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # many dispatcher connections at once

        self._server = Server(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _record(self, headers: dict[str, str], body: bytes, status: int) -> None:
        lowered = {k.lower(): v for k, v in headers.items()}
        if not verify(body, self.secret, lowered.get("perspectief-signature", "")):
            with self._lock:
                self.bad_signatures += 1
            return
        event = from_http_event(HTTPMessage(headers=lowered, body=body))
        attributes = event.get_attributes()
        item = Received(
            event_id=event.get_id(),
            header_event_id=lowered.get("perspectief-event-id", ""),
            subject=event.get_subject() or "",
            sequence=int(attributes["sequence"]),
            type=event.get_type(),
            data=event.get_data(),
            dataref=str(attributes["dataref"]),
            at=time.time(),
            status=status,
        )
        with self._lock:
            self.received.append(item)

    def requests_seen(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def accepted(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if 200 <= r.status < 300]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (a receiver that is down)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
