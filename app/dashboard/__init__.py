"""The municipality's steering dashboard at ``/dashboard`` and its printable district report.

The pages and their scripts are static files inside the package (``templates/``, ``static/``;
each page is its ``<body>`` set into ``page.html``, the head they share): they hold no data and
need no login to load. The data comes from the JSON API with the caller's own bearer token,
which the page asks for once and keeps in ``sessionStorage`` (this tab only, gone when it closes;
never in a cookie, so no request carries it without the page's script asking, and cross-site
requests cannot ride on it). The pages are served with a strict
Content-Security-Policy (scripts and styles from this origin only, no inline script, no
framing, no outside connections), so an injected script cannot run to read the token, and the
charts are drawn as SVG by the package's own small script: nothing is fetched from elsewhere,
it works on a closed network.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from fastapi import FastAPI, Response
from fastapi.staticfiles import StaticFiles

PACKAGE = resources.files(__name__)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True)
class Page:
    title: str
    script: str  # in static/
    body: str  # the template holding the page's <body>


PAGES = {
    "/dashboard": Page("steering dashboard", "dashboard.js", "index.html"),
    "/dashboard/report": Page("district report", "report.js", "report.html"),
}


def _template(name: str) -> str:
    return (PACKAGE / "templates" / name).read_text(encoding="utf-8")


def _page(page: Page) -> Response:
    html = Template(_template("page.html")).substitute(
        title=page.title, script=page.script, body=_template(page.body)
    )
    return Response(html, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


def _endpoint(page: Page) -> Callable[[], Awaitable[Response]]:
    async def endpoint() -> Response:
        return _page(page)

    return endpoint


def install_dashboard(app: FastAPI) -> None:
    """Serve the dashboard pages and their static assets (outside the API and its document)."""
    for path, page in PAGES.items():
        app.add_api_route(path, _endpoint(page), methods=["GET"], include_in_schema=False)
    static = Path(str(PACKAGE / "static"))
    app.mount("/dashboard/static", StaticFiles(directory=static), name="dashboard-static")
