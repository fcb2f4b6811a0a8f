"""Helpers for the family-side tests: families, complete plans, valid BSNs, headers."""

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx

from app.models.engagements import Engagement
from tests.support.factories import Reference

DOMAINS = [
    "finances",
    "work_education",
    "daytime_activities",
    "housing",
    "domestic_relations",
    "mental_health",
    "physical_health",
    "substance_use",
    "basic_adl",
    "instrumental_adl",
    "social_network",
    "community_participation",
    "justice",
    "child_development",
    "parenting",
    "child_safety",
    "school",
]

Auth = Callable[..., dict[str, str]]


def bsn(n: int) -> str:
    """The n-th valid BSN (11-proef) of a deterministic test series (distinct for distinct n)."""
    weights = (9, 8, 7, 6, 5, 4, 3, 2)
    for stem in range(10_000_000 + n * 10, 10_000_000 + n * 10 + 10):
        head = f"{stem:08d}"
        check = sum(int(d) * w for d, w in zip(head, weights, strict=True)) % 11
        if check < 10:
            return head + str(check)
    raise AssertionError("unreachable: one of ten stems has a check digit")


def years_ago(years: int, days: int = 30) -> str:
    today = date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return (day - timedelta(days=days)).isoformat()


def pro(auth: Auth, ref: Reference, municipality: str = "GM0363", team: Any = None) -> dict[str, str]:
    return auth("district_professional", team=team or ref.teams[municipality], municipality=municipality)


def member_of(auth: Auth, family: dict[str, Any], role: str = "parent") -> dict[str, str]:
    member = next(m for m in family["members"] if m["role"] == role)
    return auth("family_member", family=family["id"], member=member["id"], sub=f"member-{member['id']}")


def family_body(
    ref: Reference, *, child_bsn: str | None = None, parent_bsn: str | None = None
) -> dict[str, Any]:
    return {
        "districtCode": ref.districts["GM0363"][0],
        "members": [
            {
                "role": "parent",
                "givenName": "Sanne",
                "familyName": "de Vries",
                "birthDate": years_ago(38),
                **({"bsn": parent_bsn} if parent_bsn else {}),
            },
            {
                "role": "child",
                "givenName": "Daan",
                "familyName": "de Vries",
                "birthDate": years_ago(9),
                **({"bsn": child_bsn} if child_bsn else {}),
            },
        ],
    }


def team_referral(
    child_id: str, profile: str = "P03", intensity: str = "I2", reason: str = "x"
) -> dict[str, str]:
    """A district team's referral (referrer type 01) for a child of a registered family."""
    return {
        "childMemberId": child_id,
        "referrerType": "01",
        "profileCode": profile,
        "intensityCode": intensity,
        "reason": reason,
    }


def support_profile(
    member_id: str, profile: str, intensity: str, problem: str, referral_id: str | None = None
) -> dict[str, str]:
    """A support profile for a plan; segments B and C rest on a referral."""
    body = {
        "memberId": member_id,
        "profileCode": profile,
        "intensityCode": intensity,
        "problemDescription": problem,
    }
    return body | ({"referralId": referral_id} if referral_id else {})


def plan_consent(provider: Any, granted_by: dict[str, Any], **extra: str) -> dict[str, Any]:
    """A consent to share the plan with ``provider``, granted by the family member ``granted_by``."""
    return {
        "scope": "share_plan_with_provider",
        "providerId": str(provider),
        "grantedByMemberId": granted_by["id"],
        **extra,
    }


async def create_family(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post("/families", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def create_plan(client: httpx.AsyncClient, headers: dict[str, str], family_id: str) -> dict[str, Any]:
    response = await client.post(f"/families/{family_id}/plans", json={}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def assess_all(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    plan_id: str,
    version: int,
    domains: list[str] = DOMAINS,
) -> int:
    """Assess ``domains`` (score 3, 'justice' not relevant); returns the new version."""
    for code in domains:
        body = {"relevant": False} if code == "justice" else {"score": 3, "situation": "Gaat redelijk."}
        response = await client.put(
            f"/plans/{plan_id}/assessments/{code}", json=body, headers={**headers, "If-Match": f'"{version}"'}
        )
        assert response.status_code == 200, response.text
        version = int(response.headers["ETag"].strip('"'))
    return version


async def add_goal(
    client: httpx.AsyncClient, headers: dict[str, str], plan_id: str, version: int, domain: str = "parenting"
) -> tuple[dict[str, Any], int]:
    response = await client.post(
        f"/plans/{plan_id}/goals",
        json={
            "domainCode": domain,
            "description": "Rustiger ochtenden voor school.",
            "desiredResult": "Op tijd",
        },
        headers={**headers, "If-Match": f'"{version}"'},
    )
    assert response.status_code == 201, response.text
    return response.json(), int(response.headers["ETag"].strip('"'))


async def sign(
    client: httpx.AsyncClient, headers: dict[str, str], plan_id: str, version: int
) -> httpx.Response:
    return await client.post(
        f"/plans/{plan_id}/signatures", json={}, headers={**headers, "If-Match": f'"{version}"'}
    )


async def agreed_plan(
    client: httpx.AsyncClient, auth: Auth, ref: Reference, body: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """A family with an agreed plan: (family, plan, version)."""
    team = pro(auth, ref)
    family = await create_family(client, team, body or family_body(ref))
    plan = await create_plan(client, team, family["id"])
    version = await assess_all(client, team, plan["id"], plan["version"])
    _, version = await add_goal(client, team, plan["id"], version)
    assert (await sign(client, team, plan["id"], version)).status_code == 201
    response = await sign(client, member_of(auth, family), plan["id"], version)
    assert response.status_code == 201, response.text
    assert response.json()["planStatus"] == "agreed"
    return family, plan, version


async def revised_support_profile(
    client: Any, auth: Any, ref: Any, family: dict, plan_id: str, version: int
) -> dict:
    """Open a revision of the agreed plan and attach P01 I1 to its child."""
    child = next(m for m in family["members"] if m["role"] == "child")
    revision = await client.post(
        f"/plans/{plan_id}/revisions", headers={**pro(auth, ref), "If-Match": f'"{version}"'}
    )
    version = int(revision.headers["ETag"].strip('"'))
    response = await client.post(
        f"/plans/{plan_id}/support-profiles",
        json=support_profile(child["id"], "P01", "I1", "Ruzies."),
        headers={**pro(auth, ref), "If-Match": f'"{version}"'},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def engagement_row(
    session: Any, family: dict, plan_id: str, profile: dict, provider: uuid.UUID, status: str
) -> uuid.UUID:
    """An engagement row in ``status`` written directly, for read tests."""
    engagement = Engagement(
        municipality_code="GM0363",
        family_id=family["id"],
        plan_id=plan_id,
        member_id=profile["memberId"],
        plan_support_profile_id=profile["id"],
        district_code=family["districtCode"],
        team_id=family["teamId"],
        profile_code=profile["profileCode"],
        intensity_code=profile["intensityCode"],
        provider_id=provider,
        status=status,
        requested_by="test",
    )
    session.add(engagement)
    await session.commit()
    return engagement.id
