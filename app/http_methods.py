"""HEAD, OPTIONS and the ``Allow`` header of a 405, answered for every path alike (RFC 9110 §9.3).

FastAPI registers one route per method, and the router answers a wrong method with the methods
of the first route whose path matches, so ``Allow`` missed the others (``GET`` but not
``PATCH`` for ``/plans/{id}``), and it knows no ``HEAD`` at all. This middleware asks the
application's routes which methods each path has, then:

* ``HEAD`` runs the ``GET`` route and sends its status and headers without the body;
* ``OPTIONS`` on a known path is 204 with ``Allow`` (a CORS preflight never gets here: the
  CORS middleware, when configured, answers it first);
* a 405 carries ``Allow`` with every method of the path.
"""

import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.routing import Route, compile_path

from app.openapi import _api_routes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ROUTE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# What the router stores in the scope when it matches; HEAD copies it back for the access log.
_ROUTE_KEYS = ("route", "endpoint", "path_params")


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    template: str
    methods: frozenset[str]


def _route_table(app: Any) -> list[_Entry]:
    """Every route's full path pattern and methods (cached on the app: routes are fixed at start)."""
    table = getattr(app.state, "route_methods", None)
    if table is None:
        routes = [r for r in app.routes if isinstance(r, Route)] + list(_api_routes(app))
        table = [
            _Entry(compile_path(route.path)[0], route.path, frozenset(route.methods or ()))
            for route in routes
        ]
        app.state.route_methods = table
    return table


def allowed_methods(app: Any, path: str) -> list[str]:
    """The methods of the resource a path names, ``HEAD`` and ``OPTIONS`` included.

    When several templates match (``/payments/approve`` and ``/payments/{paymentId}``), the
    resource is the most specific one: the template with the fewest parameters.
    """
    candidates = [entry for entry in _route_table(app) if entry.pattern.match(path)]
    if not candidates:
        return []
    specific = min(candidates, key=lambda entry: entry.template.count("{")).template
    found = set().union(*(entry.methods for entry in candidates if entry.template == specific))
    methods = [m for m in ROUTE_METHODS if m in found]
    if "GET" in methods:
        methods.insert(methods.index("GET") + 1, "HEAD")
    return [*methods, "OPTIONS"]


class HttpMethodsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            allow = allowed_methods(scope["app"], scope["path"])
            if allow:
                await _send_allow(send, 204, allow)
                return
        if method == "HEAD":
            await self._head(scope, receive, send)
            return
        await self.app(scope, receive, self._complete_allow(scope, send))

    async def _head(self, scope: Scope, receive: Receive, send: Send) -> None:
        inner = {**scope, "method": "GET"}

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        try:
            await self.app(inner, receive, self._complete_allow(inner, without_body))
        finally:
            scope.update({key: inner[key] for key in _ROUTE_KEYS if key in inner})

    @staticmethod
    def _complete_allow(scope: Scope, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allow = ", ".join(allowed_methods(scope["app"], scope["path"])).encode()
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                message["headers"] = [*headers, (b"allow", allow)]
            await send(message)

        return wrapped


async def _send_allow(send: Send, status: int, allow: list[str]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"allow", ", ".join(allow).encode())],
        }
    )
    await send({"type": "http.response.body", "body": b""})
