"""Where a family's data lives: one section of the export per table, with the rows that are the
family's, and the tables deliberately left out (each with its reason).

A test walks the metadata and fails when a table that holds family data — one that refers to a
family, member, plan or engagement, directly or through another such table, or has a
``family_id``/``member_id``/``engagement_id`` column — is neither exported nor excluded here,
so a new table cannot be forgotten silently.
"""

from dataclasses import dataclass

PLANS = "SELECT id FROM plans WHERE family_id = :family_id"
ENGAGEMENTS = "SELECT id FROM engagements WHERE family_id = :family_id"
TREATMENT_PLANS = f"SELECT id FROM treatment_plans WHERE engagement_id IN ({ENGAGEMENTS})"
ACTIVITIES = f"SELECT id FROM treatment_activities WHERE treatment_plan_id IN ({TREATMENT_PLANS})"
CASE_REVIEWS = "SELECT id FROM case_reviews WHERE family_id = :family_id"

# iJw. A message about a client not (yet) known as one of ours — an intake, or a message that
# could not be linked — has no family; it is the family's when its client's BSN is a member's.
FAMILY_BSNS = "SELECT bsn FROM family_members WHERE family_id = :family_id AND bsn IS NOT NULL"
IJW_REQUESTS = f"family_id = :family_id OR (family_id IS NULL AND client_bsn IN ({FAMILY_BSNS}))"
REQUEST_MESSAGES = f"SELECT message_id FROM ijw_allocation_requests WHERE {IJW_REQUESTS}"
CLAIM_MESSAGES = f"SELECT message_id FROM ijw_claim_lines WHERE engagement_id IN ({ENGAGEMENTS})"
UNLINKED_MESSAGES = (
    "family_id IS NULL"
    " AND municipality_code = (SELECT municipality_code FROM families WHERE id = :family_id)"
    f" AND EXISTS (SELECT 1 FROM ({FAMILY_BSNS}) b WHERE strpos(document, 'Bsn>' || b.bsn || '</') > 0)"
)
# Every message that may hold a member's data (the return messages answering them included).
IJW_MESSAGES = (
    f"family_id = :family_id OR engagement_id IN ({ENGAGEMENTS}) OR id IN ({REQUEST_MESSAGES})"
    f" OR answers_id IN ({REQUEST_MESSAGES}) OR id IN ({CLAIM_MESSAGES})"
    f" OR answers_id IN ({CLAIM_MESSAGES}) OR ({UNLINKED_MESSAGES})"
)
# A claim (JW323) and its answer (JW325) bundle the clients of a provider: their documents hold
# other families' data and are not exported; the family's part of a claim is its claim lines.
MULTI_CLIENT = "('JW323', 'JW325')"


@dataclass(frozen=True)
class Section:
    name: str  # the property of the export document
    table: str
    where: str  # SQL over the bind parameter :family_id
    order_by: str = "id"


SECTIONS: tuple[Section, ...] = (
    Section("members", "family_members", "family_id = :family_id"),
    Section("plans", "plans", "family_id = :family_id"),
    Section("planVersions", "plan_versions", f"plan_id IN ({PLANS})", "plan_id, version"),
    Section("assessments", "plan_assessments", f"plan_id IN ({PLANS})"),
    Section("goals", "goals", f"plan_id IN ({PLANS})"),
    Section("supportProfiles", "plan_support_profiles", f"plan_id IN ({PLANS})"),
    Section("signatures", "plan_signatures", f"plan_id IN ({PLANS})"),
    Section("referrals", "referrals", "family_id = :family_id"),
    Section("consents", "consents", "family_id = :family_id"),
    Section("engagements", "engagements", "family_id = :family_id"),
    Section(
        "engagementGoals", "engagement_goals", f"engagement_id IN ({ENGAGEMENTS})", "engagement_id, goal_id"
    ),
    Section("treatmentPlans", "treatment_plans", f"engagement_id IN ({ENGAGEMENTS})"),
    Section("treatmentActivities", "treatment_activities", f"treatment_plan_id IN ({TREATMENT_PLANS})"),
    Section(
        "treatmentActivityGoals",
        "treatment_activity_goals",
        f"activity_id IN ({ACTIVITIES})",
        "activity_id, goal_id",
    ),
    Section("subcontracts", "subcontracts", f"engagement_id IN ({ENGAGEMENTS})"),
    Section("progressReports", "progress_reports", f"engagement_id IN ({ENGAGEMENTS})"),
    Section("experienceSurveys", "experience_surveys", f"engagement_id IN ({ENGAGEMENTS})"),
    Section("handoffs", "handoffs", "family_id = :family_id"),
    Section("payments", "payment_lines", f"engagement_id IN ({ENGAGEMENTS})"),
    Section("caseReviews", "case_reviews", "family_id = :family_id"),
    Section("caseReviewDecisions", "case_review_decisions", f"case_review_id IN ({CASE_REVIEWS})"),
    Section(
        "ijwMessages",
        "ijw_messages",
        f"({IJW_MESSAGES}) AND message_code NOT IN {MULTI_CLIENT}",
        "created_at, id",
    ),
    Section("ijwAllocationRequests", "ijw_allocation_requests", IJW_REQUESTS, "created_at, id"),
    Section("ijwClaimLines", "ijw_claim_lines", f"engagement_id IN ({ENGAGEMENTS})"),
    Section("erasureRequests", "erasure_requests", "family_id = :family_id"),
    Section("auditEvents", "audit_events", "family_id = :family_id", "occurred_at, id"),
)
FAMILY = Section("family", "families", "id = :family_id")

EXCLUDED: dict[str, str] = {
    "idempotency_keys": (
        "a caller's retry cache, not a record of the family: kept 24 hours, purged by retention and "
        "its entries that mention the family are deleted on erasure"
    ),
    "outbox_events": "events carry ids and states only, never a family's data (platform/events.py)",
}


def exported_tables() -> set[str]:
    return {FAMILY.table, *(s.table for s in SECTIONS)}
