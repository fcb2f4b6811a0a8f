"""Application errors and their mapping to ``application/problem+json`` (RFC 9457).

Services raise :class:`AppError` subclasses; they never raise HTTPException. The
handlers here turn them, FastAPI's own errors and unexpected exceptions into problem
documents. A 500 never carries the exception text (it may hold personal data).

A 403 or 404 answered to an authenticated caller is recorded in the audit trail as a
denied attempt (in a transaction of its own: the request's transaction rolls back).
"""

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.context import current_request_id
from app.outage import DETAIL as UNAVAILABLE_DETAIL
from app.outage import database_unavailable, record_unavailable
from app.problem_types import PROBLEM_TYPES
from app.rules import body_model, raw_problems

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/v1"

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    408: "Request Timeout",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

# The ``code`` of problems raised by the framework itself rather than by a service.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    413: "body_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    429: "rate_limited",
    431: "header_too_large",
    500: "internal_error",
    503: "service_unavailable",
}


@dataclass(frozen=True)
class InvalidParam:
    name: str
    code: str
    reason: str


class AppError(Exception):
    """Base of every error a service may raise: ``status`` is the HTTP status it maps to,
    ``code`` its problem type. A subclass names both beside its base class (see :class:`Conflict`)."""

    status: int = 500
    code: str = "internal_error"

    def __init_subclass__(cls, *, status: int | None = None, code: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra


class InvalidInput(AppError, status=400, code="invalid_input"):
    def __init__(self, params: Sequence[InvalidParam], detail: str | None = None) -> None:
        super().__init__(detail or "The request has invalid parameters.")
        self.params = list(params)


class Unauthorized(AppError, status=401, code="unauthorized"):
    """No valid bearer token: none sent, or one that fails its verification or the token policy."""


class Forbidden(AppError, status=403, code="forbidden"):
    """The caller may not do this: not in its role, or not for the organisation it acts for."""


class NotFound(AppError, status=404, code="not_found"):
    def __init__(self, resource: str = "resource") -> None:
        super().__init__(f"The {resource} does not exist or is not visible to you.")


class Conflict(AppError, status=409, code="conflict"):
    """A state conflict; ``code`` names it (e.g. ``plan_not_complete``)."""


class PreconditionFailed(AppError, status=412, code="precondition_failed"):
    """``If-Match`` does not name the resource's current version."""


class PreconditionRequired(AppError, status=428, code="precondition_required"):
    """A versioned resource is changed without ``If-Match``."""


class Unprocessable(AppError, status=422, code="unprocessable"):
    """The request is well-formed but cannot be processed."""


class BodyTooLarge(StarletteHTTPException):
    """Raised while reading a request body that exceeds the configured cap.

    An HTTPException on purpose: FastAPI re-raises those when they occur while it reads
    the body, where it would turn any other exception into a 400.
    """

    def __init__(self) -> None:
        super().__init__(413, "The request body exceeds the limit.")


class BodyTimeout(StarletteHTTPException):
    """Raised when the request body does not arrive within the configured time (a slow client)."""

    def __init__(self) -> None:
        super().__init__(408, "The request body did not arrive in time.", headers={"Connection": "close"})


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def problem_instance(request_id: str) -> str:
    """A URI naming this occurrence: the request id, which also appears in the logs."""
    if _UUID.match(request_id):
        return f"urn:uuid:{request_id.lower()}"
    return f"urn:nl:perspectief:request:{request_id}"


def problem_type_uri(code: str | None) -> str:
    """The page explaining the problem type (relative to the service, RFC 9457 §3.1.1);
    ``about:blank`` for a problem without a type of its own."""
    return f"{API_PREFIX}/problems/{code}" if code in PROBLEM_TYPES else "about:blank"


def problem_body(status: int, detail: str, *, code: str | None = None, **members: Any) -> dict[str, Any]:
    """The problem document; ``members`` are extension members (camelCase keys)."""
    code = code or _HTTP_CODES.get(status)
    body: dict[str, Any] = {
        "type": problem_type_uri(code),
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": problem_instance(current_request_id()),
    }
    if code:
        body["code"] = code
    body.update({k: v for k, v in members.items() if v is not None})
    return body


def problem_response(
    request: Request | None,
    status: int,
    detail: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> JSONResponse:
    """Build a problem+json response; ``members`` are extension members (camelCase keys)."""
    body = problem_body(status, detail, code=code, **members)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def send_problem(
    send: Any,
    status: int,
    detail: str,
    *,
    code: str | None = None,
    headers: Sequence[tuple[bytes, bytes]] = (),
    **members: Any,
) -> None:
    """Send a problem+json response from pure ASGI code (outside FastAPI's exception handlers)."""
    body = json.dumps(problem_body(status, detail, code=code, **members)).encode()
    start_headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*start_headers, *headers]})
    await send({"type": "http.response.body", "body": body})


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _param_name(loc: Sequence[Any]) -> str:
    """The dotted name of an invalid input as sent on the wire (``members.0.birthDate``).

    Body and query names are the aliases the client sent; path and header parameters
    are named by the route, so path parameters are camelCased here.
    """
    if not loc:
        return "body"
    where, *parts = loc
    names = [str(p) for p in parts]
    if where == "path" and names:
        names[0] = camel(names[0])
    return ".".join(names) or str(where)


def _validation_params(errors: Sequence[Any]) -> list[dict[str, str]]:
    params = []
    for err in errors:
        kind = str(err.get("type", "invalid"))
        loc = tuple(err.get("loc", ()))
        if kind == "json_invalid":
            params.append({"name": "body", "code": "invalid_json", "reason": "The body is not valid JSON."})
        elif kind == "extra_forbidden":
            params.append(
                {"name": _param_name(loc), "code": "unknown_property", "reason": "Unknown property."}
            )
        else:
            reason = str(err.get("msg", "Invalid."))
            params.append({"name": _param_name(loc), "code": kind, "reason": reason})
    return params


def _unparsed_body(errors: Sequence[Any]) -> bool:
    """True when the body was not parsed as JSON because its content type is not JSON."""
    return any(
        tuple(err.get("loc", ())) == ("body",) and isinstance(err.get("input"), bytes | bytearray)
        for err in errors
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if _unparsed_body(errors):
        return problem_response(request, 415, "Send the request body as application/json.")
    params = _validation_params(errors)
    return problem_response(
        request,
        400,
        "The request has invalid parameters.",
        code="invalid_input",
        invalidParams=params + _rule_params(request, exc, params),
    )


def _rule_params(
    request: Request, exc: RequestValidationError, listed: list[dict[str, str]]
) -> list[dict[str, str]]:
    """The rules that need no other rows (app/rules.py), run over the raw body: the service that
    would check them is not reached, so they are listed here beside the schema's errors."""
    model = body_model(request.scope.get("route"))
    if model is None:
        return []
    named = {p["name"] for p in listed}
    found = raw_problems(model, exc.body)
    return [{"name": n, "code": c, "reason": r} for n, c, r in found if n not in named]


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if isinstance(exc.__cause__, BodyTooLarge):  # defensive: the cap hit inside a body parser
        status = 413
        exc = exc.__cause__
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(status, "Error")
    headers = dict(exc.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem_response(request, status, detail, headers=headers or None)


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    members = {camel(k): v for k, v in exc.extra.items()}
    if isinstance(exc, InvalidInput):
        members["invalidParams"] = [{"name": p.name, "code": p.code, "reason": p.reason} for p in exc.params]
    if exc.status in (403, 404):
        await _audit_denied(request)
    return problem_response(request, exc.status, exc.detail, code=exc.code, headers=headers, **members)


def resource_of(route_path: str, path_params: dict[str, Any]) -> tuple[str, str | None]:
    """The resource type and id a route addresses, for audit rows.

    ``/api/v1/plans/{plan_id}/goals/{goal_id}`` → ``("plan", <plan_id>)``: the collection
    before the first path parameter (singular) and that parameter's value.
    """
    segments = [s for s in route_path.removeprefix(API_PREFIX).split("/") if s]
    collection, resource_id = (segments[0] if segments else "unknown"), None
    for i, segment in enumerate(segments):
        if segment.startswith("{"):
            name = segment.strip("{}").split(":")[0]
            resource_id = audit_safe_id(path_params[name]) if name in path_params else None
            collection = segments[i - 1] if i > 0 else collection
            break
    return singular(collection).replace("-", "_"), resource_id


AUDIT_ID_LENGTH = 80  # the audit column's width


def audit_safe_id(value: Any) -> str:
    """A path value as the audit trail can store it, whatever the caller sent: characters that
    are not printable (NUL, which PostgreSQL text cannot hold, controls, lone surrogates) and
    backslashes are escaped (``\\x00``), and the result is cut to the column's width."""
    text = "".join(
        ch if ch.isprintable() and ch != "\\" else ch.encode("unicode_escape", "backslashreplace").decode()
        for ch in str(value)
    )
    return text if len(text) <= AUDIT_ID_LENGTH else text[: AUDIT_ID_LENGTH - 1] + "…"


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class DenialRecorder(Protocol):
    """Records a denied attempt in its own transaction (the audit service provides one)."""

    async def __call__(
        self, sessionmaker: Any, principal: Any, method: str, resource_type: str, resource_id: str | None
    ) -> None: ...


async def _audit_denied(request: Request) -> None:
    """Record a denied attempt of an authenticated caller; never fails the response.

    The recorder is installed on the app at creation (``app.state.denial_recorder``), so this
    module needs no import of the audit service, which itself depends on the auth layer.
    """
    principal = getattr(request.state, "principal", None)
    route = request.scope.get("route")
    recorder: DenialRecorder | None = getattr(request.app.state, "denial_recorder", None)
    if principal is None or route is None or recorder is None:
        return
    resource_type, resource_id = resource_of(getattr(route, "path", ""), request.path_params)
    try:
        await recorder(request.app.state.sessionmaker, principal, request.method, resource_type, resource_id)
    except Exception as exc:  # the caller still gets the 403/404; the failure is logged
        logger.error("denied attempt not audited", extra={"errorType": type(exc).__name__})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    if database_unavailable(exc):
        logger.warning("database unavailable", extra={"errorType": type(exc).__name__})
        return problem_response(
            request, 503, UNAVAILABLE_DETAIL, code="database_unavailable", headers=record_unavailable()
        )
    # Only the exception class is logged: its message may contain personal data.
    logger.error("unhandled error", extra={"errorType": type(exc).__name__})
    return problem_response(
        request, 500, "An unexpected error occurred. Quote the request id when reporting it."
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
