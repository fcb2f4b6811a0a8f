"""HTTP details every client relies on: conditional requests, HEAD, OPTIONS and Allow, CORS,
and problem types that resolve to a page."""

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import get_settings
from app.identifiers import PROBLEM_CODE
from app.problem_types import PROBLEM_TYPES
from tests.support.apps import fresh_client
from tests.support.families import create_family, create_plan, family_body, pro

APP = Path(__file__).resolve().parents[2] / "app"


@pytest.fixture
async def plan(client: httpx.AsyncClient, auth: Any, ref: Any) -> tuple[dict[str, str], str]:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    created = await create_plan(client, team, family["id"])
    return team, f"/plans/{created['id']}"


# --- If-Match ---------------------------------------------------------------------------------


async def test_if_match_star_accepts_whatever_version_exists(client, plan) -> None:
    team, path = plan
    response = await client.patch(path, json={"summary": "Een"}, headers={**team, "If-Match": "*"})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'


async def test_if_match_list_matches_any_listed_version(client, plan) -> None:
    team, path = plan
    response = await client.patch(path, json={"summary": "Een"}, headers={**team, "If-Match": '"7", "1"'})
    assert response.status_code == 200, response.text


async def test_weak_if_match_is_412_weak_etag(client, plan) -> None:
    team, path = plan
    response = await client.patch(path, json={"summary": "Een"}, headers={**team, "If-Match": 'W/"1"'})
    assert response.status_code == 412
    assert response.json()["code"] == "weak_etag"
    assert response.json()["currentVersion"] == 1


@pytest.mark.parametrize("value", ["1", '"1', "v1", ""])
async def test_an_if_match_that_is_no_entity_tag_is_412_invalid_etag(client, plan, value: str) -> None:
    team, path = plan
    response = await client.patch(path, json={"summary": "Een"}, headers={**team, "If-Match": value})
    assert response.status_code == 412, response.text
    assert response.json()["code"] == "invalid_etag"
    assert "double quotes" in response.json()["detail"]
    assert (await client.get(path, headers=team)).headers["ETag"] == '"1"'  # nothing written


# --- If-None-Match ----------------------------------------------------------------------------


async def test_if_none_match_with_the_current_etag_is_304(client, plan) -> None:
    team, path = plan
    first = await client.get(path, headers=team)
    etag = first.headers["ETag"]
    for value in (etag, f"W/{etag}", f'"99", {etag}', "*"):
        response = await client.get(path, headers={**team, "If-None-Match": value})
        assert response.status_code == 304, value
        assert response.content == b""
        assert response.headers["ETag"] == etag
        assert response.headers["api-version"]

    assert (await client.get(path, headers={**team, "If-None-Match": "1"})).status_code == 200  # no tag
    await client.patch(path, json={"summary": "Anders"}, headers={**team, "If-Match": etag})
    changed = await client.get(path, headers={**team, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] == '"2"'


async def test_if_none_match_still_checks_access(client, plan, auth, ref) -> None:
    _, path = plan
    other_team = pro(auth, ref, municipality="GM0599")
    response = await client.get(path, headers={**other_team, "If-None-Match": "*"})
    assert response.status_code in (403, 404)


# --- HEAD, OPTIONS, Allow ---------------------------------------------------------------------


async def test_head_works_wherever_get_does(client, plan) -> None:
    team, path = plan
    get = await client.get(path, headers=team)
    head = await client.head(path, headers=team)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["content-length"] == get.headers["content-length"]
    assert (await client.head("/health")).status_code == 200
    assert (await client.head("/no-such-things")).status_code == 404


async def test_head_on_a_path_without_get_is_405_with_allow(client) -> None:
    response = await client.head("/catalogue-imports")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST, OPTIONS"


async def test_options_lists_every_method_of_the_path(client, plan) -> None:
    _, path = plan
    response = await client.options(path)
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, PATCH, OPTIONS"
    assert (await client.options("/no-such-things")).status_code == 404


async def test_405_allow_lists_every_method_of_every_path(client, app) -> None:
    document = app.openapi()
    for template, item in document["paths"].items():
        path = re.sub(r"{[^}]+}", "00000000-0000-4000-8000-000000000000", template)
        documented = {m.upper() for m in item if m in ("get", "post", "put", "patch", "delete")}
        # a method no route of a matching template has (GET /payments/approve is a GET of a payment)
        for missing in sorted({"DELETE", "PUT", "PATCH", "POST", "GET"} - documented):
            response = await client.request(missing, path)
            if response.status_code == 405:
                break
        assert response.status_code == 405, template
        allow = set(response.headers["allow"].split(", "))
        expected = documented | {"OPTIONS"} | ({"HEAD"} if "GET" in documented else set())
        assert allow == expected, template


# --- CORS -------------------------------------------------------------------------------------


@pytest.fixture
async def cors_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = get_settings().model_copy(update={"cors_allow_origins": ["https://portaal.example"]})
    async with fresh_client(database_url, settings) as c:
        yield c


async def test_cors_is_off_by_default(client) -> None:
    response = await client.get("/health", headers={"Origin": "https://portaal.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = await client.options(
        "/health", headers={"Origin": "https://portaal.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in preflight.headers


async def test_cors_allows_listed_origins_only(cors_client) -> None:
    preflight = await cors_client.options(
        "/plans/00000000-0000-4000-8000-000000000000",
        headers={
            "Origin": "https://portaal.example",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, if-match, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://portaal.example"
    assert "PATCH" in preflight.headers["access-control-allow-methods"]

    simple = await cors_client.get("/health", headers={"Origin": "https://portaal.example"})
    assert simple.headers["access-control-allow-origin"] == "https://portaal.example"
    assert "ETag" in simple.headers["access-control-expose-headers"]

    stranger = await cors_client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in stranger.headers
    refused = await cors_client.options(
        "/health", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert refused.status_code == 400


# --- problem types ----------------------------------------------------------------------------


async def test_problem_type_resolves_to_a_readable_page(client, plan) -> None:
    team, path = plan
    problem = (await client.patch(path, json={"summary": "x"}, headers={**team, "If-Match": '"9"'})).json()
    assert problem["type"] == "/api/v1/problems/precondition_failed"
    page = await client.get(problem["type"].removeprefix("/api/v1"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "If-Match" in page.text and "412" in page.text

    index = await client.get("/problems")
    assert index.status_code == 200
    assert all(f'id="{code}"' in index.text for code in PROBLEM_TYPES)
    assert (await client.get("/problems/no_such_problem")).status_code == 404


async def test_every_code_the_service_raises_has_a_page() -> None:
    # problem codes, not the codes of single invalid inputs (InvalidParam)
    lines = (line for p in APP.rglob("*.py") for line in p.read_text().splitlines())
    source = "\n".join(line for line in lines if "InvalidParam" not in line)
    raised = set(re.findall(r'\bcode="([a-z_]+)"', source))
    raised |= set(re.findall(r'^\s+code = "([a-z_]+)"$', source, re.M))
    raised |= set(re.findall(r'^\s+\d{3}: "([a-z_]+)",$', (APP / "errors.py").read_text(), re.M))
    assert sorted(raised - set(PROBLEM_TYPES)) == []
    # and each page is reachable: its code is in the format /problems/{code} accepts
    assert [code for code in PROBLEM_TYPES if not re.fullmatch(PROBLEM_CODE, code)] == []
