"""Two clients editing the same plan version at once: exactly one wins, no update is lost."""

import asyncio

from sqlalchemy import select, text

from app.models.plans import Goal, Plan
from tests.support.families import create_family, create_plan, family_body, member_of, pro


async def test_concurrent_edits_with_the_same_if_match(client, auth, ref, session) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    path = f"/plans/{plan['id']}"
    parent = member_of(auth, family)

    responses = await asyncio.gather(
        client.patch(path, json={"summary": "Versie van het team"}, headers={**team, "If-Match": '"1"'}),
        client.patch(
            path, json={"familyVision": "Versie van het gezin"}, headers={**parent, "If-Match": '"1"'}
        ),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 412]
    winner = next(r for r in responses if r.status_code == 200)
    loser = next(r for r in responses if r.status_code == 412)
    assert winner.headers["ETag"] == '"2"'
    assert loser.json()["currentVersion"] == 2

    stored = await session.get(Plan, plan["id"])
    assert stored.version == 2
    written = {"summary": stored.summary, "familyVision": stored.family_vision}
    # exactly the winner's change is stored, the loser's is not
    assert sorted(v is not None for v in written.values()) == [False, True]
    assert winner.json()["summary"] == stored.summary
    assert winner.json()["familyVision"] == stored.family_vision

    # the loser re-reads and retries: now both changes are there, nothing was overwritten
    fresh = await client.get(path, headers=parent)
    retry_body = (
        {"familyVision": "Versie van het gezin"}
        if stored.family_vision is None
        else {"summary": "Versie van het team"}
    )
    retry = await client.patch(path, json=retry_body, headers={**parent, "If-Match": fresh.headers["ETag"]})
    assert retry.status_code == 200
    final = retry.json()
    assert (final["summary"], final["familyVision"], final["version"]) == (
        "Versie van het team",
        "Versie van het gezin",
        3,
    )


async def test_concurrent_goal_additions_on_one_version(client, auth, ref, session) -> None:
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    body = {"domainCode": "school", "description": "Naar school."}
    responses = await asyncio.gather(
        *(
            client.post(f"/plans/{plan['id']}/goals", json=body, headers={**team, "If-Match": '"1"'})
            for _ in range(4)
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 412, 412, 412]
    goals = (await session.execute(select(Goal).where(Goal.plan_id == plan["id"]))).scalars().all()
    assert len(goals) == 1
    assert (await session.get(Plan, plan["id"])).version == 2


async def test_writers_that_read_the_same_version_together_cannot_both_win(
    client, auth, ref, session, sessionmaker
) -> None:
    """Both requests are held at the row lock at the same moment, then released together."""
    team = pro(auth, ref)
    family = await create_family(client, team, family_body(ref))
    plan = await create_plan(client, team, family["id"])
    path = f"/plans/{plan['id']}"
    async with sessionmaker() as blocker:
        await blocker.execute(select(Plan).where(Plan.id == plan["id"]).with_for_update())
        tasks = [
            asyncio.create_task(client.patch(path, json={"summary": s}, headers={**team, "If-Match": '"1"'}))
            for s in ("A", "B")
        ]
        waiting = 0
        for _ in range(500):
            waiting = (
                await session.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            ).scalar_one()
            await session.rollback()
            if waiting >= 2:
                break
            await asyncio.sleep(0.01)
        assert waiting >= 2  # both writers are waiting for the plan row
        await blocker.rollback()
        responses = await asyncio.gather(*tasks)
    assert sorted(r.status_code for r in responses) == [200, 412]
    winner = next(r for r in responses if r.status_code == 200).json()
    stored = await session.get(Plan, plan["id"])
    assert (stored.version, stored.summary) == (2, winner["summary"])
