"""Anonymisation of a family, or of one member's data, in the caller's transaction.

Personal data goes: names, BSNs, the birth date beyond its year (kept as 1 January), every free
text (plan texts, assessments, goals, problem descriptions, referral reasons, treatment plans,
subcontract scopes, progress notes, survey answers, handoff texts, payment and case-review
notes, the texts in frozen plan versions), the persons in the iJw messages (``ijw_documents``)
and the client BSN of allocation requests, and stored idempotency responses that mention the
family. What stays are ids, codes, states, the dates of the process and money — so the ledger,
the insights and the outcome figures are the same before and after.

Erasure and retention both call :func:`anonymise`; each family is one transaction, so a crash
leaves a family either untouched or wholly anonymised.
"""

import uuid
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from app.services.privacy.family_tables import CASE_REVIEWS, IJW_MESSAGES, IJW_REQUESTS, PLANS
from app.services.privacy.ijw_documents import Erased, relation_number, scrub_document

ERASED = ""  # what a required text becomes; optional texts become NULL

# Statements per scope. ``:family_id`` always; ``:member_id`` only in member scope, where the
# engagement set is the member's own.
FAMILY_ENGAGEMENTS = "SELECT id FROM engagements WHERE family_id = :family_id"
MEMBER_ENGAGEMENTS = FAMILY_ENGAGEMENTS + " AND member_id = :member_id"


def _engagement_statements(engagements: str) -> list[str]:
    treatment_plans = f"SELECT id FROM treatment_plans WHERE engagement_id IN ({engagements})"
    return [
        f"UPDATE engagements SET choice_reason = NULL, decline_reason = NULL WHERE id IN ({engagements})",
        f"UPDATE treatment_plans SET approach = '' WHERE engagement_id IN ({engagements})",
        "UPDATE treatment_activities SET description = '', frequency = NULL"
        f" WHERE treatment_plan_id IN ({treatment_plans})",
        f"UPDATE subcontracts SET scope = '' WHERE engagement_id IN ({engagements})",
        "UPDATE progress_reports SET goals = (SELECT coalesce(jsonb_agg(g - 'note'), '[]'::jsonb)"
        f" FROM jsonb_array_elements(goals) g) WHERE engagement_id IN ({engagements})",
        f"UPDATE experience_surveys SET answers = '{{}}'::jsonb WHERE engagement_id IN ({engagements})",
        f"UPDATE payment_lines SET note = NULL WHERE engagement_id IN ({engagements})",
    ]


MEMBER_NAMES = (
    "UPDATE family_members SET given_name = '', family_name = '', bsn = NULL, active = false,"
    " birth_date = make_date(extract(year FROM birth_date)::int, 1, 1)"
)

FAMILY_STATEMENTS = [
    f"{MEMBER_NAMES} WHERE family_id = :family_id",
    "UPDATE families SET status = 'anonymised', updated_at = now() WHERE id = :family_id",
    "UPDATE plans SET family_vision = NULL, summary = NULL WHERE family_id = :family_id",
    f"UPDATE plan_assessments SET situation = NULL, family_wish = NULL WHERE plan_id IN ({PLANS})",
    f"UPDATE goals SET description = '', desired_result = NULL WHERE plan_id IN ({PLANS})",
    f"UPDATE plan_support_profiles SET problem_description = '' WHERE plan_id IN ({PLANS})",
    f"UPDATE plan_signatures SET subject = '' WHERE signer_kind = 'family' AND plan_id IN ({PLANS})",
    "UPDATE referrals SET reason = '', child_bsn = NULL, child_birth_date = NULL"
    " WHERE family_id = :family_id",
    "UPDATE handoffs SET need = '', resolution = NULL, decline_reason = NULL WHERE family_id = :family_id",
    f"UPDATE case_review_decisions SET note = NULL WHERE case_review_id IN ({CASE_REVIEWS})",
    *_engagement_statements(FAMILY_ENGAGEMENTS),
]

MEMBER_STATEMENTS = [
    f"{MEMBER_NAMES} WHERE family_id = :family_id AND id = :member_id",
    "UPDATE goals SET description = '', desired_result = NULL"
    f" WHERE plan_id IN ({PLANS}) AND member_id = :member_id",
    "UPDATE plan_support_profiles SET problem_description = ''"
    f" WHERE plan_id IN ({PLANS}) AND member_id = :member_id",
    "UPDATE plan_signatures SET subject = ''"
    f" WHERE signer_kind = 'family' AND plan_id IN ({PLANS}) AND member_id = :member_id",
    "UPDATE referrals SET reason = '', child_bsn = NULL, child_birth_date = NULL"
    " WHERE family_id = :family_id AND member_id = :member_id",
    "UPDATE handoffs SET need = '', resolution = NULL, decline_reason = NULL"
    f" WHERE family_id = :family_id AND engagement_id IN ({MEMBER_ENGAGEMENTS})",
    "UPDATE case_review_decisions SET note = NULL WHERE case_review_id IN"
    f" (SELECT id FROM case_reviews WHERE family_id = :family_id AND subject_id IN ({MEMBER_ENGAGEMENTS}))",
    *_engagement_statements(MEMBER_ENGAGEMENTS),
]

# Every id a stored response of a creating POST about this family can mention.
FAMILY_IDS = f"""
SELECT id::text FROM families WHERE id = :family_id
UNION ALL SELECT id::text FROM family_members WHERE family_id = :family_id
UNION ALL SELECT id::text FROM plans WHERE family_id = :family_id
UNION ALL SELECT id::text FROM goals WHERE plan_id IN ({PLANS})
UNION ALL SELECT id::text FROM plan_support_profiles WHERE plan_id IN ({PLANS})
UNION ALL SELECT id::text FROM referrals WHERE family_id = :family_id
UNION ALL SELECT id::text FROM consents WHERE family_id = :family_id
UNION ALL SELECT id::text FROM engagements WHERE family_id = :family_id
UNION ALL SELECT id::text FROM handoffs WHERE family_id = :family_id
"""
PURGE_IDEMPOTENCY = """
DELETE FROM idempotency_keys k
WHERE EXISTS (SELECT 1 FROM unnest(:ids) AS i(v)
              WHERE strpos(k.path, i.v) > 0 OR strpos(coalesce(k.response_body, ''), i.v) > 0)
"""

# Texts in a frozen plan version (the public JSON of the plan): emptied or nulled like the tables.
SNAPSHOT_NULLED = frozenset({"familyVision", "summary", "situation", "familyWish", "desiredResult"})
SNAPSHOT_EMPTIED = frozenset({"description", "problemDescription"})


def scrub_snapshot(value: Any, member_id: str | None) -> Any:
    """The snapshot without its free texts (only the member's parts when ``member_id`` is given)."""
    if isinstance(value, list):
        return [scrub_snapshot(v, member_id) for v in value]
    if not isinstance(value, dict):
        return value
    mine = member_id is None or value.get("memberId") == member_id
    scrubbed: dict[str, Any] = {}
    for key, item in value.items():
        if mine and key in SNAPSHOT_NULLED:
            scrubbed[key] = None
        elif mine and key in SNAPSHOT_EMPTIED:
            scrubbed[key] = ERASED
        else:
            scrubbed[key] = scrub_snapshot(item, member_id)
    return scrubbed


async def _scrub_plan_versions(session: AsyncSession, params: dict[str, Any], member_id: str | None) -> None:
    rows = (
        await session.execute(
            text(f"SELECT plan_id, version, snapshot FROM plan_versions WHERE plan_id IN ({PLANS})"), params
        )
    ).all()
    update = text(
        "UPDATE plan_versions SET snapshot = :snapshot WHERE plan_id = :plan_id AND version = :version"
    ).bindparams(bindparam("snapshot", type_=JSONB))
    for plan_id, version, snapshot in rows:
        await session.execute(
            update, {"snapshot": scrub_snapshot(snapshot, member_id), "plan_id": plan_id, "version": version}
        )


# iJw: the BSNs being erased (read before the members' go), and the requests that carry them.
FAMILY_MEMBER_BSNS = "SELECT bsn FROM family_members WHERE family_id = :family_id AND bsn IS NOT NULL"
ONE_MEMBER_BSN = FAMILY_MEMBER_BSNS + " AND id = :member_id"
FAMILY_REQUESTS = f"UPDATE ijw_allocation_requests SET client_bsn = NULL WHERE {IJW_REQUESTS}"
MEMBER_REQUESTS = (
    "UPDATE ijw_allocation_requests SET client_bsn = NULL WHERE (family_id = :family_id"
    f" AND member_id = :member_id) OR (family_id IS NULL AND client_bsn IN ({ONE_MEMBER_BSN}))"
)


async def _scrub_ijw(session: AsyncSession, params: dict[str, Any], member_id: str | None) -> None:
    """The erased persons out of every iJw message that may hold them, then out of the requests."""
    bsns = await session.execute(text(FAMILY_MEMBER_BSNS if member_id is None else ONE_MEMBER_BSN), params)
    relations = frozenset() if member_id is None else frozenset({relation_number(member_id)})
    erased = Erased(frozenset(bsns.scalars()), relations)
    rows = await session.execute(text(f"SELECT id, document FROM ijw_messages WHERE {IJW_MESSAGES}"), params)
    update = text("UPDATE ijw_messages SET document = :document WHERE id = :id")
    for message_id, document in rows.all():
        scrubbed = scrub_document(document, erased)
        if scrubbed is not None:
            await session.execute(update, {"document": scrubbed, "id": message_id})
    await session.execute(text(FAMILY_REQUESTS if member_id is None else MEMBER_REQUESTS), params)


async def anonymise(session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None = None) -> None:
    """Remove the personal data of the family (or of one member) — see the module docstring."""
    params: dict[str, Any] = {"family_id": family_id}
    if member_id is not None:
        params["member_id"] = member_id
    ids = list((await session.execute(text(FAMILY_IDS), {"family_id": family_id})).scalars())
    await _scrub_ijw(session, params, str(member_id) if member_id is not None else None)
    for statement in MEMBER_STATEMENTS if member_id is not None else FAMILY_STATEMENTS:
        await session.execute(text(statement), params)
    await _scrub_plan_versions(session, params, str(member_id) if member_id is not None else None)
    purge = text(PURGE_IDEMPOTENCY).bindparams(bindparam("ids", type_=ARRAY(Text)))
    await session.execute(purge, {"ids": ids})
