"""Shared fixtures of the API tests: a client of the probe application a module mounts."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.support.apps import api_client


@pytest.fixture
async def probe(probe_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the module's own ``probe_app`` (its probe routers beside the real ones)."""
    async with api_client(probe_app) as c:
        yield c
