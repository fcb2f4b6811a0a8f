"""The family's data export: everything held on it in one JSON document, for the family and its
team only, audited as export; and no table holding family data can be left out silently."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from app.models import metadata
from app.services.privacy.family_tables import EXCLUDED, SECTIONS, exported_tables
from tests.support.builders import build_case
from tests.support.privacy import MARKER, add_audit_events, planted_family, query

FAMILY_KEYS = {"family_id", "member_id", "engagement_id"}
ROOTS = {"families", "family_members", "plans", "engagements"}


def _holds_family_data() -> set[str]:
    """Tables that refer to a family, member, plan or engagement (directly or through another such
    table) or carry a family/member/engagement id column."""
    holding = set(ROOTS)
    changed = True
    while changed:
        changed = False
        for table in metadata.tables.values():
            if table.name in holding:
                continue
            refers = any(fk.column.table.name in holding for fk in table.foreign_keys)
            if refers or FAMILY_KEYS & set(table.columns.keys()):
                holding.add(table.name)
                changed = True
    return holding


def test_every_table_holding_family_data_is_exported_or_excluded_with_a_reason() -> None:
    holding = _holds_family_data()
    assert {"payment_lines", "case_review_decisions", "treatment_activity_goals", "audit_events"} <= holding
    assert holding - exported_tables() - EXCLUDED.keys() == set()
    assert exported_tables().isdisjoint(EXCLUDED), "a table is either exported or excluded"
    assert all(len(reason) > 30 for reason in EXCLUDED.values())
    assert (exported_tables() | EXCLUDED.keys()) <= metadata.tables.keys()
    assert len({s.name for s in SECTIONS}) == len(SECTIONS)


async def test_the_family_downloads_everything_held_on_it(client, auth, ref, session, app) -> None:
    planted = await planted_family(client, session, ref, auth)
    case = planted.case
    parent = auth("family_member", family=case.family_id, member=case.parent_id, sub="parent-1")
    r = await client.get(f"/families/{case.family_id}/export", headers=parent)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert "content-length" not in r.headers  # streamed
    document = r.json()
    assert document["family"]["id"] == str(case.family_id)
    assert {s.name for s in SECTIONS} <= document.keys()
    counts = {s.name: len(document[s.name]) for s in SECTIONS}
    async with app.state.engine.connect() as conn:
        for section in SECTIONS:
            held = (
                await conn.execute(
                    text(f"SELECT count(*) FROM {section.table} WHERE {section.where}"),
                    {"family_id": case.family_id},
                )
            ).scalar()
            assert counts[section.name] == held, section.name
    for name in (
        "members",
        "plans",
        "planVersions",
        "goals",
        "engagements",
        "treatmentPlans",
        "subcontracts",
        "progressReports",
        "experienceSurveys",
        "handoffs",
        "payments",
        "consents",
        "referrals",
        "auditEvents",
        "treatmentActivities",
        "engagementGoals",
    ):
        assert counts[name] > 0, name
    assert {m["givenName"] for m in document["members"]} == {
        f"{MARKER}Ouder",
        f"{MARKER}Kind",
        f"{MARKER}Jongere",
    }
    assert set(planted.bsns) == {m["bsn"] for m in document["members"]}
    # the iJw messages about the family, the intake of a member not yet known by BSN included
    codes = sorted(m["messageCode"] for m in document["ijwMessages"])
    assert {"JW301", "JW305", "JW306", "JW315"} <= set(codes), codes
    intake = [m for m in document["ijwMessages"] if m["messageCode"] == "JW315"]
    assert [m["familyId"] for m in intake] == [None] and planted.bsns[2] in intake[0]["document"]
    assert [r["clientBsn"] for r in document["ijwAllocationRequests"]] == [planted.bsns[2]]
    # the export itself is in the trail it exports (committed before the first byte was sent)
    assert any(e["action"] == "export" for e in document["auditEvents"])


async def test_the_team_exports_and_nobody_else_sees_the_family(client, auth, ref, session, app) -> None:
    case = await build_case(session, ref)
    path = f"/families/{case.family_id}/export"
    team = auth("district_professional", team=case.team_id, sub="pro-1")
    r = await client.get(path, headers=team)
    assert r.status_code == 200 and len(r.json()["goals"]) == 3
    other_family = auth("family_member", family=uuid.uuid4(), member=uuid.uuid4())
    for headers, status in (
        (auth("district_professional", team=ref.second_team), 404),
        (other_family, 404),
        (auth("district_professional", team=case.team_id, municipality="GM0599"), 404),
        (auth("provider_staff", provider=ref.providers[0]), 403),
        (auth("municipality_officer"), 403),
    ):
        assert (await client.get(path, headers=headers)).status_code == status
    assert (await client.get(f"/families/{uuid.uuid4()}/export", headers=team)).status_code == 404
    exported_by = "SELECT subject FROM audit_events WHERE action = 'export' AND family_id = :f"
    exports = (await query(app, exported_by, f=case.family_id)).scalars().all()
    assert exports == ["pro-1"]


async def test_a_large_family_streams_in_batches(client, auth, ref, session, app) -> None:
    """More audit rows than one cursor batch: all of them arrive, in order."""
    case = await build_case(session, ref)
    async with app.state.engine.begin() as conn:
        await add_audit_events(
            conn,
            datetime.now(UTC) - timedelta(seconds=1),
            family_id=case.family_id,
            subject="pro",
            role="district_professional",
            count=1200,
        )
    team = auth("district_professional", team=case.team_id)
    events: list[Any] = (await client.get(f"/families/{case.family_id}/export", headers=team)).json()[
        "auditEvents"
    ]
    assert len(events) == 1201
    assert [e["occurredAt"] for e in events] == sorted(e["occurredAt"] for e in events)
