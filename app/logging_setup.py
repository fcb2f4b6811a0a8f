"""JSON logs on stdout. Only fields we put there: no request bodies, no personal data.

Each record becomes one JSON line with time, level, logger, message, the request id and the
``extra`` fields the code passed. Exception messages and stack traces are never written (they
may quote personal data): a record logged with ``exc_info`` carries only the exception's class.
"""

import json
import logging
import sys
from datetime import UTC, datetime

from app.context import current_request_id

_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
# Libraries whose INFO lines would carry concrete URLs (uvicorn's access log: paths and
# query strings; httpx: outgoing URLs such as webhook callbacks). Our own access log
# records route templates instead.
_QUIET = {"uvicorn.access": logging.CRITICAL + 1, "httpx": logging.WARNING, "httpcore": logging.WARNING}


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


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, quiet_level in _QUIET.items():
        logging.getLogger(name).setLevel(quiet_level)
