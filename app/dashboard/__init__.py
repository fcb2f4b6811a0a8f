"""The municipality's steering dashboard at ``/dashboard`` and its printable district report.

The pages and their scripts are static files inside the package (``templates/``, ``static/``):
they hold no data and need no login to load. The data comes from the JSON API with the caller's
own bearer token, which the page asks for once and keeps in ``sessionStorage`` (this tab only,
gone when it closes; never in a cookie, so no request carries it without the page's script
asking, and cross-site requests cannot ride on it). The pages are served with a strict
Content-Security-Policy (scripts and styles from this origin only, no inline script, no
framing, no outside connections), so an injected script cannot run to read the token, and the
charts are drawn as SVG by the package's own small script: nothing is fetched from elsewhere,
it works on a closed network.
"""

from importlib import resources
from pathlib import Path

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
PAGES = {"/dashboard": "index.html", "/dashboard/report": "report.html"}


def _page(name: str) -> Response:
    html = (PACKAGE / "templates" / name).read_text(encoding="utf-8")
    return Response(html, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


def install_dashboard(app: FastAPI) -> None:
    """Serve the dashboard pages and their static assets (outside the API and its document)."""
    for path, name in PAGES.items():

        async def page(name: str = name) -> Response:
            return _page(name)

        app.add_api_route(path, page, methods=["GET"], include_in_schema=False)
    static = Path(str(PACKAGE / "static"))
    app.mount("/dashboard/static", StaticFiles(directory=static), name="dashboard-static")
