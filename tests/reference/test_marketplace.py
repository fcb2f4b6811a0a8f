"""The public care marketplace: no token, contracted providers, products, waiting days."""

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.engagements import Engagement
from app.models.families import Family, FamilyMember
from app.models.plans import Plan, PlanSupportProfile
from app.models.providers import Contract, ContractProduct
from app.services.platform.clock import today as local_today
from tests.support.builders import member
from tests.support.factories import Reference

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


async def _family_child(session: AsyncSession, ref: Reference) -> tuple[Family, FamilyMember, Plan]:
    family = Family(municipality_code="GM0363", district_code="WK036301", team_id=ref.teams["GM0363"])
    session.add(family)
    await session.flush()
    child = member(family, "child", "Test", date(2015, 5, 1), surname="Kind")
    plan = Plan(family_id=family.id, municipality_code="GM0363", status="active", created_by="test")
    session.add_all([child, plan])
    await session.flush()
    return family, child, plan


async def _started(
    session: AsyncSession,
    ref: Reference,
    provider_id: uuid.UUID,
    *,
    waited: int,
    started_days_ago: int,
    profile_code: str = "P03",
) -> None:
    """An engagement requested ``waited`` days before it started, ``started_days_ago`` days ago."""
    family, child, plan = await _family_child(session, ref)
    profile = PlanSupportProfile(
        plan_id=plan.id,
        member_id=child.id,
        profile_code=profile_code,
        intensity_code="I2",
        problem_description="x",
    )
    session.add(profile)
    await session.flush()
    start = local_today() - timedelta(days=started_days_ago)
    session.add(
        Engagement(
            municipality_code="GM0363",
            family_id=family.id,
            plan_id=plan.id,
            member_id=child.id,
            plan_support_profile_id=profile.id,
            district_code="WK036301",
            team_id=ref.teams["GM0363"],
            profile_code=profile_code,
            intensity_code="I2",
            provider_id=provider_id,
            status="started",
            requested_by="test",
            requested_at=datetime.combine(start - timedelta(days=waited), time(12), AMSTERDAM),
            start_date=start,
        )
    )
    await session.flush()


async def test_marketplace_lists_contracted_providers_without_a_token(
    client: httpx.AsyncClient, ref: Reference
) -> None:
    response = await client.get("/public/providers?municipality=GM0599&profileCode=P03&intensityCode=I2")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "public, max-age=60"
    items = response.json()["items"]
    assert [(p["providerId"], p["agbCode"], p["name"]) for p in items] == [
        (str(ref.providers[0]), "12345678", "Aanbieder 1"),
        (str(ref.providers[1]), "23456789", "Aanbieder 2"),
        (str(ref.providers[2]), "34567890", "Aanbieder 3"),
    ]
    assert len(items[0]["products"]) == 40  # P02..P11 × I1..I4
    assert items[0]["products"][0] == {"profileCode": "P02", "intensityCode": "I1"}
    assert all(p["waitingDays"] is None for p in items)
    assert set(items[0]) == {"providerId", "agbCode", "name", "products", "waitingDays"}

    segment_a = await client.get("/public/providers?municipality=GM0363&profileCode=P01")
    assert segment_a.json()["items"] == []  # no contract covers P01
    other_region = await client.get("/public/providers?municipality=GM0344")
    assert other_region.json()["items"] == []


async def test_waiting_days_are_the_median_of_the_last_90_days(
    client: httpx.AsyncClient, ref: Reference, session: AsyncSession
) -> None:
    first, second = ref.providers[0], ref.providers[1]
    for waited in (4, 10, 20):
        await _started(session, ref, first, waited=waited, started_days_ago=5)
    await _started(session, ref, first, waited=80, started_days_ago=120)  # outside the window
    await _started(session, ref, second, waited=30, started_days_ago=3, profile_code="P04")
    await session.commit()

    for_p03 = await client.get("/public/providers?municipality=GM0363&profileCode=P03")
    waiting = {p["providerId"]: p["waitingDays"] for p in for_p03.json()["items"]}
    assert waiting == {str(first): 10, str(second): None, str(ref.providers[2]): None}

    any_product = await client.get("/public/providers?municipality=GM0363")
    waiting = {p["providerId"]: p["waitingDays"] for p in any_product.json()["items"]}
    assert waiting[str(first)] == 10
    assert waiting[str(second)] == 30


async def test_only_contracts_valid_today_in_the_region_count(
    client: httpx.AsyncClient, ref: Reference, session: AsyncSession
) -> None:
    today = local_today()
    provider = ref.uncontracted_provider
    contracts = [
        Contract(
            provider_id=provider,
            region_id=ref.region_id,
            valid_from=today - timedelta(days=400),
            valid_to=today - timedelta(days=1),
            payment_model="milestone",
        ),
        Contract(
            provider_id=provider,
            region_id=ref.region_id,
            valid_from=today + timedelta(days=1),
            payment_model="milestone",
        ),
        Contract(
            provider_id=provider,
            region_id=ref.other_region_id,
            valid_from=today - timedelta(days=1),
            valid_to=today,
            payment_model="monthly",
        ),
    ]
    session.add_all(contracts)
    await session.flush()
    session.add_all(
        [ContractProduct(contract_id=c.id, profile_code="P05", intensity_code="I1") for c in contracts]
    )
    await session.commit()

    here = await client.get("/public/providers?municipality=GM0363&profileCode=P05&intensityCode=I1")
    assert str(provider) not in {p["providerId"] for p in here.json()["items"]}
    there = await client.get("/public/providers?municipality=GM0344&profileCode=P05&intensityCode=I1")
    assert [(p["providerId"], p["products"]) for p in there.json()["items"]] == [
        (str(provider), [{"profileCode": "P05", "intensityCode": "I1"}])
    ]
    assert (
        await client.get("/public/providers?municipality=GM0344&profileCode=P05&intensityCode=I2")
    ).json()["items"] == []


async def test_marketplace_pages_and_validates(client: httpx.AsyncClient, ref: Reference) -> None:
    first = await client.get("/public/providers?municipality=GM0363&pageSize=2")
    assert len(first.json()["items"]) == 2
    rest = await client.get(
        f"/public/providers?municipality=GM0363&pageSize=2&cursor={first.json()['nextCursor']}"
    )
    assert [p["name"] for p in rest.json()["items"]] == ["Aanbieder 3"]
    assert rest.json()["nextCursor"] is None

    unknown = await client.get("/public/providers?municipality=GM9999")
    assert unknown.status_code == 400
    assert unknown.json()["invalidParams"][0]["code"] == "unknown_municipality"
    missing = await client.get("/public/providers")
    assert missing.status_code == 400
    assert missing.json()["invalidParams"][0]["name"] == "municipality"


async def test_openapi_documents_the_marketplace_as_public(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/public/providers"]["get"]
    assert operation["security"] == []
    assert {p["name"] for p in operation["parameters"]} >= {"municipality", "profileCode", "intensityCode"}
