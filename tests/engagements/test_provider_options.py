"""Provider options: contract coverage on the date, the tariff that applies, waiting days, capacity."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.catalogue import REGIONAL_TARIFF_CENTS
from app.models.providers import Contract, ContractProduct, Tariff
from tests.support.builders import add_engagement, build_case, nl_today, noon
from tests.support.engagements import actors, engagement_at, request
from tests.support.factories import CONTRACT_START, Reference

Auth = Callable[..., dict[str, str]]


async def _options(
    client: httpx.AsyncClient, plan: object, member: object, headers: dict[str, str], **params: str
) -> list[dict[str, Any]]:
    response = await client.get(
        f"/plans/{plan}/provider-options", params={"memberId": str(member), **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_segment_c_uses_the_providers_own_tariff(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case = await build_case(session, ref, profile_code="P11", intensity_code="I3")
    rows = await _options(client, case.plan_id, case.child_id, actors(auth, ref, case).team)
    assert {r["providerId"] for r in rows} == {str(p) for p in ref.providers}
    assert {r["tariffCents"] for r in rows} == {REGIONAL_TARIFF_CENTS["I3"] * 2}
    assert all(r["profileCode"] == "P11" and r["intensityCode"] == "I3" for r in rows)
    # give one provider a cheaper tariff from next month: today's options keep the old one
    next_month = nl_today() + timedelta(days=31)
    await session.execute(
        update(Tariff)
        .where(
            Tariff.provider_id == ref.providers[2],
            Tariff.profile_code == "P11",
            Tariff.intensity_code == "I3",
        )
        .values(valid_to=next_month - timedelta(days=1))
    )
    session.add(
        Tariff(
            region_id=ref.region_id,
            profile_code="P11",
            intensity_code="I3",
            provider_id=ref.providers[2],
            valid_from=next_month,
            amount_cents=777_000,
        )
    )
    await session.commit()
    later = await _options(
        client, case.plan_id, case.child_id, actors(auth, ref, case).team, date=next_month.isoformat()
    )
    assert {r["providerId"]: r["tariffCents"] for r in later}[str(ref.providers[2])] == 777_000
    now = await _options(client, case.plan_id, case.child_id, actors(auth, ref, case).team)
    assert {r["providerId"]: r["tariffCents"] for r in now}[str(ref.providers[2])] == REGIONAL_TARIFF_CENTS[
        "I3"
    ] * 2


async def test_only_contracts_covering_the_product_on_the_date(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case = await build_case(session, ref)
    team = actors(auth, ref, case).team
    first, second, third = ref.providers
    # the second provider's contract ended yesterday; the third no longer offers P03 × I2
    await session.execute(
        update(Contract)
        .where(Contract.id == ref.contracts[second])
        .values(valid_to=nl_today() - timedelta(days=1))
    )
    await session.execute(
        delete(ContractProduct).where(
            ContractProduct.contract_id == ref.contracts[third],
            ContractProduct.profile_code == "P03",
            ContractProduct.intensity_code == "I2",
        )
    )
    await session.commit()
    rows = await _options(client, case.plan_id, case.child_id, team)
    assert [r["providerId"] for r in rows] == [str(first)]
    # before the contract ended, the second provider was an option
    earlier = await _options(
        client, case.plan_id, case.child_id, team, date=(nl_today() - timedelta(days=2)).isoformat()
    )
    assert {r["providerId"] for r in earlier} == {str(first), str(second)}
    # and before any contract started, there are none
    assert (
        await _options(
            client, case.plan_id, case.child_id, team, date=(CONTRACT_START - timedelta(days=1)).isoformat()
        )
        == []
    )


async def test_a_municipality_outside_the_region_has_no_options_and_a_child_without_profile_404(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    case = await build_case(session, ref, municipality="GM0344")
    team = auth("district_professional", team=case.team_id, municipality="GM0344")
    assert await _options(client, case.plan_id, case.child_id, team) == []
    missing = await client.get(
        f"/plans/{case.plan_id}/provider-options", params={"memberId": str(case.parent_id)}, headers=team
    )
    assert missing.status_code == 404
    bad = await client.get(f"/plans/{case.plan_id}/provider-options", headers=team)
    assert bad.status_code == 400 and bad.json()["invalidParams"][0]["name"] == "memberId"


async def test_free_capacity_counts_running_engagements_and_sorting_puts_unknown_waits_last(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, count_statements: Any
) -> None:
    first, second, third = ref.providers
    case = await build_case(session, ref, consent_providers=[third])
    await session.execute(update(Contract).where(Contract.id == ref.contracts[third]).values(capacity=3))
    await session.commit()
    other = await build_case(session, ref)
    today = nl_today()
    for status in ("accepted", "started", "closed", "withdrawn"):
        await add_engagement(
            session,
            other,
            third,
            status=status,
            contract_id=ref.contracts[third],
            start_date=today if status in ("started", "closed") else None,
            requested_at=noon(today - timedelta(days=30)),
        )
    await add_engagement(
        session,
        other,
        first,
        contract_id=ref.contracts[first],
        start_date=today,
        requested_at=noon(today - timedelta(days=40)),
    )
    # a request under the third provider's contract does not take capacity either
    await request(client, actors(auth, ref, case).family, case, third)
    with count_statements() as counter:
        rows = await _options(client, case.plan_id, case.child_id, actors(auth, ref, case).family)
    assert [(r["providerId"], r["waitingDays"], r["freeCapacity"], r["capacity"]) for r in rows] == [
        (str(third), 30, 1, 3),
        (str(first), 40, 49, 50),
        (str(second), None, 50, 50),
    ]
    # one statement for the plan, one for all options, one for all waiting days (plus audit and session)
    selects = [s for s in counter.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 3


async def test_acceptance_freezes_the_tariff_in_force_that_day(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    provider = ref.providers[1]
    await session.execute(
        update(Contract)
        .where(Contract.id == ref.contracts[provider])
        .values(payment_model="monthly", start_share_percent=60, result_share_percent=10)
    )
    await session.commit()
    case = await build_case(
        session, ref, profile_code="P10", intensity_code="I1", consent_providers=[provider]
    )
    a = actors(auth, ref, case)
    staff = auth("provider_staff", provider=provider)
    eid = (await request(client, a.family, case, provider)).json()["id"]
    accepted = (await client.post(f"/engagements/{eid}/accept", headers=staff)).json()
    own_tariff = REGIONAL_TARIFF_CENTS["I1"] * 2  # segment C: the provider's own tariff
    assert (accepted["tariffCents"], accepted["contractId"]) == (own_tariff, str(ref.contracts[provider]))
    assert (accepted["paymentModel"], accepted["startSharePercent"], accepted["resultSharePercent"]) == (
        "monthly",
        60,
        10,
    )
    # a new tariff and contract terms afterwards do not touch the accepted engagement
    await session.execute(update(Tariff).where(Tariff.provider_id == provider).values(amount_cents=1))
    await session.execute(
        update(Contract).where(Contract.id == ref.contracts[provider]).values(payment_model="lumpsum")
    )
    await session.commit()
    again = (await client.get(f"/engagements/{eid}", headers=staff)).json()
    assert (again["tariffCents"], again["paymentModel"]) == (own_tariff, "monthly")


async def test_subcontractors_contracted_or_not(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth
) -> None:
    _, a, eid = await engagement_at("started", client, session, ref, auth)
    path = f"/engagements/{eid}/subcontracts"
    today = nl_today().isoformat()

    async def add(agb: str, name: str, scope: str, **extra: str) -> httpx.Response:
        body = {"agbCode": agb, "name": name, "scope": scope, "startDate": today, **extra}
        return await client.post(path, json=body, headers=a.provider)

    unknown = await add("98765432", "Praktijk De Brug", "Speltherapie")
    assert unknown.status_code == 201 and unknown.json()["providerId"] is None
    third_id = str(ref.providers[2])
    by_id = await add(ref.provider_agbs[2], "Aanbieder 3", "Diagnostiek", providerId=third_id, endDate=today)
    assert by_id.status_code == 201 and by_id.json()["providerId"] == str(ref.providers[2])
    wrong = await add(ref.provider_agbs[1], "X", "x", providerId=third_id, endDate="2020-01-01")
    assert wrong.status_code == 400
    assert [p["code"] for p in wrong.json()["invalidParams"]] == ["agb_mismatch", "before_start"]
    listed = (await client.get(path, headers=a.team)).json()
    assert [s["name"] for s in listed] == ["Praktijk De Brug", "Aanbieder 3"]
    third = auth("provider_staff", provider=ref.providers[2])
    assert [s["name"] for s in (await client.get(path, headers=third)).json()] == ["Aanbieder 3"]
