"""The OpenAPI document: contact, servers, problem responses and the API-Version header."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app import API_VERSION

CONTACT = {
    "name": "Perspectief",
    "url": "https://github.com/perspectief/perspectief",
    "email": "api@perspectief.example",
}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=API_VERSION,
                description="Case management for Dutch youth care. See the README.",
                routes=app.routes,
                contact=CONTACT,
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
