"""Reading the whole plan: a fixed number of SQL statements, and who may read it (providers)."""

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.models.core import AuditEvent
from app.models.engagements import Engagement, Handoff
from tests.support.families import (
    add_goal,
    agreed_plan,
    create_family,
    create_plan,
    engagement_row,
    family_body,
    member_of,
    plan_consent,
    pro,
    revised_support_profile,
)


async def test_reading_the_plan_takes_a_fixed_number_of_statements(
    client, auth, ref, count_statements
) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    _, version = await add_goal(client, team, plan["id"], 1)
    with count_statements() as few:
        response = await client.get(f"/plans/{plan['id']}", headers=team)
    assert len(response.json()["goals"]) == 1
    for domain in ["finances", "housing", "school", "parenting"] * 6:
        _, version = await add_goal(client, team, plan["id"], version, domain=domain)
    with count_statements() as many:
        response = await client.get(f"/plans/{plan['id']}", headers=team)
    assert len(response.json()["goals"]) == 25
    assert many.count == few.count
    assert few.count <= 10, few.statements


async def test_engagement_and_handoff_summaries(client, auth, ref, session) -> None:
    family, plan, version = await agreed_plan(client, auth, ref)
    profile = await revised_support_profile(client, auth, ref, family, plan["id"], version)
    engagement_id = await engagement_row(session, family, plan["id"], profile, ref.providers[0], "started")
    now = datetime.now(UTC)
    for urgency, due, status in (
        ("crisis", now - timedelta(hours=2), "open"),
        ("routine", now + timedelta(days=20), "open"),
    ):
        session.add(
            Handoff(
                municipality_code="GM0363",
                family_id=family["id"],
                plan_id=plan["id"],
                engagement_id=engagement_id,
                domain_code="finances",
                need="Schulden.",
                urgency=urgency,
                team_id=family["teamId"],
                status=status,
                raised_by="test",
                raised_by_role="provider_staff",
                due_at=due,
            )
        )
    await session.commit()
    body = (await client.get(f"/plans/{plan['id']}", headers=member_of(auth, family))).json()
    assert body["engagements"] == [
        {
            "id": str(engagement_id),
            "memberId": profile["memberId"],
            "providerId": str(ref.providers[0]),
            "profileCode": "P01",
            "intensityCode": "I1",
            "status": "started",
            "transition18Due": False,
            "adultDate": None,
        }
    ]
    assert body["transition18Due"] is False
    assert [(h["urgency"], h["status"], h["overdue"], h["domainCode"]) for h in body["handoffs"]] == [
        ("crisis", "open", True, "finances"),
        ("routine", "open", False, "finances"),
    ]
    assert "need" not in body["handoffs"][0]


async def test_provider_reads_the_plan_only_as_main_contractor_under_consent(
    client, auth, ref, session
) -> None:
    family, plan, version = await agreed_plan(client, auth, ref)
    profile = await revised_support_profile(client, auth, ref, family, plan["id"], version)
    provider, other_provider = ref.providers[0], ref.providers[1]
    staff = auth("provider_staff", provider=provider)
    path = f"/plans/{plan['id']}"
    engagement_id = await engagement_row(session, family, plan["id"], profile, provider, "requested")
    parent = member_of(auth, family)
    consents = f"/families/{family['id']}/consents"
    consent = await client.post(consents, json=plan_consent(provider, family["members"][0]), headers=parent)
    assert consent.status_code == 201
    # a mere request does not make the provider main contractor
    assert (await client.get(path, headers=staff)).status_code == 404
    stored = await session.get(Engagement, engagement_id)
    stored.status = "accepted"
    await session.commit()
    response = await client.get(path, headers=staff)
    assert response.status_code == 200
    assert response.json()["id"] == plan["id"]
    assert (await client.get(f"{path}/versions/{version}", headers=staff)).status_code == 200
    # another provider, another municipality: nothing
    assert (
        await client.get(path, headers=auth("provider_staff", provider=other_provider))
    ).status_code == 404
    assert (
        await client.get(path, headers=auth("provider_staff", provider=provider, municipality="GM0599"))
    ).status_code == 404
    # providers never change the plan
    patch = await client.patch(path, json={"summary": "x"}, headers={**staff, "If-Match": f'"{version}"'})
    assert patch.status_code == 403
    # withdrawal takes effect at once
    withdrawn = await client.delete(
        f"/families/{family['id']}/consents/{consent.json()['id']}", headers=parent
    )
    assert withdrawn.status_code == 204
    assert (await client.get(path, headers=staff)).status_code == 404
    # a consent that has run out does not count either
    until_today = plan_consent(provider, family["members"][0], validTo=date.today().isoformat())
    lapsed = await client.post(consents, json=until_today, headers=parent)
    assert lapsed.status_code == 201
    assert (await client.get(path, headers=staff)).status_code == 200
    from app.models.referrals import Consent

    row = await session.get(Consent, uuid.UUID(lapsed.json()["id"]))
    row.valid_to = date.today() - timedelta(days=1)
    await session.commit()
    assert (await client.get(path, headers=staff)).status_code == 404


async def test_every_plan_read_is_audited(client, auth, ref, session) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    await client.get(f"/plans/{plan['id']}", headers=member_of(auth, family))
    await client.get(f"/families/{family['id']}/plans", headers=team)
    rows = (
        await session.execute(
            select(AuditEvent.role, AuditEvent.action, AuditEvent.resource_type, AuditEvent.resource_id)
            .where(AuditEvent.action == "read")
            .order_by(AuditEvent.occurred_at)
        )
    ).all()
    assert [tuple(r) for r in rows] == [
        ("family_member", "read", "plan", plan["id"]),
        ("district_professional", "read", "plan", None),
    ]
