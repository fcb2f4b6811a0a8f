"""The one generator: reproducible, and what it writes through COPY is what the service reads."""

from datetime import date

from app.generate import ledger
from app.generate.cases import CaseGenerator, Options
from app.generate.rows import Rows, SequentialIds
from app.generate.writers import copy_rows
from app.models.engagements import Engagement
from app.models.families import Family
from app.models.plans import PlanVersion
from tests.support.generators import area_of

DOMAINS = ["finances", "housing", "parenting"]
OPTIONS = Options(engaged_share=0.5, open_referral_share=0.2, intake_share=0.1, audit_per_family=3)


def _generate(ref, seed: int, families: int = 30) -> CaseGenerator:
    ids = SequentialIds("tests", str(seed), "GM0363")
    gen = CaseGenerator(Rows(), area_of(ref, "GM0363"), date(2026, 6, 30), ids, DOMAINS, seed, OPTIONS)
    gen.spread(families, date(2025, 1, 1), date(2026, 6, 29))
    ledger.batches(gen)
    return gen


async def test_the_same_seed_gives_the_same_rows(ref) -> None:
    first, again, other = _generate(ref, 5), _generate(ref, 5), _generate(ref, 6)
    assert first.rows.data == again.rows.data
    assert first.rows.data[Engagement] != other.rows.data[Engagement]
    states = {e["status"] for e in first.rows.data[Engagement]}
    assert {"started", "closed"} <= states
    assert len(first.rows.data[Family]) == 30


async def test_copied_rows_are_read_by_the_service(app, client, auth, ref, session) -> None:
    """Rows written through COPY: the team lists the families, and each agreed plan's snapshot
    is served as its version 1, with every domain assessed and both signatures."""
    gen = _generate(ref, 9, families=12)
    async with app.state.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        written = await copy_rows(raw.driver_connection, gen.rows)
        await conn.commit()
    assert written == gen.rows.total()
    team = auth("district_professional", team=ref.teams["GM0363"])
    listed = (await client.get("/families", params={"pageSize": 100}, headers=team)).json()["items"]
    mine = {f["id"] for f in listed}
    families = [f for f in gen.rows.data[Family] if f["team_id"] == ref.teams["GM0363"]]
    assert {str(f["id"]) for f in families} == mine
    version = next(
        v for v in gen.rows.data[PlanVersion] if v["plan_id"] in {p["id"] for p in _plans(gen, families)}
    )
    response = await client.get(f"/plans/{version['plan_id']}/versions/1", headers=team)
    assert response.status_code == 200, response.text
    frozen = response.json()["plan"]
    assert frozen == version["snapshot"]
    assert sorted(a["domainCode"] for a in frozen["assessments"]) == sorted(DOMAINS)
    assert {s["signerKind"] for s in frozen["signatures"]} == {"family", "professional"}


def _plans(gen: CaseGenerator, families: list[dict]) -> list[dict]:
    from app.models.plans import Plan

    ids = {f["id"] for f in families}
    return [p for p in gen.rows.data[Plan] if p["family_id"] in ids]
