"""Who may do what with engagements, treatment plans, subcontracts, handoffs — the role matrix.

Every endpoint of the provider side × every role, own versus another family, provider and
municipality: the expected 200/403/404 (or, for an allowed caller whose request then meets a
rule, the 4xx of that rule — proof that it passed the access check). Nothing leaks: lists hold
only what the caller may see, and the subcontractor sees only goals and activities.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.builders import add_engagement, build_case, nl_today
from tests.support.engagements import raise_handoff, started_engagement, subcontract_second_provider
from tests.support.factories import Reference

Headers = dict[str, str]
# The roles around the three cases (see ``arrange``), then the roles outside any case.
CASE_ROLES = (
    "family",
    "other_family",
    "team",
    "other_team",
    "main",
    "sub",
    "third",
    "main_elsewhere",
    "team_elsewhere",
)
ROLES = (*CASE_ROLES, "officer", "gp", "purchasing", "integration", "admin")


@dataclass
class World:
    tokens: dict[str, Headers]
    plan_id: uuid.UUID
    child_id: uuid.UUID
    engagement: str  # case A's engagement: main contractor ref.providers[0], subcontractor providers[1]
    other_engagement: str  # case B's (another family and team): ref.providers[2]
    elsewhere_engagement: str  # case C's, in GM0599, main contractor ref.providers[0]
    handoff: str
    goal_ids: list[uuid.UUID]


async def arrange(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Callable[..., Headers]
) -> World:
    main, sub, third = ref.providers
    a = await build_case(session, ref, consent_providers=[main])
    b = await build_case(
        session,
        ref,
        team_id=ref.second_team,
        district_code=ref.districts["GM0363"][1],
        consent_providers=[third],
    )
    c = await build_case(session, ref, municipality="GM0599", consent_providers=[main])
    tokens = {
        "family": auth("family_member", family=a.family_id, member=a.parent_id),
        "other_family": auth("family_member", family=b.family_id, member=b.parent_id),
        "team": auth("district_professional", team=a.team_id),
        "other_team": auth("district_professional", team=b.team_id),
        "main": auth("provider_staff", provider=main),
        "sub": auth("provider_staff", provider=sub),
        "third": auth("provider_staff", provider=third),
        "main_elsewhere": auth("provider_staff", provider=main, municipality="GM0599"),
        "team_elsewhere": auth("district_professional", team=c.team_id, municipality="GM0599"),
        "officer": auth("municipality_officer"),
        "gp": auth("gp", agb="01999999"),
        "purchasing": auth("purchasing_officer", region=ref.region_id),
        "integration": auth("integration"),
        "admin": auth("admin"),
    }

    engagement = await started_engagement(client, tokens["family"], tokens["main"], a, main)
    other = await started_engagement(client, tokens["other_family"], tokens["third"], b, third)
    elsewhere = await add_engagement(session, c, main, start_date=nl_today())
    subcontract = await subcontract_second_provider(client, tokens["main"], engagement, ref)
    assert subcontract.status_code == 201
    put = await client.put(
        f"/engagements/{engagement}/treatment-plan",
        json={
            "approach": "Systeemtherapie.",
            "activities": [
                {"description": "Gezinsgesprekken", "goalIds": [str(a.goal_ids[1])]},
                {
                    "description": "Oudertraining",
                    "goalIds": [str(a.goal_ids[2])],
                    "subcontractId": subcontract.json()["id"],
                },
            ],
        },
        headers=tokens["main"],
    )
    assert put.status_code == 201
    assert (
        await client.post(f"/engagements/{engagement}/treatment-plan/submit", headers=tokens["main"])
    ).status_code == 200
    progress = await client.post(
        f"/engagements/{engagement}/progress-reports",
        json={
            "goals": [{"goalId": str(a.goal_ids[1]), "gasScore": 0, "note": "Gaat goed."}],
            "problemReduction": 2,
        },
        headers=tokens["main"],
    )
    assert progress.status_code == 201
    handoff = await raise_handoff(client, tokens["main"], engagementId=engagement)
    assert handoff.status_code == 201
    return World(
        tokens, a.plan_id, a.child_id, engagement, other, str(elsewhere.id), handoff.json()["id"], a.goal_ids
    )


def expect(**overrides: int) -> dict[str, int]:
    """403 for every role unless overridden."""
    return {role: overrides.get(role, 403) for role in ROLES}


# Reads of case A's family side: the family and its team; the other family and teams get 404.
FAMILY_READ = {"family": 200, "other_family": 404, "team": 200, "other_team": 404, "team_elsewhere": 404}
# Reads of case A's engagement: the family, its team, the main contractor, the subcontractor, the bus.
ENGAGEMENT_READ = expect(**FAMILY_READ, main=200, sub=200, third=404, main_elsewhere=404, integration=200)
CASE_CONTENT_READ = {**ENGAGEMENT_READ, "sub": 403, "integration": 403}
MAIN_ACTION = expect(main=409, third=404, main_elsewhere=404)  # a subcontractor (visible) gets 403
# Lists every case role may ask for (each sees its own rows); the other roles get 403.
CASE_ROLES_LIST = expect(**dict.fromkeys(CASE_ROLES, 200))
REQUESTER_ACTION = expect(family=409, other_family=404, team=409, other_team=404, team_elsewhere=404)


def _cases(w: World) -> list[tuple[str, str, Any, dict[str, int]]]:
    e = w.engagement
    today = nl_today().isoformat()
    return [
        ("GET", f"/engagements/{e}", None, ENGAGEMENT_READ),
        ("GET", f"/engagements/{e}/treatment-plan", None, ENGAGEMENT_READ),
        ("GET", f"/engagements/{e}/subcontracts", None, {**ENGAGEMENT_READ, "integration": 403}),
        ("GET", f"/engagements/{e}/progress-reports", None, CASE_CONTENT_READ),
        ("GET", "/engagements", None, CASE_ROLES_LIST),
        ("GET", f"/plans/{w.plan_id}/provider-options?memberId={w.child_id}", None, expect(**FAMILY_READ)),
        (
            "POST",
            "/engagements",
            {"planId": str(w.plan_id), "memberId": str(w.child_id), "providerId": str(uuid.uuid4())},
            {**REQUESTER_ACTION, "family": 400, "team": 400},
        ),
        ("POST", f"/engagements/{e}/accept", None, MAIN_ACTION),
        ("POST", f"/engagements/{e}/decline", {"reasonCode": "01", "reason": "Vol."}, MAIN_ACTION),
        ("POST", f"/engagements/{e}/start", {"startDate": today}, MAIN_ACTION),
        (
            "POST",
            f"/engagements/{e}/close",
            {"endDate": today, "endReason": "31", "goals": [], "problemReduction": 2},
            {**MAIN_ACTION, "main": 400},
        ),
        ("POST", f"/engagements/{e}/withdraw", None, REQUESTER_ACTION),
        (
            "PUT",
            f"/engagements/{e}/treatment-plan",
            {"approach": "x", "activities": []},
            {**MAIN_ACTION, "main": 428},
        ),
        ("POST", f"/engagements/{e}/treatment-plan/submit", None, MAIN_ACTION),
        (
            "POST",
            f"/engagements/{e}/subcontracts",
            {"agbCode": "12345678", "name": "Zelf", "scope": "x", "startDate": today},
            {**MAIN_ACTION, "main": 400},
        ),
        (
            "POST",
            f"/engagements/{e}/progress-reports",
            {"goals": [{"goalId": str(uuid.uuid4()), "gasScore": 0}], "problemReduction": 1},
            {**MAIN_ACTION, "main": 400},
        ),
        (
            "POST",
            f"/engagements/{e}/experience-surveys",
            {"respondentMemberId": str(uuid.uuid4()), "score": 7},
            expect(family=400, other_family=404),
        ),
        (
            "POST",
            "/handoffs",
            {"engagementId": e, "domainCode": "nope", "need": "x", "urgency": "crisis"},
            expect(
                team=400, other_team=404, main=400, sub=403, third=404, main_elsewhere=404, team_elsewhere=404
            ),
        ),
        (
            "POST",
            "/handoffs",
            {"planId": str(w.plan_id), "domainCode": "nope", "need": "x", "urgency": "crisis"},
            expect(
                team=400, other_team=404, main=400, sub=400, third=400, main_elsewhere=400, team_elsewhere=404
            ),
        ),
        ("GET", f"/handoffs/{w.handoff}", None, {**ENGAGEMENT_READ, "sub": 404}),  # not the subcontractor
        ("GET", "/handoffs", None, CASE_ROLES_LIST),
        (
            "POST",
            f"/handoffs/{w.handoff}/resolve",
            {"resolution": "x"},
            expect(team=409, other_team=404, team_elsewhere=404),
        ),
        ("POST", f"/handoffs/{w.handoff}/start", None, expect(team=409, other_team=404, team_elsewhere=404)),
        (
            "POST",
            f"/handoffs/{w.handoff}/decline",
            {"reason": "x"},
            expect(team=200, other_team=404, team_elsewhere=404),
        ),
    ]


async def test_role_matrix(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Callable[..., Headers]
) -> None:
    w = await arrange(client, session, ref, auth)
    failures = []
    for method, path, body, expected in _cases(w):
        for role in ROLES:
            response = await client.request(method, path, json=body, headers=w.tokens[role])
            if response.status_code != expected[role]:
                failures.append(
                    f"{method} {path} as {role}: {response.status_code} != {expected[role]} "
                    f"{response.text[:160]}"
                )
    assert failures == []


async def test_lists_hold_only_what_the_caller_may_see(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Callable[..., Headers]
) -> None:
    w = await arrange(client, session, ref, auth)
    expected = {
        "family": {w.engagement},
        "other_family": {w.other_engagement},
        "team": {w.engagement},
        "other_team": {w.other_engagement},
        "main": {w.engagement},
        "sub": {w.engagement},
        "third": {w.other_engagement},
        "main_elsewhere": {w.elsewhere_engagement},
        "team_elsewhere": {w.elsewhere_engagement},
    }
    for role, ids in expected.items():
        listed = await client.get("/engagements", headers=w.tokens[role])
        assert {i["id"] for i in listed.json()["items"]} == ids, role
    handoffs = {
        "family": {w.handoff},
        "team": {w.handoff},
        "main": {w.handoff},
        "sub": set(),
        "third": set(),
        "other_team": set(),
        "other_family": set(),
        "main_elsewhere": set(),
    }
    for role, ids in handoffs.items():
        listed = await client.get("/handoffs", headers=w.tokens[role])
        assert {i["id"] for i in listed.json()["items"]} == ids, role


@pytest.mark.parametrize("role", ["sub"])
async def test_subcontractor_sees_only_goals_and_activities(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Callable[..., Headers], role: str
) -> None:
    w = await arrange(client, session, ref, auth)
    headers = w.tokens[role]
    view = (await client.get(f"/engagements/{w.engagement}", headers=headers)).json()
    family_keys = (
        "familyId",
        "planId",
        "memberId",
        "child",
        "choiceReason",
        "assignmentNumber",
        "tariffCents",
        "districtCode",
        "teamId",
        "flags",
        "outcome",
        "treatmentPlan",
        "requestedAt",
    )
    assert {k: view[k] for k in family_keys} == dict.fromkeys(family_keys)
    assert [g["goalId"] for g in view["goals"]] == [str(x) for x in w.goal_ids[1:]]
    assert len(view["activities"]) == 2
    assert [s["agbCode"] for s in view["subcontracts"]] == [ref.provider_agbs[1]]
    listed = (await client.get("/engagements", headers=headers)).json()["items"]
    assert len(listed) == 1 and listed[0]["view"] == "subcontractor"
    assert {listed[0][k] for k in ("familyId", "planId", "memberId", "child", "flags")} == {None}
    treatment = (await client.get(f"/engagements/{w.engagement}/treatment-plan", headers=headers)).json()
    assert treatment["view"] == "subcontractor" and treatment["approach"] is None
    assert [a["description"] for a in treatment["activities"]] == ["Gezinsgesprekken", "Oudertraining"]
    # nothing else of the family: not the plan, not its other parts, not the handoffs
    assert (await client.get(f"/plans/{w.plan_id}", headers=headers)).status_code in (403, 404)
    assert (
        await client.get(f"/engagements/{w.engagement}/progress-reports", headers=headers)
    ).status_code == 403
    assert (await client.get(f"/handoffs/{w.handoff}", headers=headers)).status_code == 404
    for text in (view, listed, treatment):
        assert "de Vries" not in str(text) and "Sam" not in str(text)
