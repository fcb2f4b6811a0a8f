"""The demo families load on a fresh database, obey the plan rules and read back through the API."""

from datetime import date

from sqlalchemy import func, select

from app.auth import issue_dev_token
from app.config import get_settings
from app.demo import DEMO_FAMILY, DEMO_GP_AGB, DEMO_PARENT, DEMO_PROVIDER, DEMO_TEAM, demo_tokens
from app.demo import families as demo_families
from app.demo import reference as demo_reference
from app.models.families import Family, FamilyMember
from app.models.plans import Plan, PlanSignature, PlanVersion
from app.models.referrals import Consent, Referral
from app.services.families.bsn import is_valid_bsn
from app.services.plans.signing import missing_parts
from app.services.plans.snapshot import content_json
from app.services.plans.view import load_content
from tests.support.families import support_profile


async def _seed(sessionmaker) -> None:
    async with sessionmaker() as session:
        await demo_reference.seed(session)
        await demo_families.seed(session)
        await session.commit()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_demo_families_are_consistent(sessionmaker, session) -> None:
    await _seed(sessionmaker)
    family = await session.get(Family, DEMO_FAMILY)
    assert (family.team_id, family.district_code, family.status) == (DEMO_TEAM, "WK036301", "active")
    parent = await session.get(FamilyMember, DEMO_PARENT)
    assert (parent.family_id, parent.role) == (DEMO_FAMILY, "parent")
    bsns = (
        (await session.execute(select(FamilyMember.bsn).where(FamilyMember.bsn.is_not(None)))).scalars().all()
    )
    assert bsns and all(is_valid_bsn(b) for b in bsns)
    plans = (await session.execute(select(Plan).order_by(Plan.created_at))).scalars().all()
    assert sorted((p.status, p.revision_open) for p in plans) == [
        ("agreed", False),
        ("agreed", True),
        ("draft", False),
        ("draft", False),
    ]
    for plan in plans:
        if plan.status != "agreed":
            continue
        # agreed plans satisfy the rule the API enforces, and their snapshot is the agreed content
        assert await missing_parts(session, plan) == ([], False)
        kinds = (
            await session.execute(
                select(PlanSignature.signer_kind).where(
                    PlanSignature.plan_id == plan.id, PlanSignature.version == plan.agreed_version
                )
            )
        ).scalars()
        assert sorted(kinds) == ["family", "professional"]
        snapshot = await session.get(PlanVersion, (plan.id, plan.agreed_version))
        assert snapshot.snapshot["status"] == "agreed"
        assert len(snapshot.snapshot["assessments"]) == 17
        if not plan.revision_open:
            view = await load_content(session, plan)
            assert content_json(view.as_dict(signatures_of_version=plan.version)) == snapshot.snapshot
    demo_plan = await session.get(Plan, demo_families.DEMO_PLAN)
    assert (demo_plan.family_id, demo_plan.status, demo_plan.version) == (DEMO_FAMILY, "agreed", 22)
    referral = await session.get(Referral, demo_families.DEMO_REFERRAL)
    assert (referral.status, referral.member_id, referral.referrer_agb) == (
        "in_use",
        demo_families.DEMO_CHILD,
        DEMO_GP_AGB,
    )
    consent = await session.get(Consent, demo_families.DEMO_CONSENT)
    assert (consent.provider_id, consent.withdrawn_at, consent.family_id) == (
        DEMO_PROVIDER,
        None,
        DEMO_FAMILY,
    )
    intake = await session.get(Referral, demo_families.DEMO_INTAKE_REFERRAL)
    assert (intake.status, intake.team_id, intake.member_id) == ("intake", DEMO_TEAM, None)
    assert intake.valid_to > date.today()
    assert (await session.execute(select(func.count()).select_from(Family))).scalar_one() == 4


async def test_demo_tokens_click_through(sessionmaker, client) -> None:
    await _seed(sessionmaker)
    tokens = demo_tokens(get_settings())
    parent = _bearer(tokens["family_member"])
    plan = await client.get(f"/plans/{demo_families.DEMO_PLAN}", headers=parent)
    assert plan.status_code == 200
    assert plan.headers["ETag"] == '"22"'
    body = plan.json()
    assert (body["status"], body["agreedVersion"], len(body["goals"]), len(body["supportProfiles"])) == (
        "agreed",
        22,
        2,
        1,
    )
    assert (
        await client.get(f"/plans/{demo_families.DEMO_PLAN}/versions/22", headers=parent)
    ).status_code == 200
    team = _bearer(tokens["district_professional"])
    listed = (await client.get("/families", headers=team)).json()["items"]
    assert len(listed) == 3  # families 1, 2 and 4; family 3 belongs to the other district's team
    gp = (await client.get("/referrals", headers=_bearer(tokens["gp"]))).json()["items"]
    assert sorted(r["status"] for r in gp) == ["in_use", "intake"]
    # the draft goes on through the API: a support profile on the waiting referral
    draft = await client.get(f"/plans/{demo_families.DEMO_DRAFT_PLAN}", headers=team)
    child = next(
        m
        for m in next(f for f in listed if f["id"] == str(demo_families.DEMO_DRAFT_FAMILY))["members"]
        if m["bsn"] == "999990019"
    )
    added = await client.post(
        f"/plans/{demo_families.DEMO_DRAFT_PLAN}/support-profiles",
        json=support_profile(child["id"], "P04", "I1", "Somberheid.", str(demo_families.DEMO_OPEN_REFERRAL)),
        headers={**team, "If-Match": draft.headers["ETag"]},
    )
    assert added.status_code == 201, added.text
    # the draft is not complete yet, so it cannot be signed
    incomplete = await client.post(
        f"/plans/{demo_families.DEMO_DRAFT_PLAN}/signatures",
        headers={**team, "If-Match": added.headers["ETag"]},
    )
    assert (incomplete.status_code, incomplete.json()["code"]) == (409, "plan_not_complete")
    assert len(incomplete.json()["missingDomains"]) == 11
    # the open revision of family 4 is agreed by the team and the parent
    plan4_id = demo_families.demo_id("plan", "4")
    plan4 = await client.get(f"/plans/{plan4_id}", headers=team)
    assert (plan4.json()["revisionOpen"], plan4.json()["agreedVersion"]) == (
        True,
        plan4.json()["version"] - 1,
    )
    etag = plan4.headers["ETag"]
    parent4 = _bearer(
        issue_dev_token(
            get_settings(),
            sub="demo-parent-4",
            roles=["family_member"],
            municipality="GM0363",
            family=demo_families.demo_id("family", "4"),
            member=demo_families.demo_id("family", "4", "member", "parent"),
        )
    )
    assert (
        await client.post(f"/plans/{plan4_id}/signatures", headers={**team, "If-Match": etag})
    ).status_code == 201
    agreed = await client.post(f"/plans/{plan4_id}/signatures", headers={**parent4, "If-Match": etag})
    assert (agreed.json()["planStatus"], agreed.json()["agreedVersion"]) == ("agreed", int(etag.strip('"')))
