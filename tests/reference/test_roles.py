"""Role matrix of the reference-data API (DESIGN §2): each role → 2xx or 403; other scope → 404."""

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.providers import Tariff
from tests.support.factories import Reference

Auth = Callable[..., dict[str, str]]

ROLES = (
    "family_member",
    "district_professional",
    "gp",
    "provider_staff",
    "municipality_officer",
    "purchasing_officer",
    "integration",
    "admin",
)


def role_headers(auth: Auth, ref: Reference, role: str, municipality: str = "GM0363") -> dict[str, str]:
    claims: dict[str, dict[str, Any]] = {
        "family_member": {"family": uuid.uuid4(), "member": uuid.uuid4()},
        "district_professional": {"team": ref.teams["GM0363"]},
        "gp": {"agb": "01234567"},
        "provider_staff": {"provider": ref.providers[0]},
        "purchasing_officer": {"region": ref.region_id},
    }
    return auth(role, municipality=municipality, **claims.get(role, {}))


def _writes(ref: Reference) -> list[tuple[str, str, Any, set[str], int]]:
    """(method, path, JSON body, roles allowed, success status)."""
    contract = {
        "validFrom": "2026-01-01",
        "paymentModel": "milestone",
        "products": [{"profileCode": "P02", "intensityCode": "I1"}],
    }
    tariff = {
        "profileCode": "P10",
        "intensityCode": "I1",
        "providerId": str(ref.uncontracted_provider),
        "validFrom": "2026-01-01",
        "amountCents": 100_000,
    }
    profile = {
        "code": "P12",
        "name": "Nieuw",
        "segment": "B",
        "intensities": [{"code": "I1", "name": "Licht", "maxMonths": 3}],
    }
    imported = {
        "rows": [
            {
                "kind": "tariff",
                "profileCode": "P11",
                "intensityCode": "I1",
                "validFrom": "2026-01-01",
                "amountCents": 1000,
                "providerAgbCode": "45678901",
            }
        ]
    }
    return [
        ("POST", "/regions", {"name": "Regio Nieuw"}, {"admin"}, 201),
        (
            "POST",
            "/districts",
            {"code": "WK036309", "name": "Nieuw", "municipalityCode": "GM0363"},
            {"admin"},
            201,
        ),
        (
            "POST",
            "/teams",
            {"name": "Team", "kind": "neighbourhood", "districtCodes": ["WK036301"]},
            {"admin"},
            201,
        ),
        (
            "PUT",
            "/districts/WK036301/indicators/2030",
            {"youthPopulation": 10},
            {"admin", "municipality_officer"},
            200,
        ),
        ("POST", "/support-profiles", profile, {"purchasing_officer"}, 201),
        ("POST", "/providers", {"agbCode": "87654321", "name": "Nieuw"}, {"purchasing_officer"}, 201),
        ("POST", f"/providers/{ref.uncontracted_provider}/contracts", contract, {"purchasing_officer"}, 201),
        ("POST", "/tariffs", tariff, {"purchasing_officer"}, 201),
        ("POST", "/catalogue-imports", imported, {"purchasing_officer"}, 201),
    ]


async def test_write_role_matrix(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    mismatches = []
    for method, path, body, allowed, success in _writes(ref):
        for role in ROLES:
            response = await client.request(method, path, json=body, headers=role_headers(auth, ref, role))
            expected = success if role in allowed else 403
            if response.status_code != expected:
                mismatches.append((method, path, role, response.status_code, expected))
    assert mismatches == []


async def test_register_municipality_is_admin_only(
    client: httpx.AsyncClient, auth: Auth, ref: Reference
) -> None:
    body = {"code": "GM0014", "name": "Groningen", "regionId": str(ref.other_region_id)}
    for role in ROLES:
        response = await client.post(
            "/municipalities", json=body, headers=role_headers(auth, ref, role, "GM0014")
        )
        assert response.status_code == (201 if role == "admin" else 403), role


async def _read_paths(ref: Reference, session: AsyncSession) -> tuple[list[str], list[str]]:
    provider, contract = ref.providers[0], ref.contracts[ref.providers[0]]
    tariff = (await session.execute(select(Tariff.id).limit(1))).scalar_one()
    everyone = [
        "/regions",
        f"/regions/{ref.region_id}",
        "/municipalities",
        "/municipalities/GM0599",
        "/districts",
        "/districts/WK036301",
        "/districts/WK036301/indicators",
        "/teams",
        f"/teams/{ref.teams['GM0363']}",
        "/support-profiles",
        "/support-profiles/P02",
        "/providers",
        f"/providers/{provider}",
    ]
    purchasing = [
        f"/providers/{provider}/contracts",
        f"/providers/{provider}/contracts/{contract}",
        "/tariffs",
        f"/tariffs/{tariff}",
    ]
    return everyone, purchasing


async def test_read_role_matrix(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    everyone, purchasing = await _read_paths(ref, session)
    mismatches = []
    for role in ROLES:
        headers = role_headers(auth, ref, role)
        for path in everyone + purchasing:
            expected = 200 if path in everyone or role == "purchasing_officer" else 403
            response = await client.get(path, headers=headers)
            if response.status_code != expected:
                mismatches.append((path, role, response.status_code, expected))
    assert mismatches == []
    for path in everyone + purchasing:
        assert (await client.get(path)).status_code == 401, path
    assert (await client.get("/public/providers?municipality=GM0363")).status_code == 200


@pytest.mark.parametrize("role", ROLES)
async def test_other_municipality_is_invisible(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, role: str
) -> None:
    headers = role_headers(auth, ref, role)
    for path in ("/districts/WK059901", "/districts/WK059901/indicators", f"/teams/{ref.teams['GM0599']}"):
        assert (await client.get(path, headers=headers)).status_code == 404, path
    if role in ("admin", "municipality_officer"):
        put = await client.put(
            "/districts/WK059901/indicators/2030", json={"youthPopulation": 1}, headers=headers
        )
        assert put.status_code == 404


async def test_other_region_is_invisible_to_purchasing_officers(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    other = auth("purchasing_officer", municipality="GM0344", region=str(ref.other_region_id))
    _, purchasing = await _read_paths(ref, session)
    singles = [path for path in purchasing if path.count("/") in (2, 4)]
    assert singles == [purchasing[1], purchasing[3]]
    for path in singles:
        assert (await client.get(path, headers=other)).status_code == 404, path
    for path in ("/tariffs", purchasing[0]):
        listed = await client.get(path, headers=other)
        assert (listed.status_code, listed.json()["items"]) == (200, []), path
