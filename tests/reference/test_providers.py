"""The provider register and contracts over HTTP."""

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.providers import Contract, ContractProduct
from tests.support.factories import Reference

Auth = Callable[..., dict[str, str]]

CONTRACT = {
    "validFrom": "2026-01-01",
    "validTo": "2027-12-31",
    "paymentModel": "milestone",
    "capacity": 12,
    "products": [
        {"profileCode": "P03", "intensityCode": "I1"},
        {"profileCode": "P03", "intensityCode": "I2"},
    ],
}


def purchaser(auth: Auth, ref: Reference, *, other: bool = False) -> dict[str, str]:
    region = ref.other_region_id if other else ref.region_id
    return auth("purchasing_officer", region=str(region), municipality="GM0344" if other else "GM0363")


async def test_register_and_read_a_provider(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    created = await client.post(
        "/providers",
        json={"agbCode": "98765432", "name": "Jeugdhulp Noord", "municipalities": ["GM0363", "GM0599"]},
        headers=purchaser(auth, ref),
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["agbCode"], body["name"], body["municipalities"]) == (
        "98765432",
        "Jeugdhulp Noord",
        ["GM0363", "GM0599"],
    )
    assert created.headers["location"] == f"/api/v1/providers/{body['id']}"

    staff = auth("provider_staff", provider=body["id"])
    fetched = await client.get(f"/providers/{body['id']}", headers=staff)
    assert fetched.status_code == 200
    assert fetched.json() == body

    by_agb = await client.get("/providers?agbCode=98765432", headers=staff)
    assert [p["id"] for p in by_agb.json()["items"]] == [body["id"]]
    serving = await client.get("/providers?municipality=GM0599", headers=staff)
    assert [p["agbCode"] for p in serving.json()["items"]] == ["12345678", "23456789", "34567890", "98765432"]


async def test_provider_input_is_checked(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    headers = purchaser(auth, ref)
    for agb in ("1234567", "123456789", "1234567a"):
        bad = await client.post("/providers", json={"agbCode": agb, "name": "X"}, headers=headers)
        assert bad.status_code == 400
        assert bad.json()["invalidParams"][0]["name"] == "agbCode"
    duplicate = await client.post(
        "/providers", json={"agbCode": "12345678", "name": "Dubbel"}, headers=headers
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate_provider"
    assert duplicate.json()["existing"] == f"/api/v1/providers/{ref.providers[0]}"
    unknown = await client.post(
        "/providers",
        json={"agbCode": "11112222", "name": "X", "municipalities": ["GM0363", "GM9999"]},
        headers=headers,
    )
    assert unknown.status_code == 400
    assert unknown.json()["invalidParams"] == [
        {
            "name": "municipalities[1]",
            "code": "unknown_municipality",
            "reason": "This municipality is not registered.",
        }
    ]


async def test_create_and_read_a_contract(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    provider = ref.uncontracted_provider
    created = await client.post(
        f"/providers/{provider}/contracts", json=CONTRACT, headers=purchaser(auth, ref)
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["regionId"] == str(ref.region_id)
    assert body["startSharePercent"] == 70
    assert body["completionOnDropout"] is False
    assert body["resultSharePercent"] is None
    assert body["products"] == CONTRACT["products"]
    assert created.headers["location"] == f"/api/v1/providers/{provider}/contracts/{body['id']}"

    listed = await client.get(f"/providers/{provider}/contracts", headers=purchaser(auth, ref))
    assert listed.json()["items"] == [body]
    one = await client.get(f"/providers/{provider}/contracts/{body['id']}", headers=purchaser(auth, ref))
    assert one.json() == body
    products = (
        await session.execute(
            select(func.count()).select_from(ContractProduct).where(ContractProduct.contract_id == body["id"])
        )
    ).scalar_one()
    assert products == 2


async def test_contract_rules_list_every_problem(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    body = CONTRACT | {
        "validTo": "2025-12-31",
        "paymentModel": "lumpsum",
        "products": [
            {"profileCode": "P03", "intensityCode": "I1"},
            {"profileCode": "P42", "intensityCode": "I1"},
            {"profileCode": "P03", "intensityCode": "I1"},
            {"profileCode": "P55", "intensityCode": "I3"},
        ],
    }
    response = await client.post(
        f"/providers/{ref.uncontracted_provider}/contracts", json=body, headers=purchaser(auth, ref)
    )
    assert response.status_code == 400
    assert [(p["name"], p["code"]) for p in response.json()["invalidParams"]] == [
        ("validTo", "invalid_period"),
        ("lumpsumPeriodCents", "required"),
        ("products[1]", "unknown_product"),
        ("products[2]", "duplicate"),
        ("products[3]", "unknown_product"),
    ]
    assert "P42/I1" in response.json()["invalidParams"][2]["reason"]
    not_lumpsum = await client.post(
        f"/providers/{ref.uncontracted_provider}/contracts",
        json=CONTRACT | {"lumpsumPeriodCents": 1000},
        headers=purchaser(auth, ref),
    )
    assert [p["code"] for p in not_lumpsum.json()["invalidParams"]] == ["not_applicable"]
    lumpsum = await client.post(
        f"/providers/{ref.uncontracted_provider}/contracts",
        json=CONTRACT | {"paymentModel": "lumpsum", "lumpsumPeriodCents": 2_500_000},
        headers=purchaser(auth, ref),
    )
    assert lumpsum.status_code == 201
    contracts = (
        await session.execute(
            select(func.count())
            .select_from(Contract)
            .where(Contract.provider_id == ref.uncontracted_provider)
        )
    ).scalar_one()
    assert contracts == 1


async def test_contracts_are_confined_to_the_region(
    client: httpx.AsyncClient, auth: Auth, ref: Reference
) -> None:
    provider = ref.providers[0]
    contract = ref.contracts[provider]
    other = purchaser(auth, ref, other=True)
    assert (await client.get(f"/providers/{provider}/contracts/{contract}", headers=other)).status_code == 404
    assert (await client.get(f"/providers/{provider}/contracts", headers=other)).json()["items"] == []
    # the right provider id is needed as well
    wrong_provider = await client.get(
        f"/providers/{ref.providers[1]}/contracts/{contract}", headers=purchaser(auth, ref)
    )
    assert wrong_provider.status_code == 404

    elsewhere = await client.post(
        f"/providers/{provider}/contracts",
        json=CONTRACT | {"regionId": str(ref.other_region_id)},
        headers=purchaser(auth, ref),
    )
    assert elsewhere.status_code == 403
    assert elsewhere.json()["code"] == "other_region"
    unknown = await client.post(
        "/providers/00000000-0000-0000-0000-000000000001/contracts",
        json=CONTRACT,
        headers=purchaser(auth, ref),
    )
    assert unknown.status_code == 404

    own = await client.get(f"/providers/{provider}/contracts", headers=purchaser(auth, ref))
    assert [c["id"] for c in own.json()["items"]] == [str(contract)]
    assert len(own.json()["items"][0]["products"]) == 40


async def test_contract_list_loads_products_in_one_query(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, count_statements: Any
) -> None:
    provider = ref.uncontracted_provider
    for year in (2026, 2028, 2030):
        body = CONTRACT | {"validFrom": f"{year}-01-01", "validTo": f"{year + 1}-12-31"}
        assert (
            await client.post(f"/providers/{provider}/contracts", json=body, headers=purchaser(auth, ref))
        ).status_code == 201
    with count_statements() as counter:
        first = await client.get(f"/providers/{provider}/contracts?pageSize=2", headers=purchaser(auth, ref))
    assert [c["validFrom"] for c in first.json()["items"]] == ["2026-01-01", "2028-01-01"]
    assert len([s for s in counter.statements if "FROM contract_products" in s]) == 1
    second = await client.get(
        f"/providers/{provider}/contracts?pageSize=2&cursor={first.json()['nextCursor']}",
        headers=purchaser(auth, ref),
    )
    assert [c["validFrom"] for c in second.json()["items"]] == ["2030-01-01"]
