"""The family's story end to end, over HTTP with real (dev) tokens:

team registers the family → draft plan → every life domain assessed → goals by the family
member → GP referral matched to the child → support profile on that referral → both
signatures → agreed snapshot → revision (a new draft while the agreed version stays in force).
"""

from sqlalchemy import select

from app.models.core import OutboxEvent
from tests.support.families import DOMAINS, bsn, support_profile, years_ago

CHILD_BSN = bsn(42)
GP_AGB = "01012345"


def _etag(response) -> str:
    return response.headers["ETag"]


async def test_the_family_story(client, auth, ref, session) -> None:
    team = auth("district_professional", team=ref.teams["GM0363"], sub="pro-anna")
    gp = auth("gp", agb=GP_AGB, sub="gp-jansen")
    child_birth = years_ago(10)

    # 1. the district team registers the family
    family = await client.post(
        "/families",
        json={
            "districtCode": ref.districts["GM0363"][0],
            "members": [
                {
                    "role": "parent",
                    "givenName": "Fatima",
                    "familyName": "El Amrani",
                    "birthDate": years_ago(36),
                },
                {
                    "role": "child",
                    "givenName": "Yusuf",
                    "familyName": "El Amrani",
                    "birthDate": child_birth,
                    "bsn": CHILD_BSN,
                },
            ],
        },
        headers=team,
    )
    assert family.status_code == 201, family.text
    family = family.json()
    parent_id, child_id = (m["id"] for m in family["members"])
    parent = auth("family_member", family=family["id"], member=parent_id, sub="fatima")

    # 2. a draft plan
    created = await client.post(f"/families/{family['id']}/plans", json={}, headers=team)
    assert created.status_code == 201
    plan_id = created.json()["id"]
    plan_url = f"/plans/{plan_id}"
    etag = _etag(created)

    # the family writes its vision in its own words
    vision = await client.patch(
        plan_url,
        json={"familyVision": "Rust in huis en Yusuf weer graag naar school."},
        headers={**parent, "If-Match": etag},
    )
    assert vision.status_code == 200
    etag = _etag(vision)

    # 3. every life domain assessed by the team
    for code in DOMAINS:
        body = (
            {"relevant": False}
            if code in ("justice", "substance_use")
            else {"score": 2 if code == "school" else 3}
        )
        assessed = await client.put(
            f"{plan_url}/assessments/{code}", json=body, headers={**team, "If-Match": etag}
        )
        assert assessed.status_code == 200, assessed.text
        etag = _etag(assessed)

    # 4. goals by the family member
    goal_ids = []
    for domain, member, words in (
        ("school", child_id, "Yusuf gaat elke dag naar school."),
        ("parenting", None, "Minder ruzie bij het naar bed gaan."),
    ):
        goal = await client.post(
            f"{plan_url}/goals",
            json={"domainCode": domain, "memberId": member, "description": words},
            headers={**parent, "If-Match": etag},
        )
        assert goal.status_code == 201, goal.text
        goal_ids.append(goal.json()["id"])
        etag = _etag(goal)

    # 5. the GP refers by BSN + birth date and the referral is matched to Yusuf
    referral = await client.post(
        "/referrals",
        json={
            "bsn": CHILD_BSN,
            "birthDate": child_birth,
            "referrerType": "02",
            "profileCode": "P06",
            "intensityCode": "I2",
            "reason": "Vermoeden van AD(H)D; onderzoek en behandeling.",
        },
        headers=gp,
    )
    assert referral.status_code == 201, referral.text
    referral = referral.json()
    assert (referral["status"], referral["memberId"], referral["familyId"]) == (
        "open",
        child_id,
        family["id"],
    )
    team_view = (await client.get("/referrals", params={"familyId": family["id"]}, headers=team)).json()[
        "items"
    ]
    assert [r["id"] for r in team_view] == [referral["id"]]

    # 6. the team adds the support profile that rests on the referral
    profile = await client.post(
        f"{plan_url}/support-profiles",
        json=support_profile(
            child_id, "P06", "I2", "Concentratieproblemen, thuis en op school.", referral["id"]
        ),
        headers={**team, "If-Match": etag},
    )
    assert profile.status_code == 201, profile.text
    etag = _etag(profile)
    assert (await client.get(f"/referrals/{referral['id']}", headers=gp)).json()["status"] == "in_use"

    # 7. both signatures on the same version: agreed
    signed_version = int(etag.strip('"'))
    first = await client.post(f"{plan_url}/signatures", headers={**team, "If-Match": etag})
    assert (first.status_code, first.json()["planStatus"]) == (201, "draft")
    second = await client.post(
        f"{plan_url}/signatures", json={"memberId": parent_id}, headers={**parent, "If-Match": etag}
    )
    assert second.status_code == 201
    assert (second.json()["planStatus"], second.json()["agreedVersion"]) == ("agreed", signed_version)

    # 8. the agreed snapshot
    snapshot = await client.get(f"{plan_url}/versions/{signed_version}", headers=parent)
    assert snapshot.status_code == 200
    frozen = snapshot.json()["plan"]
    assert frozen["status"] == "agreed"
    assert frozen["familyVision"] == "Rust in huis en Yusuf weer graag naar school."
    assert [a["domainCode"] for a in frozen["assessments"]] == DOMAINS
    assert [g["id"] for g in frozen["goals"]] == goal_ids
    assert [(p["profileCode"], p["referralId"]) for p in frozen["supportProfiles"]] == [
        ("P06", referral["id"])
    ]
    assert {(s["signerKind"], s["version"]) for s in frozen["signatures"]} == {
        ("family", signed_version),
        ("professional", signed_version),
    }

    # 9. a revision: a new draft version while the agreed one stays in force
    revision = await client.post(f"{plan_url}/revisions", headers={**team, "If-Match": etag})
    assert revision.status_code == 201
    etag = _etag(revision)
    edited = await client.patch(
        f"{plan_url}/goals/{goal_ids[1]}",
        json={"description": "Om acht uur in bed, zonder ruzie."},
        headers={**parent, "If-Match": etag},
    )
    assert edited.status_code == 200
    current = (await client.get(plan_url, headers=parent)).json()
    assert (current["status"], current["revisionOpen"], current["agreedVersion"], current["version"]) == (
        "agreed",
        True,
        signed_version,
        signed_version + 2,
    )
    assert current["goals"][1]["description"] == "Om acht uur in bed, zonder ruzie."
    still = (await client.get(f"{plan_url}/versions/{signed_version}", headers=team)).json()["plan"]
    assert still["goals"][1]["description"] == "Minder ruzie bij het naar bed gaan."

    # the outbox tells the story without personal data
    events = (await session.execute(select(OutboxEvent).order_by(OutboxEvent.sequence))).scalars().all()
    assert [e.type.removeprefix("nl.perspectief.") for e in events] == [
        "family.created",
        "plan.created",
        "referral.created",
        "plan.agreed",
        "plan.revised",
    ]
    for event in events:
        text = str(event.data)
        assert CHILD_BSN not in text and "Yusuf" not in text and "El Amrani" not in text

    # and the family sees who touched its file, the GP included
    trail = (
        await client.get(f"/families/{family['id']}/audit-events", params={"pageSize": 200}, headers=parent)
    ).json()
    roles = {e["role"] for e in trail["items"]}
    assert roles == {"district_professional", "family_member", "gp"}
