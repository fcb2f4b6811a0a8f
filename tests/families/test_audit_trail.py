"""The family's own access trail: who read or changed its data (DESIGN §10)."""

from sqlalchemy import select

from app.models.core import AuditEvent
from tests.support.families import create_family, create_plan, family_body, member_of, pro


async def test_the_family_reads_who_accessed_its_file(client, auth, ref, session) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    other = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    await client.get(f"/plans/{plan['id']}", headers=team)
    await client.get(f"/families/{other['id']}", headers=team)
    response = await client.get(f"/families/{family['id']}/audit-events", headers=member_of(auth, family))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(e["action"], e["resourceType"], e["role"]) for e in items] == [
        ("read", "plan", "district_professional"),
        ("create", "plan", "district_professional"),
        ("create", "family", "district_professional"),
    ]
    assert items[0]["subject"] == "test-district_professional"
    assert items[0]["organisation"] == f"team:{ref.teams['GM0363']}"
    # reading the trail is itself recorded
    recorded = (
        (
            await session.execute(
                select(AuditEvent.resource_type).where(AuditEvent.resource_type == "audit-events")
            )
        )
        .scalars()
        .all()
    )
    assert recorded == ["audit-events"]
    page = await client.get(f"/families/{family['id']}/audit-events", params={"pageSize": 2}, headers=team)
    assert [(e["resourceType"], e["role"]) for e in page.json()["items"]] == [
        ("audit-events", "family_member"),
        ("plan", "district_professional"),
    ]
    rest = await client.get(
        f"/families/{family['id']}/audit-events",
        params={"pageSize": 2, "cursor": page.json()["nextCursor"]},
        headers=team,
    )
    assert [(e["action"], e["resourceType"]) for e in rest.json()["items"]] == [
        ("create", "plan"),
        ("create", "family"),
    ]
    assert rest.json()["nextCursor"] is None
    # another family, another team, other roles
    assert (
        await client.get(f"/families/{family['id']}/audit-events", headers=member_of(auth, other))
    ).status_code == 404
    other_team = pro(auth, ref, team=ref.second_team)
    assert (await client.get(f"/families/{family['id']}/audit-events", headers=other_team)).status_code == 404
    assert (
        await client.get(f"/families/{family['id']}/audit-events", headers=auth("admin"))
    ).status_code == 403
