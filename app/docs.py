"""Interactive API documentation (Swagger UI and ReDoc) served from the installed package.

FastAPI's own pages load their script and style from a CDN, which leaves a blank page on a
network without internet access. The assets here come from the ``fastapi-offline`` package
(Swagger UI, ReDoc and a favicon, shipped inside its wheel) and are served under
``{prefix}/docs/assets``; the pages themselves are FastAPI's own templates pointed at them.
"""

from collections.abc import Awaitable, Callable
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PACKAGE = "fastapi_offline"
# The pages may load nothing from another host; ReDoc's "powered by" logo (from its CDN, hidden
# when it fails to load) is blocked by the browser instead of leaking a request.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)


def assets_directory() -> str:
    """The directory of the packaged Swagger UI and ReDoc assets."""
    return str(files(ASSETS_PACKAGE) / "static")


def install_docs(app: FastAPI, prefix: str) -> None:
    """``{prefix}/docs`` (Swagger UI) and ``{prefix}/redoc`` (ReDoc), without any external request.

    Both pages depend on nothing but the app's settings, so they are rendered once, here."""
    assets = f"{prefix}/docs/assets"
    openapi_url = app.openapi_url or f"{prefix}/openapi.json"
    title = app.title
    app.mount(assets, StaticFiles(directory=assets_directory()), name="docs-assets")
    pages = {
        "docs": get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} — Swagger UI",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        ),
        "redoc": get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} — ReDoc",
            redoc_js_url=f"{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/favicon.png",
            with_google_fonts=False,
        ),
    }
    for name, page in pages.items():
        app.add_api_route(f"{prefix}/{name}", _serving(page.body), methods=["GET"], include_in_schema=False)


def _serving(html: bytes) -> Callable[[], Awaitable[HTMLResponse]]:
    """An endpoint answering with the page, which may load nothing from another host."""

    async def page() -> HTMLResponse:
        return HTMLResponse(html, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})

    return page
