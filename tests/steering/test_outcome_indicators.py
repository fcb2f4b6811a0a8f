"""The outcome indicators on small hand-made cases, values worked out by hand: CBS's no new start
to the end of the following half-year, the 12-month no-relapse, and self-reliance change."""

from datetime import UTC, date, datetime

from app.models.plans import PlanAssessment
from app.services.steering.periods import half_year_after, whole_months
from tests.support.generators import Builder
from tests.support.insights import officer_items


def test_the_follow_up_window_ends_with_the_following_half_year():
    assert half_year_after(date(2025, 1, 1)) == date(2025, 12, 31)
    assert half_year_after(date(2025, 6, 30)) == date(2025, 12, 31)
    assert half_year_after(date(2025, 7, 1)) == date(2026, 6, 30)
    assert half_year_after(date(2025, 12, 31)) == date(2026, 6, 30)
    assert whole_months(date(2024, 2, 10), date(2024, 2, 10)).end == date(2024, 2, 29)


async def test_no_new_start_and_no_relapse(client, auth, session, ref):
    """20 children whose care ended on 10 March 2025: 6 start again in November 2025 (within the
    half-year after), 4 in January 2026 (after it, but within 12 months), 10 never."""
    b = Builder(session, ref)
    d1 = ref.districts["GM0363"][0]
    for i in range(20):
        rows = await b.family(d1)
        await b.engagement(
            rows,
            status="closed",
            requested=date(2024, 9, 1),
            start=date(2024, 9, 20),
            end=date(2025, 3, 10),
            end_reason="31",
        )
        again = date(2025, 11, 1) if i < 6 else date(2026, 1, 5) if i < 10 else None
        if again:
            await b.engagement(rows, status="started", requested=again, start=again)
    await session.commit()
    item = (await officer_items(client, auth, "districts", ("2025-03-01", "2025-03-31")))[d1]
    assert item["engagementsClosed"]["value"] == 20
    assert item["endingsFollowedHalfYear"] == {"value": 20, "suppressed": False}
    assert item["endingsFollowed12Months"] == {"value": 20, "suppressed": False}
    # no new start: 14 → published 15, over 20 → 0.75; no relapse: 10 over 20 → 0.5
    assert item["noNewStartShare"] == {"value": 0.75, "suppressed": False}
    assert item["noRelapseShare"] == {"value": 0.5, "suppressed": False}
    # the starts of 2025-11 and 2026-01 are not endings, and no ending of 2026 has been followed yet
    later = await officer_items(client, auth, "districts", ("2026-01-01", "2026-01-31"))
    assert later[d1]["endingsFollowedHalfYear"]["suppressed"]


async def test_self_reliance_change(client, auth, session, ref):
    """Five plans evaluated in May 2026; per plan the mean of final − agreed over relevant domains."""
    b = Builder(session, ref)
    d1 = ref.districts["GM0363"][0]
    plans = [
        [(2, 3)],  # +1
        [(1, 2), (2, 5)],  # +1, +3 → +2
        [(3, 3), (4, 4)],  # 0
        [(4, 3)],  # −1
        [(2, 3), (3, 3)],  # +0.5
    ]
    for scores in plans:
        rows = await b.family(d1)
        rows.plan.evaluated_at = datetime(2026, 5, 12, 9, tzinfo=UTC)
        for (agreed, final), domain in zip(scores, ["finances", "housing"], strict=False):
            session.add(
                PlanAssessment(plan_id=rows.plan.id, domain_code=domain, score=agreed, final_score=final)
            )
        # a domain marked not relevant and one without a final score do not count
        session.add(PlanAssessment(plan_id=rows.plan.id, domain_code="school", relevant=False, final_score=1))
        session.add(PlanAssessment(plan_id=rows.plan.id, domain_code="parenting", score=1))
    unevaluated = await b.family(d1)
    session.add(PlanAssessment(plan_id=unevaluated.plan.id, domain_code="finances", score=1, final_score=5))
    await session.commit()
    item = (await officer_items(client, auth, "teams", ("2026-05-01", "2026-05-31")))[str(b.team_for(d1))]
    assert item["plansEvaluated"] == {"value": 5, "suppressed": False}
    assert item["selfRelianceChange"] == {"value": round((1 + 2 + 0 - 1 + 0.5) / 5, 2), "suppressed": False}
    # 3 of 5 improved: below 5, so the share is withheld
    assert item["selfRelianceImprovedShare"] == {"value": None, "suppressed": True}
