"""Consent to share the plan with a named provider: grant, list, withdraw (DESIGN §10)."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from app.models.core import OutboxEvent
from app.models.referrals import Consent
from tests.support.families import create_family, family_body, member_of, plan_consent, pro, years_ago


def consent_body(ref: Any, member: dict, **extra: Any) -> dict[str, Any]:
    return plan_consent(ref.providers[0], member, **extra)


async def test_family_member_grants_and_withdraws(client, auth, ref, session) -> None:
    family = await create_family(client, pro(auth, ref), family_body(ref))
    parent = family["members"][0]
    base = f"/families/{family['id']}/consents"
    response = await client.post(base, json=consent_body(ref, parent), headers=member_of(auth, family))
    assert response.status_code == 201, response.text
    consent = response.json()
    assert response.headers["Location"] == f"/api/v1{base}/{consent['id']}"
    assert (consent["active"], consent["providerId"], consent["validTo"], consent["withdrawnAt"]) == (
        True,
        str(ref.providers[0]),
        None,
        None,
    )
    again = await client.post(base, json=consent_body(ref, parent), headers=member_of(auth, family))
    assert (again.status_code, again.json()["code"]) == (409, "consent_exists")
    assert again.json()["existing"] == f"/api/v1{base}/{consent['id']}"
    listed = (await client.get(base, headers=pro(auth, ref))).json()["items"]
    assert [(c["id"], c["active"]) for c in listed] == [(consent["id"], True)]
    withdrawn = await client.delete(f"{base}/{consent['id']}", headers=member_of(auth, family))
    assert withdrawn.status_code == 204
    assert (
        await client.delete(f"{base}/{consent['id']}", headers=member_of(auth, family))
    ).status_code == 204
    read = (await client.get(f"{base}/{consent['id']}", headers=member_of(auth, family))).json()
    assert (read["active"], read["withdrawnAt"] is not None) == (False, True)
    types = (await session.execute(select(OutboxEvent.type).order_by(OutboxEvent.sequence))).scalars().all()
    assert [t.removeprefix("nl.perspectief.") for t in types] == [
        "family.created",
        "consent.granted",
        "consent.withdrawn",
    ]
    data = (
        (await session.execute(select(OutboxEvent.data).order_by(OutboxEvent.sequence.desc())))
        .scalars()
        .first()
    )
    assert data == {
        "id": consent["id"],
        "familyId": family["id"],
        "providerId": str(ref.providers[0]),
        "scope": "share_plan_with_provider",
    }
    # after withdrawal a new consent may be granted
    assert (
        await client.post(base, json=consent_body(ref, parent), headers=member_of(auth, family))
    ).status_code == 201


async def test_who_may_grant(client, auth, ref, session) -> None:
    body = family_body(ref)
    body["members"].append(
        {"role": "child", "givenName": "Sem", "familyName": "de Vries", "birthDate": years_ago(17)}
    )
    family = await create_family(client, pro(auth, ref), body)
    parent, young, teen = family["members"]
    base = f"/families/{family['id']}/consents"
    # a family member grants only for itself
    for_other = await client.post(base, json=consent_body(ref, teen), headers=member_of(auth, family))
    assert for_other.status_code == 403
    as_young = auth("family_member", family=family["id"], member=young["id"])
    assert (await client.post(base, json=consent_body(ref, young), headers=as_young)).status_code == 403
    as_teen = auth("family_member", family=family["id"], member=teen["id"])
    assert (await client.post(base, json=consent_body(ref, teen), headers=as_teen)).status_code == 201
    # the team records a parent's consent;
    # an ineligible grantor, an unknown provider and a past date are 400 at once
    bad = await client.post(
        base,
        json={
            **consent_body(ref, young),
            "providerId": str(family["id"]),
            "validTo": (date.today() - timedelta(days=1)).isoformat(),
        },
        headers=pro(auth, ref),
    )
    assert bad.status_code == 400
    assert {(p["name"], p["code"]) for p in bad.json()["invalidParams"]} == {
        ("grantedByMemberId", "not_eligible"),
        ("providerId", "unknown_provider"),
        ("validTo", "in_past"),
    }
    recorded = await client.post(
        base, json=consent_body(ref, parent, providerId=str(ref.providers[1])), headers=pro(auth, ref)
    )
    assert recorded.status_code == 201
    assert (await session.execute(select(func.count()).select_from(Consent))).scalar_one() == 2
    wrong_scope = await client.post(
        base, json={**consent_body(ref, parent), "scope": "all"}, headers=pro(auth, ref)
    )
    assert wrong_scope.status_code == 400


async def test_consents_are_scoped_to_the_family(client, auth, ref, session) -> None:
    family = await create_family(client, pro(auth, ref), family_body(ref))
    other = await create_family(client, pro(auth, ref), family_body(ref))
    base = f"/families/{family['id']}/consents"
    granted = await client.post(
        base, json=consent_body(ref, family["members"][0]), headers=member_of(auth, family)
    )
    consent_id = granted.json()["id"]
    assert (await client.get(base, headers=member_of(auth, other))).status_code == 404
    assert (await client.delete(f"{base}/{consent_id}", headers=member_of(auth, other))).status_code == 404
    other_base = f"/families/{other['id']}/consents"
    assert (await client.delete(f"{other_base}/{consent_id}", headers=pro(auth, ref))).status_code == 404
    assert (await client.get(base, headers=pro(auth, ref, team=ref.second_team))).status_code == 404
    assert (await client.get(base, headers=pro(auth, ref, municipality="GM0599"))).status_code == 404
    staff = auth("provider_staff", provider=ref.providers[0])
    assert (await client.get(base, headers=staff)).status_code == 403
    # a grantor from another family is unknown here
    foreign = await client.post(base, json=consent_body(ref, other["members"][0]), headers=pro(auth, ref))
    assert foreign.json()["invalidParams"][0]["code"] == "unknown_member"
    stored = await session.get(Consent, consent_id)
    assert stored.withdrawn_at is None
