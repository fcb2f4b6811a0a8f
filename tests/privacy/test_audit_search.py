"""The admin's audit search: filters, keyset pages, confined to its municipality, itself audited."""

from tests.support.builders import build_case
from tests.support.privacy import query


async def test_search_filters_pages_and_is_audited(client, auth, ref, session, app) -> None:
    case = await build_case(session, ref)
    other = await build_case(session, ref)
    team = auth("district_professional", team=case.team_id, sub="pro-1")
    for _ in range(3):
        await client.get(f"/plans/{case.plan_id}", headers=team)
    await client.get(
        f"/plans/{other.plan_id}", headers=auth("district_professional", team=other.team_id, sub="pro-2")
    )
    await client.get(
        f"/plans/{case.plan_id}", headers=auth("district_professional", team=ref.second_team, sub="nosy")
    )
    admin = auth("admin", sub="auditor")

    r = await client.get("/audit-events", params={"familyId": str(case.family_id)}, headers=admin)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [(e["subject"], e["action"], e["resourceType"]) for e in items] == [("pro-1", "read", "plan")] * 3
    assert [e["occurredAt"] for e in items] == sorted((e["occurredAt"] for e in items), reverse=True)

    denied = (await client.get("/audit-events", params={"subject": "nosy"}, headers=admin)).json()["items"]
    assert [(e["outcome"], e["resourceId"]) for e in denied] == [("denied", str(case.plan_id))]
    by_type = (
        await client.get("/audit-events", params={"resourceType": "plan", "action": "read"}, headers=admin)
    ).json()
    assert len(by_type["items"]) == 5

    # keyset pages: two by two, no row twice, none lost
    seen, cursor = [], None
    while True:
        params = {"resourceType": "plan", "pageSize": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/audit-events", params=params, headers=admin)).json()
        seen += [e["id"] for e in page["items"]]
        if not (cursor := page["nextCursor"]):
            break
    assert len(seen) == len(set(seen)) == 5

    today = (
        await client.get("/audit-events", params={"from": "2000-01-01", "to": "2000-12-31"}, headers=admin)
    ).json()
    assert today["items"] == []

    searches_by = "SELECT count(*) FROM audit_events WHERE action = 'search' AND subject = :subject"
    searches = (await query(app, searches_by, subject="auditor")).scalar()
    searches_for = "SELECT count(*) FROM audit_events WHERE action = 'search' AND family_id = :f"
    for_family = (await query(app, searches_for, f=case.family_id)).scalar()
    assert searches == 7 and for_family == 1  # every search, one of them for the family


async def test_search_is_the_admins_within_its_municipality(client, auth, ref, session) -> None:
    case = await build_case(session, ref)
    await client.get(f"/plans/{case.plan_id}", headers=auth("district_professional", team=case.team_id))
    assert (
        await client.get("/audit-events", headers=auth("district_professional", team=case.team_id))
    ).status_code == 403
    elsewhere = (await client.get("/audit-events", headers=auth("admin", municipality="GM0599"))).json()
    assert elsewhere["items"] == []
    bad = await client.get(
        "/audit-events",
        params={"familyId": "nope", "action": "peek", "from": "yesterday"},
        headers=auth("admin"),
    )
    assert bad.status_code == 400
    assert {p["name"] for p in bad.json()["invalidParams"]} == {"familyId", "action", "from"}
