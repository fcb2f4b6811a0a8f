"""Prometheus metrics that stay right with several worker processes.

Every worker is its own process with its own counters, and a scrape reaches one of them. With
``PROMETHEUS_MULTIPROC_DIR`` set (``perspectief serve --workers N`` sets it when N > 1), each
worker writes its samples to files in that directory and ``/metrics`` merges the files of all
workers (prometheus-client's multiprocess mode): one scrape, the whole server. One port per
worker would need a scrape target per worker; the directory needs nothing from Prometheus.

Figures:

* requests and their latency per method, route and status; the route is the API's path
  template (``/plans/{planId}``, as in the OpenAPI document), never a concrete path;
* the database pools: connections in use, idle and in overflow, summed over live workers;
* read at scrape time from the database (one query, the same for every worker): the outbox
  backlog (rows and the oldest row's age) and the number of plans, engagements and open
  handoffs per state. No personal data: states and counts only.
"""

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.errors import camel
from app.outage import database_unavailable

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
API_PREFIX = "/api/v1"

REQUESTS = Counter("perspectief_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "perspectief_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

_PARAMETER = re.compile(r"{([^}:]+)(?::[^}]*)?}")

# One statement for every figure read from the database (counts per state, outbox backlog).
FIGURES_SQL = text(
    """
    SELECT 'outbox' AS kind, '' AS state, count(*)::float8 AS n,
           coalesce(extract(epoch FROM now() - min(time)), 0)::float8 AS age
      FROM outbox_events
    UNION ALL SELECT 'plan', status, count(*), 0 FROM plans GROUP BY status
    UNION ALL SELECT 'engagement', status, count(*), 0 FROM engagements GROUP BY status
    UNION ALL SELECT 'handoff', status, count(*), 0 FROM handoffs
      WHERE status IN ('open', 'acknowledged', 'in_progress') GROUP BY status
    """
)


def api_route(template: str) -> str:
    """``/api/v1/plans/{plan_id}`` → ``/plans/{planId}``: the path as the API documents it."""
    if template == "unmatched":
        return template
    relative = template.removeprefix(API_PREFIX) or "/"
    return _PARAMETER.sub(lambda m: "{" + camel(m.group(1)) + "}", relative)


def observe_request(method: str, template: str, status: int, seconds: float) -> None:
    route = api_route(template)
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


class _Figures:
    """A collector of figures read just before the scrape."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def collect(self) -> Iterator[GaugeMetricFamily]:
        outbox_rows = GaugeMetricFamily("perspectief_outbox_events", "Rows in the event outbox")
        outbox_age = GaugeMetricFamily(
            "perspectief_outbox_oldest_age_seconds", "Age of the oldest outbox row (0 when empty)"
        )
        states = {
            kind: GaugeMetricFamily(f"perspectief_{kind}s", f"{kind.title()}s by state", labels=["status"])
            for kind in ("plan", "engagement", "handoff")
        }
        for kind, state, n, age in self.rows:
            if kind == "outbox":
                outbox_rows.add_metric([], n)
                outbox_age.add_metric([], age)
            else:
                states[kind].add_metric([state], n)
        yield outbox_rows
        yield outbox_age
        yield from states.values()


async def read_figures(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(FIGURES_SQL)).all())


async def exposition(engine: AsyncEngine) -> tuple[bytes, str]:
    """The text exposition of every worker's samples and the database figures."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    try:
        rows = await read_figures(engine)
    except (OSError, SQLAlchemyError) as exc:
        if not database_unavailable(exc):
            raise
        return body, CONTENT_TYPE_LATEST  # the database is down: only its own figures are missing
    figures = CollectorRegistry()
    figures.register(_Figures(rows))
    return body + generate_latest(figures), CONTENT_TYPE_LATEST


def prepare_multiprocess_dir(directory: Path) -> None:
    """Start a server with an empty directory: files of an earlier run would count again."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(directory)


def worker_stopped() -> None:
    """Drop this worker's live gauges (the pool) from the sums; its counters stay counted."""
    if os.environ.get(MULTIPROC_ENV):
        mark_process_dead(os.getpid())


__all__ = ["api_route", "exposition", "observe_request", "prepare_multiprocess_dir"]
