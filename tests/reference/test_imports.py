"""Catalogue imports: CSV and JSON, all or nothing, every problem reported per row."""

from collections.abc import Callable

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.catalogue import ProfileIntensity, SupportProfile
from app.models.providers import Contract, ContractProduct, Tariff
from tests.support.factories import Reference

Auth = Callable[..., dict[str, str]]

COLUMNS = (
    "kind,profileCode,profileName,segment,intensityCode,intensityName,maxMonths,"
    "providerAgbCode,validFrom,validTo,amountCents,paymentModel"
)
VALID_CSV = (
    COLUMNS
    + """,capacity,products
profile,P12,Hechting,B,I1,Licht,3,,,,,,,
profile,P12,Hechting,B,I2,Middel,6,,,,,,,
profile,P13,Multiprobleem plus,C,I1,Licht,3,,,,,,,
tariff,P12,,,I1,,,,2026-01-01,,155000,,,
tariff,P12,,,I2,,,,2026-01-01,2026-12-31,430000,,,
tariff,P12,,,I2,,,,2027-01-01,,440000,,,
tariff,P13,,,I1,,,45678901,2026-01-01,,300000,,,
contract,,,,,,,45678901,2026-01-01,2027-12-31,,monthly,10,P12:I1 P12:I2 P13:I1 P02:I4
"""
)


def purchaser(auth: Auth, ref: Reference) -> dict[str, str]:
    return auth("purchasing_officer", region=str(ref.region_id))


async def _count(session: AsyncSession, model: type, *where: object) -> int:
    return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def _snapshot(session: AsyncSession) -> tuple[int, ...]:
    return (
        await _count(session, SupportProfile),
        await _count(session, ProfileIntensity),
        await _count(session, Tariff),
        await _count(session, Contract),
        await _count(session, ContractProduct),
    )


async def test_valid_csv_is_imported(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    response = await client.post(
        "/catalogue-imports",
        content=VALID_CSV.encode(),
        headers=purchaser(auth, ref) | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"rows": 8, "profiles": 2, "intensities": 3, "tariffs": 4, "contracts": 1}

    profile = await client.get("/support-profiles/P12", headers=auth("integration"))
    assert [(i["code"], i["maxMonths"]) for i in profile.json()["intensities"]] == [("I1", 3), ("I2", 6)]
    provider_tariff = (await session.execute(select(Tariff).where(Tariff.profile_code == "P13"))).scalar_one()
    assert (provider_tariff.provider_id, provider_tariff.amount_cents, provider_tariff.region_id) == (
        ref.uncontracted_provider,
        300000,
        ref.region_id,
    )
    contract = (
        await session.execute(select(Contract).where(Contract.provider_id == ref.uncontracted_provider))
    ).scalar_one()
    assert (contract.payment_model, contract.capacity, contract.start_share_percent) == ("monthly", 10, 70)
    assert await _count(session, ContractProduct, ContractProduct.contract_id == contract.id) == 4


async def test_json_import_as_a_multipart_file(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    document = {
        "rows": [
            {
                "kind": "tariff",
                "profileCode": "P10",
                "intensityCode": "I1",
                "providerAgbCode": "45678901",
                "validFrom": "2026-01-01",
                "amountCents": 310000,
            },
            {
                "kind": "contract",
                "providerAgbCode": "45678901",
                "validFrom": "2026-01-01",
                "paymentModel": "lumpsum",
                "lumpsumPeriodCents": 2500000,
                "completionOnDropout": True,
                "products": [{"profileCode": "P10", "intensityCode": "I1"}],
            },
        ]
    }
    import json

    files = {"file": ("catalogus.json", json.dumps(document).encode(), "application/octet-stream")}
    response = await client.post("/catalogue-imports", files=files, headers=purchaser(auth, ref))
    assert response.status_code == 201, response.text
    assert response.json() == {"rows": 2, "profiles": 0, "intensities": 0, "tariffs": 1, "contracts": 1}
    contract = (
        await session.execute(select(Contract).where(Contract.provider_id == ref.uncontracted_provider))
    ).scalar_one()
    assert (contract.payment_model, contract.lumpsum_period_cents, contract.completion_on_dropout) == (
        "lumpsum",
        2500000,
        True,
    )


async def test_json_body_import(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    rows = [
        {
            "kind": "profile",
            "profileCode": "P12",
            "profileName": "Nieuw",
            "segment": "A",
            "intensityCode": "I1",
            "intensityName": "Licht",
            "maxMonths": 2,
        },
        {
            "kind": "tariff",
            "profileCode": "P12",
            "intensityCode": "I1",
            "validFrom": "2026-01-01",
            "amountCents": 50000,
        },
    ]
    response = await client.post("/catalogue-imports", json={"rows": rows}, headers=purchaser(auth, ref))
    assert response.status_code == 201, response.text
    assert response.json()["tariffs"] == 1
    assert await _count(session, Tariff, Tariff.profile_code == "P12", Tariff.region_id == ref.region_id) == 1


BAD_CSV = (
    COLUMNS.replace(",", ";")
    + """;products
profile;P12;Hechting;B;I1;Licht;3;;;;;;
profile;P12;Andere naam;B;I1;Licht;3;;;;;;
profile;P02;Bestaat al;B;I1;Licht;3;;;;;;
tariff;P02;;;I1;;;;2030-01-01;;100;;
tariff;P12;;;I1;;;;2026-01-01;;0;;
tariff;P12;;;I1;;;;2026-01-01;;155000;;
tariff;P12;;;I1;;;;2026-06-01;;155000;;
tariff;P10;;;I1;;;;2026-01-01;;155000;;
contract;;;;;;;99999999;2026-01-01;2025-01-01;;milestone;P12:I1 P77:I1
contract;;;;;;;45678901;2026-01-01;;;weekly;P12-I1
verzin;;;;;;;;;;;;
"""
)


async def test_bad_rows_are_all_reported_and_nothing_is_written(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    before = await _snapshot(session)
    response = await client.post(
        "/catalogue-imports",
        content=BAD_CSV.encode(),
        headers=purchaser(auth, ref) | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 400, response.text
    errors = [(e["row"], e["name"], e["code"]) for e in response.json()["rowErrors"]]
    assert errors == [
        (2, "profileName", "inconsistent"),
        (2, "intensityCode", "duplicate"),
        (3, "profileCode", "duplicate_support_profile"),
        (4, "validFrom", "tariff_overlap"),
        (5, "amountCents", "greater_than"),
        (7, "validFrom", "tariff_overlap"),
        (8, "providerAgbCode", "required"),
        (9, "providerAgbCode", "unknown_provider"),
        (9, "validTo", "invalid_period"),
        (9, "products[1]", "unknown_product"),
        (10, "products", "invalid_product"),
        (10, "paymentModel", "enum"),
        (11, "kind", "unknown_kind"),
    ]
    reasons = {(e["row"], e["name"]): e["reason"] for e in response.json()["rowErrors"]}
    assert reasons[(7, "validFrom")] == "Overlaps the tariff of row 6."
    assert reasons[(4, "validFrom")].startswith("Overlaps /api/v1/tariffs/")
    assert response.json()["invalidParams"][0]["name"] == "rows[2].profileName"
    assert await _snapshot(session) == before


async def test_a_single_bad_row_rolls_back_the_valid_ones(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    before = await _snapshot(session)
    broken = VALID_CSV + "tariff,P12,,,I3,,,,2026-01-01,,1000,,,\n"
    response = await client.post(
        "/catalogue-imports",
        content=broken.encode(),
        headers=purchaser(auth, ref) | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 400
    assert [(e["row"], e["name"], e["code"]) for e in response.json()["rowErrors"]] == [
        (9, "intensityCode", "unknown_intensity")
    ]
    assert await _snapshot(session) == before


async def test_document_level_problems(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    headers = purchaser(auth, ref)
    unknown_column = await client.post(
        "/catalogue-imports",
        content=b"kind,colour\ntariff,red\n",
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert [(e["row"], e["name"], e["code"]) for e in unknown_column.json()["rowErrors"]] == [
        (0, "colour", "unknown_column")
    ]
    not_utf8 = await client.post(
        "/catalogue-imports",
        content="kind\nprofile é".encode("latin-1"),
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert not_utf8.json()["rowErrors"][0]["code"] == "invalid_encoding"
    empty = await client.post("/catalogue-imports", json={"rows": []}, headers=headers)
    assert empty.status_code == 400
    assert empty.json()["rowErrors"][0]["code"] == "required"
    wrong_shape = await client.post("/catalogue-imports", json=[{"kind": "tariff"}], headers=headers)
    assert wrong_shape.json()["rowErrors"][0]["code"] == "invalid_document"
    xml = await client.post(
        "/catalogue-imports", content=b"<rows/>", headers=headers | {"Content-Type": "application/xml"}
    )
    assert xml.status_code == 415
    no_file = await client.post("/catalogue-imports", files={"other": ("x.csv", b"kind\n")}, headers=headers)
    assert no_file.status_code == 400


async def test_only_purchasing_officers_import(client: httpx.AsyncClient, auth: Auth, ref: Reference) -> None:
    response = await client.post(
        "/catalogue-imports", content=VALID_CSV.encode(), headers=auth("admin") | {"Content-Type": "text/csv"}
    )
    assert response.status_code == 403


async def test_import_names_the_ijw_product(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, session: AsyncSession
) -> None:
    profile = {"kind": "profile", "profileCode": "P12", "profileName": "Nieuw", "segment": "B"}
    rows = [
        profile
        | {"intensityCode": "I1", "intensityName": "Licht", "maxMonths": 2, "ijwCategory": "45"}
        | {"ijwCode": "45A01"},
        profile | {"intensityCode": "I2", "intensityName": "Middel", "maxMonths": 4},
    ]
    half = [rows[0] | {"ijwCode": None}]
    refused = await client.post("/catalogue-imports", json={"rows": half}, headers=purchaser(auth, ref))
    assert refused.status_code == 400
    assert [(e["row"], e["name"], e["code"]) for e in refused.json()["rowErrors"]] == [
        (1, "ijwCode", "incomplete")
    ]
    response = await client.post("/catalogue-imports", json={"rows": rows}, headers=purchaser(auth, ref))
    assert response.status_code == 201, response.text
    read = await client.get("/support-profiles/P12", headers=auth("integration"))
    assert [i["ijwProduct"] for i in read.json()["intensities"]] == [
        {"category": "45", "code": "45A01"},
        {"category": "50", "code": "P12I2"},
    ]
