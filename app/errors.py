"""Application errors and their mapping to ``application/problem+json`` (RFC 9457).

Services raise :class:`AppError` subclasses; they never raise HTTPException. The
handlers here turn them, FastAPI's own errors and unexpected exceptions into problem
documents. A 500 never carries the exception text (it may hold personal data).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.context import current_request_id

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class InvalidParam:
    name: str
    code: str
    reason: str


class AppError(Exception):
    """Base of every error a service may raise; ``status`` is the HTTP status it maps to."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra


class InvalidInput(AppError):
    status = 400
    code = "invalid_input"

    def __init__(self, params: Sequence[InvalidParam], detail: str | None = None) -> None:
        super().__init__(detail or "The request has invalid parameters.")
        self.params = list(params)


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"

    def __init__(self, resource: str = "resource") -> None:
        super().__init__(f"The {resource} does not exist or is not visible to you.")


class Conflict(AppError):
    """A state conflict; ``code`` names it (e.g. ``plan_not_complete``)."""

    status = 409
    code = "conflict"


class PreconditionFailed(AppError):
    status = 412
    code = "precondition_failed"


class PreconditionRequired(AppError):
    status = 428
    code = "precondition_required"


class Unprocessable(AppError):
    status = 422
    code = "unprocessable"


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> JSONResponse:
    """Build a problem+json response; ``members`` are extension members (camelCase keys)."""
    body: dict[str, Any] = {
        "type": f"urn:nl:perspectief:problem:{code or status}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": f"urn:uuid:{current_request_id()}" if current_request_id() != "-" else request.url.path,
    }
    if code:
        body["code"] = code
    body.update({k: v for k, v in members.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _param_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    members = {_camel(k): v for k, v in exc.extra.items()}
    if isinstance(exc, InvalidInput):
        members["invalidParams"] = [
            {"name": p.name, "code": p.code, "reason": p.reason} for p in exc.params
        ]
    return problem_response(request, exc.status, exc.detail, code=exc.code, headers=headers, **members)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    params = []
    for err in exc.errors():
        kind = str(err.get("type", "invalid"))
        code = "unknown_property" if kind == "extra_forbidden" else kind
        reason = "Unknown property." if kind == "extra_forbidden" else str(err.get("msg", "Invalid."))
        params.append({"name": _param_name(err.get("loc", ())), "code": code, "reason": reason})
    return problem_response(
        request,
        400,
        "The request has invalid parameters.",
        code="invalid_input",
        invalidParams=params,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    headers = dict(exc.headers or {})
    if exc.status_code == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem_response(request, exc.status_code, detail, headers=headers or None)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
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
